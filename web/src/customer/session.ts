/**
 * The customer's pages talk to better-auth (`/api/auth/*`, JSON) and to our own routes. State-changing calls to our
 * routes carry the CSRF token of the session (`GET /api/csrf`). Every failure is `{ code, message }` from the
 * server's one error shape, so a page can say what happened (`link_used`, `rate_limited`, …).
 */
export interface Me {
  id: string;
  email: string;
  name: string | null;
  role: string;
  signupProvider: string;
  emailVerified: boolean;
}

export type Answer<T> = { ok: true; data: T } | { ok: false; status: number; code: string; message: string };

async function answer<T>(res: Response): Promise<Answer<T>> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.ok) return { ok: true, data: body as T };
  const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
  return {
    ok: false,
    status: res.status,
    code: e?.code ?? `http_${res.status}`,
    message: e?.message ?? (res.statusText || 'Something went wrong'),
  };
}

export async function getJson<T>(path: string): Promise<Answer<T>> {
  try {
    return await answer<T>(await fetch(path, { credentials: 'same-origin' }));
  } catch {
    return { ok: false, status: 0, code: 'network_error', message: 'The server could not be reached' };
  }
}

export async function postJson<T>(path: string, body: object, headers: Record<string, string> = {}) {
  try {
    const res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return await answer<T>(res);
  } catch {
    return {
      ok: false,
      status: 0,
      code: 'network_error',
      message: 'The server could not be reached',
    } as Answer<T>;
  }
}

/** A POST to our own API with the session's CSRF token. */
export async function postWithCsrf<T>(path: string, body: object = {}): Promise<Answer<T>> {
  const csrf = await getJson<{ token: string }>('/api/csrf');
  if (!csrf.ok) return csrf;
  return postJson<T>(path, body, { 'x-csrf-token': csrf.data.token });
}

export const getMe = () => getJson<Me & Record<string, unknown>>('/api/me');

/** Providers configured on the server (the page carries them: a button each, none for the others). */
export function configuredProviders(): string[] {
  try {
    return JSON.parse(document.body.dataset.providers ?? '[]') as string[];
  } catch {
    return [];
  }
}

const LABELS: Record<string, string> = {
  google: 'Google',
  github: 'GitHub',
  microsoft: 'Microsoft',
  linkedin: 'LinkedIn',
  okta: 'Okta',
  airtable: 'Airtable',
  credential: 'Email and password',
};
export const providerLabel = (id: string) => LABELS[id] ?? id;

/** Starts an OAuth sign-in (or linking, when signed in) and leaves for the provider. */
export async function startOAuth(provider: string, link: boolean): Promise<Answer<{ url?: string }>> {
  const r = await postJson<{ url?: string }>(link ? '/api/auth/link-social' : '/api/auth/sign-in/social', {
    provider,
    callbackURL: '/account',
  });
  if (r.ok && r.data.url) window.location.assign(r.data.url);
  return r;
}
