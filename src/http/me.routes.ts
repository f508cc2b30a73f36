/**
 * `GET /api/me`: the signed-in user `{ id, email, name, role, signupProvider, emailVerified }` plus fields other
 * domains contribute; `GET /api/csrf`: the CSRF token for this session (send it as `x-csrf-token`).
 *
 * Extension point: a domain plugin adds a field to /api/me with
 *   `app.httpContext.meFields.push({ name: 'billing', load: (deps, user) => billingSummary(deps.db, user.userId) })`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { unauthorized } from '../errors.js';
import { csrfToken } from './csrf.js';
import { sessionOf, type SessionUser } from './guards.js';

export interface MeField {
  name: string;
  load(deps: Deps, user: SessionUser): Promise<unknown>;
}

export const meRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/me', async (request, reply) => {
    const user = await sessionOf(request);
    if (!user) throw unauthorized();
    reply.header('cache-control', 'no-store');
    const me: Record<string, unknown> = {
      id: user.userId,
      email: user.email,
      name: user.name,
      role: user.role,
      signupProvider: user.signupProvider,
      emailVerified: user.emailVerified,
    };
    for (const f of app.httpContext.meFields) me[f.name] = await f.load(deps, user);
    return me;
  });

  app.get('/api/csrf', async (request, reply) => {
    const user = await sessionOf(request);
    if (!user) throw unauthorized();
    reply.header('cache-control', 'no-store');
    return { token: csrfToken(app.httpContext.secret, user.sessionId) };
  });
};
