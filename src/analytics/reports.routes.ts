/**
 * Admin reports under /api/admin (admin session with CSRF, or an admin API key — `requireAdmin` on every route):
 * `GET /reports/<name>` with the shared query parameters (report-params.ts), answered as JSON or, with
 * `format=csv`, as CSV of the same figures; `GET /reports/<name>/rows?metric=&month=&currency=` lists the rows behind
 * one figure (paged; `sum` of their amounts — or their count — equals the figure). Thin: parse, check, run, render.
 * Errors: unknown report → 404 `unknown_report`; bad parameter → 400 with a code naming it (`invalid_from`, …,
 * `details.parameter`); a convention the report cannot honour yet → 400 `unsupported_convention`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { requireAdmin } from '../http/guards.js';
import { toCsv } from './csv.js';
import { DRILL_PARAMS, parseDrillParams } from './drill-down/drill-params.js';
import { checkedParams, paramError, reportNamed } from './report-request.js';

export { REPORTS } from './report-request.js';

export const adminReportRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('preHandler', requireAdmin);

  app.get('/reports/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const report = reportNamed(name);
    const p = await checkedParams(
      deps.db,
      report,
      request.query as Record<string, unknown>,
      deps.clock.now(),
    );
    const answer = await report.run(deps.db, p);
    if (p.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(toCsv(answer.rows));
    }
    return answer.body;
  });

  app.get('/reports/:name/rows', async (request, reply) => {
    const { name } = request.params as { name: string };
    const report = reportNamed(name);
    if (!report.drill)
      throw new AppError('no_drill_down', `the ${name} report has no rows to drill into`, 404);
    const p = await checkedParams(
      deps.db,
      report,
      request.query as Record<string, unknown>,
      deps.clock.now(),
      DRILL_PARAMS,
    );
    const drill = parseDrillParams(p, report.drill.metrics, report.drill.monthly);
    if (!drill.ok) throw paramError(drill.error);
    const d = drill.value;
    const answer = await report.drill.rows(deps.db, p, d);
    if (p.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}-${d.metric}.csv"`)
        .send(
          toCsv(
            answer.rows.map((r) => ({ currency: d.currency, metric: d.metric, ...r })),
            ['currency', 'metric', 'customer', 'day', 'kind', 'mrrBefore', 'mrrAfter', 'amount'],
          ),
        );
    }
    return {
      report: name,
      metric: d.metric,
      month: d.month?.month ?? null,
      currency: d.currency,
      plan: p.plan,
      conventions: p.conventions,
      total: answer.total,
      sum: answer.sum,
      page: d.page,
      limit: d.limit,
      rows: answer.rows,
    };
  });
};
