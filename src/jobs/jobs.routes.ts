/**
 * Admin job status, under /api/admin (admin session + CSRF, or an admin API key):
 *   GET /jobs/:id → { id, kind, status, progress: { done, total }, startedAt, finishedAt, result?, error? }
 * for any long-running admin job with a progress record (role sync runs, reconciliation runs); 404 `job_not_found`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { documented } from '../route-doc.js';
import { getJobStatus, jobStatusView } from './job-status.js';

const idParam = z.object({ id: z.string().min(1).max(100) });

export const adminJobRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/jobs/:id',
    documented(
      { summary: "A long-running admin job's status and progress", params: idParam, response: jobStatusView },
      async (request) => getJobStatus(deps.db, idParam.parse(request.params).id),
    ),
  );
};
