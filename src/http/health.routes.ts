/** Liveness (`/healthz`: the process answers), readiness (`/readyz`: the database answers), Prometheus `/metrics`. */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { errorBody } from './error-handler.js';

export const healthRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await deps.database.pool.query('SELECT 1');
      return { status: 'ok' };
    } catch (e) {
      request.log.warn({ err: e }, 'readiness check failed');
      return reply.status(503).send(errorBody(request, 'unavailable', 'The database is not reachable'));
    }
  });

  app.get('/metrics', async (_request, reply) => {
    const { registry } = app.httpContext.metrics;
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
};
