/**
 * CSRF protection for cookie-authenticated state changes: the request must carry `x-csrf-token` equal to
 * HMAC(secret, session id) (fetch it from `GET /api/csrf`) AND come from our own origin (`Origin`, else
 * `Referer`). Stateless, so every web process agrees. Bearer-key requests are not subject to it.
 */
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

export function csrfToken(secret: string, sessionId: string): string {
  return crypto.createHmac('sha256', secret).update(`csrf:${sessionId}`).digest('base64url');
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const h = request.headers[name];
  return Array.isArray(h) ? h[0] : h;
}

/** The request's Origin (or the Referer's origin) is one of ours, or the host the request was sent to. */
export function isSameOrigin(request: FastifyRequest, trusted: string[]): boolean {
  let origin = headerValue(request, 'origin');
  if (!origin || origin === 'null') {
    const referer = headerValue(request, 'referer');
    if (!referer) return false;
    try {
      origin = new URL(referer).origin;
    } catch {
      return false;
    }
  }
  if (trusted.includes(origin)) return true;
  const host = headerValue(request, 'host');
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

export function checkCsrf(
  request: FastifyRequest,
  secret: string,
  sessionId: string,
  trusted: string[],
): boolean {
  if (isSafeMethod(request.method)) return true;
  const presented = headerValue(request, CSRF_HEADER);
  if (!presented || !isSameOrigin(request, trusted)) return false;
  const expected = Buffer.from(csrfToken(secret, sessionId));
  const got = Buffer.from(presented);
  return expected.length === got.length && crypto.timingSafeEqual(expected, got);
}
