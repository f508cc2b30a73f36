/** Password rules for sign-up and password changes. Pure; the HTTP edge maps a failure to 422 `weak_password`. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

const COMMON = new Set([
  'password123',
  'password1234',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'qwerty12345',
  'iloveyou123',
  'letmein1234',
  'administrator',
  'welcome1234',
  'abcdefghij',
  'passw0rd123',
]);

export function checkPassword(
  password: string,
  email?: string,
): { ok: true } | { ok: false; reason: string } {
  if (password.length < PASSWORD_MIN)
    return { ok: false, reason: `must be at least ${PASSWORD_MIN} characters` };
  if (password.length > PASSWORD_MAX)
    return { ok: false, reason: `must be at most ${PASSWORD_MAX} characters` };
  if (new Set(password).size < 4) return { ok: false, reason: 'uses too few different characters' };
  if (COMMON.has(password.toLowerCase())) return { ok: false, reason: 'is a commonly used password' };
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) {
    return { ok: false, reason: 'must not contain your email address' };
  }
  return { ok: true };
}
