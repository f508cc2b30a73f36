/**
 * Route guards (Fastify preHandlers). They set `request.actor`:
 * - `requireUser`: a signed-in session (401 otherwise). State-changing methods also need the CSRF token and a
 *   same-origin request (403 `csrf_invalid`).
 * - `requireAdmin`: `Authorization: Bearer <admin API key>` (ADMIN_API_KEYS or a stored, unrevoked key), or an
 *   admin session with the same CSRF rule. 401 anonymous, 403 signed-in non-admins.
 * The role is read from the database on every request (sessions carry no role), so a role revoked by a webhook
 * takes effect on the user's next request.
 *
 * Domain route plugins never use them: app.ts registers them inside an encapsulated context whose preHandler hook
 * is the guard (`/api/admin`: requireAdmin; the signed-in user's API: requireUser), and hands them a
 * `RouteContext` (request-actor.ts) that reads `request.actor`. The edge's own routes (live streams) also take a
 * guard as a route `preHandler`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { authenticateApiKey } from '../accounts/api-keys.js';
import { isRole, type Role } from '../accounts/roles/role.js';
import { AppError, forbidden, unauthorized } from '../errors.js';
import { checkCsrf } from './csrf.js';

export type Actor =
  | { kind: 'user'; userId: string; role: Role; email: string; sessionId: string }
  | { kind: 'api_key'; keyId: string };

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export const csrfInvalid = () =>
  new AppError('csrf_invalid', 'Missing or invalid CSRF token, or a cross-origin request', 403);

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  signupProvider: string;
  emailVerified: boolean;
}

/** The signed-in user of this request, read fresh from the database, or null. */
export async function sessionOf(request: FastifyRequest): Promise<SessionUser | null> {
  if (!request.headers.cookie) return null;
  const { auth } = request.server.httpContext;
  const s = await auth.api.getSession({
    headers: fromNodeHeaders(request.headers),
    query: { disableCookieCache: true },
  });
  if (!s) return null;
  const u = s.user as typeof s.user & { role?: unknown; signupProvider?: unknown };
  return {
    sessionId: s.session.id,
    userId: u.id,
    email: u.email,
    name: u.name,
    role: isRole(u.role) ? u.role : 'member',
    signupProvider: typeof u.signupProvider === 'string' ? u.signupProvider : 'email',
    emailVerified: u.emailVerified,
  };
}

function bearer(request: FastifyRequest): string | undefined | null {
  const h = request.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

export async function requireUser(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const user = await sessionOf(request);
  if (!user) throw unauthorized();
  const ctx = request.server.httpContext;
  if (!checkCsrf(request, ctx.secret, user.sessionId, ctx.trustedOrigins)) throw csrfInvalid();
  request.actor = {
    kind: 'user',
    userId: user.userId,
    role: user.role,
    email: user.email,
    sessionId: user.sessionId,
  };
}

export async function requireAdmin(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const ctx = request.server.httpContext;
  const key = bearer(request);
  if (key !== undefined) {
    if (key === null) throw unauthorized('Malformed Authorization header', 'invalid_api_key');
    const found = await authenticateApiKey(ctx.deps.db, ctx.deps.config.adminApiKeys, key);
    if (!found) throw unauthorized('Invalid or revoked API key', 'invalid_api_key');
    request.actor = { kind: 'api_key', keyId: found.keyId };
    return;
  }
  const user = await sessionOf(request);
  if (!user) throw unauthorized();
  if (user.role !== 'admin') throw forbidden('Administrators only', 'admin_required');
  if (!checkCsrf(request, ctx.secret, user.sessionId, ctx.trustedOrigins)) throw csrfInvalid();
  request.actor = {
    kind: 'user',
    userId: user.userId,
    role: user.role,
    email: user.email,
    sessionId: user.sessionId,
  };
}

/** Audit fields for the current actor: `{ actorType, actorId }` for appendAudit. */
export function auditActor(request: FastifyRequest): { actorType: 'user' | 'api_key'; actorId: string } {
  const a = request.actor;
  if (!a) throw unauthorized();
  return a.kind === 'user'
    ? { actorType: 'user', actorId: a.userId }
    : { actorType: 'api_key', actorId: a.keyId };
}
