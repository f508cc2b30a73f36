/**
 * /api/auth/*: better-auth behind a thin bridge that (1) validates sign-up and profile input strictly, so no
 * request can set `role` (or any field we do not list) — 422 instead; (2) applies the PostgreSQL-backed rate
 * limits; (3) renders better-auth's errors in our one error shape with our status codes
 * (weak password 422 `weak_password`, bad credentials 401); (4) answers a sign-up with one fixed body,
 * `{ status: 'check_email' }` and no session, whether the address was new or already had an account (the owner of
 * a taken address is emailed instead: auth.ts `onExistingUserSignUp`).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { z } from 'zod';
import { checkPassword } from '../accounts/password-policy.js';
import type { Deps } from '../deps.js';
import { and, eq } from 'drizzle-orm';
import { AppError, invalid, unauthorized } from '../errors.js';
import { errorBody } from './error-handler.js';
import { hitLimit, peekLimit, type Limit } from '../db/rate-limit.js';
import { sessionOf } from './guards.js';
import {
  releaseEmailLink,
  useEmailLink,
  type EmailLinkKind,
} from '../accounts/email-links/email-links.repo.js';
import type { Auth } from '../accounts/auth.js';
import { accounts } from '../accounts/accounts.tables.js';
import type { Db } from '../db/client.js';

export interface AuthLimits {
  failedLogins: Limit;
  signups: Limit;
  other: Limit;
  /** Emails asked for (verification resend, password reset): counted per address AND per recipient. */
  emailSends: Limit;
  /** One-time links followed (verify an address, set a new password), per address. */
  linkUses: Limit;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  failedLogins: { bucket: 'auth:failed-login', max: 20, windowSeconds: 15 * 60 },
  signups: { bucket: 'auth:signup', max: 30, windowSeconds: 60 * 60 },
  other: { bucket: 'auth:other', max: 300, windowSeconds: 60 },
  emailSends: { bucket: 'auth:email-send', max: 5, windowSeconds: 15 * 60 },
  linkUses: { bucket: 'auth:link-use', max: 20, windowSeconds: 15 * 60 },
};

/** Ask for an email: the address only (the link always opens our own page, never a URL from the request). */
export const emailRequestInput = z.object({ email: z.email().max(320) }).strict();
export const resetPasswordInput = z
  .object({ token: z.string().min(1).max(500), newPassword: z.string() })
  .strict();
/** A change of address needs the current password; it takes effect once the new address is verified. */
export const changeEmailInput = z
  .object({ newEmail: z.email().max(320), password: z.string().min(1).max(1000) })
  .strict();

const LINK_REFUSALS = {
  link_used: { status: 410, message: 'This link has already been used. Ask for a new one.' },
  link_expired: { status: 410, message: 'This link has expired. Ask for a new one.' },
  link_invalid: { status: 400, message: 'This link is not valid. Ask for a new one.' },
} as const;

const optionalText = (max: number) => z.string().trim().max(max).optional();

/** Everything a sign-up may carry. `.strict()`: a `role` (or any other unlisted field) is refused. */
export const signUpInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320),
    password: z.string(),
    company: optionalText(200),
    jobTitle: optionalText(200),
    image: z.url().max(2000).optional(),
    callbackURL: z.string().max(2000).optional(),
    rememberMe: z.boolean().optional(),
  })
  .strict();

export const updateUserInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    image: z.url().max(2000).nullable().optional(),
    company: optionalText(200).nullable(),
    jobTitle: optionalText(200).nullable(),
  })
  .strict();

const passwordChangeInput = z.object({ newPassword: z.string() }).loose();

function parseOrRefuse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const unknown = r.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
  if (unknown.length) {
    throw invalid('invalid_request', `These fields cannot be set: ${unknown.join(', ')}`, {
      fields: unknown,
    });
  }
  throw r.error;
}

/** What every accepted sign-up answers, for a new address and a taken one alike. */
export const SIGN_UP_ANSWER = { status: 'check_email' } as const;

const ERROR_MAP: Record<string, { status: number; code: string }> = {
  USER_ALREADY_EXISTS: { status: 409, code: 'email_taken' },
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: { status: 409, code: 'email_taken' },
  PASSWORD_TOO_SHORT: { status: 422, code: 'weak_password' },
  PASSWORD_TOO_LONG: { status: 422, code: 'weak_password' },
  INVALID_EMAIL_OR_PASSWORD: { status: 401, code: 'invalid_credentials' },
  INVALID_PASSWORD: { status: 401, code: 'invalid_credentials' },
  INVALID_EMAIL: { status: 422, code: 'invalid_request' },
  INVALID_TOKEN: { status: 400, code: 'link_invalid' },
  TOKEN_EXPIRED: { status: 410, code: 'link_expired' },
  USER_NOT_FOUND: { status: 400, code: 'link_invalid' },
  ROLE_NOT_ALLOWED: { status: 422, code: 'invalid_request' },
  FIELD_NOT_ALLOWED: { status: 422, code: 'invalid_request' },
};

/** The user's current password, checked against their email-and-password account (none: never matches). */
async function passwordMatches(auth: Auth, db: Db, userId: string, password: string): Promise<boolean> {
  const [acc] = await db
    .select({ hash: accounts.password })
    .from(accounts)
    .where(and(eq(accounts.userId, userId), eq(accounts.providerId, 'credential')));
  if (!acc?.hash) return false;
  const ctx = await auth.$context;
  return ctx.password.verify({ hash: acc.hash, password });
}

function clientKey(request: FastifyRequest): string {
  return request.ip || 'unknown';
}

async function tooMany(reply: FastifyReply, request: FastifyRequest, retryAfter: number, message: string) {
  return reply
    .status(429)
    .header('retry-after', String(retryAfter))
    .send(errorBody(request, 'rate_limited', message));
}

export const authRoutes: FastifyPluginAsync<{ deps: Deps; limits: AuthLimits }> = async (
  app,
  { deps, limits },
) => {
  const { auth } = app.httpContext;
  const { db, clock } = deps;

  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    handler: async (request, reply) => {
      const path = request.url.split('?')[0]!.slice('/api/auth'.length);
      const ip = clientKey(request);
      let body: unknown = request.body;
      let url = new URL(request.url, auth.options.baseURL as string);
      /** The one-time link this request uses, given back if better-auth then refuses the request. */
      let link: { kind: EmailLinkKind; token: string } | undefined;
      /** Uses the link once; false when refused (the answer is sent). (A reply is thenable: never return one.) */
      const useLink = async (kind: EmailLinkKind, token: string): Promise<boolean> => {
        const s = await hitLimit(db, clock, limits.linkUses, ip);
        if (s.limited) {
          await tooMany(reply, request, s.retryAfterSeconds, 'Too many attempts, try later');
          return false;
        }
        const used = await useEmailLink(db, clock, kind, token);
        if (!used.ok) {
          const r = LINK_REFUSALS[used.reason];
          reply.status(r.status).send(errorBody(request, used.reason, r.message));
          return false;
        }
        link = { kind, token };
        return true;
      };

      if (request.method === 'GET' && path === '/verify-email') {
        const token = url.searchParams.get('token') ?? '';
        if (!(await useLink('verify_email', token))) return reply;
        // Our page asks for JSON: no redirect target is taken from the link.
        url = new URL(`/api/auth/verify-email?token=${encodeURIComponent(token)}`, url);
      }

      if (request.method === 'POST') {
        if (path === '/sign-in/email') {
          const s = await peekLimit(db, clock, limits.failedLogins, ip);
          if (s.limited)
            return tooMany(reply, request, s.retryAfterSeconds, 'Too many failed sign-ins, try later');
        } else if (path === '/sign-up/email') {
          const s = await hitLimit(db, clock, limits.signups, ip);
          if (s.limited) return tooMany(reply, request, s.retryAfterSeconds, 'Too many sign-ups, try later');
          const input = parseOrRefuse(signUpInput, body);
          const pw = checkPassword(input.password, input.email);
          if (!pw.ok) throw invalid('weak_password', `Password ${pw.reason}`);
          body = input;
        } else if (path === '/send-verification-email' || path === '/request-password-reset') {
          const input = parseOrRefuse(emailRequestInput, body);
          // Per address and per recipient: the same answer whether or not the recipient has an account.
          for (const key of [ip, `to:${input.email.toLowerCase()}`]) {
            const s = await hitLimit(db, clock, limits.emailSends, key);
            if (s.limited)
              return tooMany(reply, request, s.retryAfterSeconds, 'Too many emails asked for, try later');
          }
          body = input;
        } else if (path === '/reset-password') {
          const input = parseOrRefuse(resetPasswordInput, body);
          const pw = checkPassword(input.newPassword);
          if (!pw.ok) throw invalid('weak_password', `Password ${pw.reason}`);
          if (!(await useLink('reset_password', input.token))) return reply;
          body = input;
        } else if (path === '/change-email') {
          const input = parseOrRefuse(changeEmailInput, body);
          const s = await peekLimit(db, clock, limits.failedLogins, ip);
          if (s.limited)
            return tooMany(reply, request, s.retryAfterSeconds, 'Too many failed attempts, try later');
          const user = await sessionOf(request);
          if (!user) throw unauthorized();
          if (!(await passwordMatches(auth, db, user.userId, input.password))) {
            await hitLimit(db, clock, limits.failedLogins, ip);
            throw new AppError('wrong_password', 'The current password is not correct', 403);
          }
          body = { newEmail: input.newEmail, callbackURL: '/account' };
        } else {
          const s = await hitLimit(db, clock, limits.other, ip);
          if (s.limited) return tooMany(reply, request, s.retryAfterSeconds, 'Too many requests, try later');
          if (path === '/update-user') body = parseOrRefuse(updateUserInput, body);
          if (path === '/change-password') {
            const pw = checkPassword(parseOrRefuse(passwordChangeInput, body).newPassword);
            if (!pw.ok) throw invalid('weak_password', `Password ${pw.reason}`);
          }
        }
      }

      const headers = fromNodeHeaders(request.headers);
      headers.delete('content-length');
      headers.delete('transfer-encoding');
      let payload: string | undefined;
      if (request.method !== 'GET' && body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        headers.set('content-type', 'application/json');
      }
      const res = await auth.handler(new Request(url, { method: request.method, headers, body: payload }));

      if (request.method === 'POST' && path === '/sign-in/email' && res.status === 401) {
        await hitLimit(db, clock, limits.failedLogins, ip);
      }
      if (request.method === 'POST' && path === '/sign-up/email' && res.status === 200) {
        // better-auth answers a taken address with a made-up user: neither that nor the real one is sent back, and
        // no cookie (none is set without autoSignIn; dropped here whatever a future version does).
        await res.body?.cancel();
        reply.header('cache-control', 'no-store');
        return reply.status(200).send(SIGN_UP_ANSWER);
      }

      for (const c of res.headers.getSetCookie()) reply.header('set-cookie', c);
      res.headers.forEach((value, name) => {
        if (name !== 'set-cookie' && name !== 'content-length' && name !== 'content-encoding')
          reply.header(name, value);
      });
      const text = await res.text();
      if (link && res.status >= 400) await releaseEmailLink(db, link.kind, link.token);
      if (res.status >= 400) {
        let parsed: { code?: string; message?: string } = {};
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          parsed = {};
        }
        const mapped = parsed.code ? ERROR_MAP[parsed.code] : undefined;
        const status = mapped?.status ?? res.status;
        const code = mapped?.code ?? (parsed.code ?? 'auth_error').toLowerCase();
        const message = parsed.message ?? res.statusText ?? 'Authentication failed';
        if (status >= 500) throw new AppError('internal_error', 'Something went wrong', 500);
        reply.header('content-type', 'application/json; charset=utf-8');
        return reply.status(status).send(errorBody(request, code, message));
      }
      reply.status(res.status);
      return reply.send(text === '' ? undefined : text);
    },
  });
};
