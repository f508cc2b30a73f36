/**
 * /api/auth/*: better-auth behind a thin bridge that (1) validates sign-up and profile input strictly, so no
 * request can set `role` (or any field we do not list) — 422 instead; (2) applies the PostgreSQL-backed rate
 * limits; (3) renders better-auth's errors in our one error shape with our status codes
 * (duplicate email 409 `email_taken`, weak password 422 `weak_password`, bad credentials 401).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { z } from 'zod';
import { checkPassword } from '../accounts/password-policy.js';
import type { Deps } from '../deps.js';
import { AppError, invalid } from '../errors.js';
import { errorBody } from './error-handler.js';
import { hitLimit, peekLimit, type Limit } from './rate-limit.js';

export interface AuthLimits {
  failedLogins: Limit;
  signups: Limit;
  other: Limit;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  failedLogins: { bucket: 'auth:failed-login', max: 20, windowSeconds: 15 * 60 },
  signups: { bucket: 'auth:signup', max: 30, windowSeconds: 60 * 60 },
  other: { bucket: 'auth:other', max: 300, windowSeconds: 60 },
};

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

const ERROR_MAP: Record<string, { status: number; code: string }> = {
  USER_ALREADY_EXISTS: { status: 409, code: 'email_taken' },
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: { status: 409, code: 'email_taken' },
  PASSWORD_TOO_SHORT: { status: 422, code: 'weak_password' },
  PASSWORD_TOO_LONG: { status: 422, code: 'weak_password' },
  INVALID_EMAIL_OR_PASSWORD: { status: 401, code: 'invalid_credentials' },
  INVALID_PASSWORD: { status: 401, code: 'invalid_credentials' },
  INVALID_EMAIL: { status: 422, code: 'invalid_request' },
  ROLE_NOT_ALLOWED: { status: 422, code: 'invalid_request' },
  FIELD_NOT_ALLOWED: { status: 422, code: 'invalid_request' },
};

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
        } else {
          const s = await hitLimit(db, clock, limits.other, ip);
          if (s.limited) return tooMany(reply, request, s.retryAfterSeconds, 'Too many requests, try later');
          if (path === '/update-user') body = parseOrRefuse(updateUserInput, body);
          if (path === '/change-password' || path === '/reset-password') {
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
      const url = new URL(request.url, auth.options.baseURL as string);
      const res = await auth.handler(new Request(url, { method: request.method, headers, body: payload }));

      if (request.method === 'POST' && path === '/sign-in/email' && res.status === 401) {
        await hitLimit(db, clock, limits.failedLogins, ip);
      }

      for (const c of res.headers.getSetCookie()) reply.header('set-cookie', c);
      res.headers.forEach((value, name) => {
        if (name !== 'set-cookie' && name !== 'content-length' && name !== 'content-encoding')
          reply.header(name, value);
      });
      const text = await res.text();
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
