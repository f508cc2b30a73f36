/**
 * Secrets generated once on a developer machine and kept under DATA_DIR (mode 0600): the auth secret when
 * AUTH_SECRET is unset, and the demo admin's password when no BOOTSTRAP_ADMIN_* is configured.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function readOrCreateSecret(dataDir: string, name: string, create: () => string): string {
  const file = path.join(dataDir, name);
  if (fs.existsSync(file)) {
    const v = fs.readFileSync(file, 'utf8').trim();
    if (v) return v;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const v = create();
  fs.writeFileSync(file, v + '\n', { mode: 0o600 });
  return v;
}

export const DEMO_ADMIN_EMAIL = 'admin@sertantai.local';

export function localAuthSecret(dataDir: string): string {
  return readOrCreateSecret(dataDir, 'auth-secret', () => crypto.randomBytes(32).toString('base64url'));
}

export function demoAdminPassword(dataDir: string): string {
  // 20 characters from an unambiguous alphabet: easy to type from the terminal.
  const alphabet = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679';
  return readOrCreateSecret(dataDir, 'demo-admin-password', () =>
    Array.from(crypto.randomBytes(20), (b) => alphabet[b % alphabet.length]).join(''),
  );
}
