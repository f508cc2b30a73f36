/**
 * /api/me/sessions: the account page's sessions (list; sign one out). Our own routes over the `sessions` table
 * instead of better-auth's list/revoke endpoints, which refuse sessions older than a day and work by token.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import type { RouteContext } from '../../route-context.js';
import { documented } from '../../route-doc.js';
import { listMySessions, mySessions } from './list-my-sessions.js';
import { revokeMySession } from './revoke-my-session.js';

const sessionParams = z.object({ id: z.string().min(1).max(100) }).strict();
const revoked = z.object({ revoked: z.literal(true), id: z.string() });

export const mySessionRoutes: FastifyPluginAsync<{ deps: Deps; context: RouteContext }> = async (
  app,
  { deps, context },
) => {
  app.get('/api/me/sessions', {
    ...documented(
      { summary: 'My signed-in sessions, newest first (no tokens)', response: mySessions },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return listMySessions(deps.db, deps.clock, context.userOf(request));
      },
    ),
  });

  app.post('/api/me/sessions/:id/revoke', {
    ...documented(
      {
        summary: 'Sign one of my sessions out (another user’s is a 404)',
        params: sessionParams,
        response: revoked,
      },
      async (request) =>
        revokeMySession(deps.db, context.userOf(request), sessionParams.parse(request.params).id),
    ),
  });
};
