/**
 * Admin dunning API under /api/admin (admin session + CSRF, or an admin API key):
 *   GET /dunning?status=open|recovered|lost&page=&pageSize=  → cases, newest first (list-params conventions)
 *   GET /dunning/stats?from=&to=                             → opened, recovered, lost, rate, amounts, median, by step
 *   GET /dunning/:id                                         → one case with its timeline; 404 dunning_case_not_found
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { documented } from '../route-doc.js';
import {
  dunningCasePage,
  dunningListParams,
  getDunningCase,
  listDunningCases,
} from './list-dunning-cases.js';
import { dunningStats, dunningStatsParams, dunningStatsView } from './dunning-stats.js';

const idParam = z.object({ id: z.string().min(1).max(100) });

export const adminDunningRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/dunning',
    documented(
      { summary: 'Dunning cases, newest first', query: dunningListParams, response: dunningCasePage },
      async (request) => listDunningCases(deps.db, dunningListParams.parse(request.query)),
    ),
  );
  app.get(
    '/dunning/stats',
    documented(
      {
        summary: 'Dunning statistics of the cases opened in [from, to)',
        query: dunningStatsParams,
        response: dunningStatsView,
      },
      async (request) => dunningStats(deps.db, dunningStatsParams.parse(request.query)),
    ),
  );
  app.get('/dunning/:id', async (request) => getDunningCase(deps.db, idParam.parse(request.params).id));
};
