/**
 * Sign-up / sign-in helpers for HTTP tests (with `testApp()`), recording every password and session token so the
 * end-of-run log scan fails if one of them reaches a log line.
 *
 *   const { cookie } = await signUp(h.app, { email: 'ann@example.com' });
 *   const admin = await adminSession(h);          // admin cookie + CSRF token
 *   await h.app.inject({ method: 'POST', url: '/api/admin/x', headers: browserHeaders(admin), payload: {} });
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ensureAdmin } from '../../src/accounts/ensure-admin.js';
import type { TestApp } from './app.js';
import { TEST_APP_URL } from './app.js';
import { recordSecret } from './log-capture.js';

export const TEST_PASSWORD = 'correct-horse-battery-staple-7';
recordSecret(TEST_PASSWORD);

export interface Session {
  cookie: string;
  userId: string;
  csrf?: string;
}

/** `name=value` of the session cookie in a response, or undefined. */
export function sessionCookie(res: LightMyRequestResponse): string | undefined {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [raw] : [];
  for (const c of all) {
    const pair = c.split(';')[0]!;
    if (/session_token=./.test(pair)) {
      const value = decodeURIComponent(pair.slice(pair.indexOf('=') + 1));
      recordSecret(value);
      recordSecret(value.split('.')[0]!);
      return pair;
    }
  }
  return undefined;
}

/** Headers of a same-origin browser request with the session (and CSRF token when present). */
export function browserHeaders(s: { cookie: string; csrf?: string }): Record<string, string> {
  const h: Record<string, string> = { cookie: s.cookie, origin: TEST_APP_URL };
  if (s.csrf) h['x-csrf-token'] = s.csrf;
  return h;
}

/**
 * Signs up, then (the sign-up itself answers `check_email` and signs nobody in) signs in with the same password:
 * `res` is the sign-up's answer, `cookie` and `userId` those of the session (undefined when the sign-in failed).
 */
export async function signUp(
  app: FastifyInstance,
  input: { email: string; password?: string; name?: string } & Record<string, unknown>,
  opts: { remoteAddress?: string } = {},
): Promise<{ res: LightMyRequestResponse; cookie: string | undefined; userId: string | undefined }> {
  const password = input.password ?? TEST_PASSWORD;
  recordSecret(password);
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: TEST_APP_URL },
    payload: { name: input.name ?? input.email.split('@')[0], ...input, password },
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
  });
  if (res.statusCode !== 200) return { res, cookie: undefined, userId: undefined };
  const { cookie } = await signIn(app, input.email, password, opts);
  if (!cookie) return { res, cookie: undefined, userId: undefined };
  const me = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
  return { res, cookie, userId: (me.json() as { id: string }).id };
}

export async function signIn(
  app: FastifyInstance,
  email: string,
  password: string = TEST_PASSWORD,
  opts: { remoteAddress?: string } = {},
): Promise<{ res: LightMyRequestResponse; cookie: string | undefined }> {
  recordSecret(password);
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: TEST_APP_URL },
    payload: { email, password },
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
  });
  return { res, cookie: sessionCookie(res) };
}

export async function csrfFor(app: FastifyInstance, cookie: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/api/csrf', headers: { cookie } });
  if (res.statusCode !== 200) throw new Error(`GET /api/csrf answered ${res.statusCode}`);
  return (res.json() as { token: string }).token;
}

/** A signed-up member's session with its CSRF token. */
export async function memberSession(h: TestApp, email: string): Promise<Session> {
  const { cookie, userId, res } = await signUp(h.app, { email });
  if (!cookie || !userId) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  return { cookie, userId, csrf: await csrfFor(h.app, cookie) };
}

/** An admin (created with ensureAdmin, as the CLI does) signed in, with its CSRF token. */
export async function adminSession(h: TestApp, email = 'admin@example.com'): Promise<Session> {
  const { userId } = await ensureAdmin(
    { auth: h.app.httpContext.auth, db: h.deps.db },
    { email, password: TEST_PASSWORD, source: 'test' },
  );
  const { cookie, res } = await signIn(h.app, email);
  if (!cookie) throw new Error(`admin sign-in failed: ${res.statusCode} ${res.body}`);
  return { cookie, userId, csrf: await csrfFor(h.app, cookie) };
}
