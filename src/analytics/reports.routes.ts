/**
 * Admin reports under /api/admin (admin session with CSRF, or an admin API key — `requireAdmin` on every route):
 * `GET /reports/<name>` with the shared query parameters (report-params.ts), answered as JSON or, with
 * `format=csv`, as CSV of the same figures. Thin: parse, check, run one report, render.
 * Errors: unknown report → 404 `unknown_report`; bad parameter → 400 with a code naming it (`invalid_from`, …,
 * `details.parameter`); a convention the report cannot honour yet → 400 `unsupported_convention`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { requireAdmin } from '../http/guards.js';
import { toCsv } from './csv.js';
import { parseReportParams } from './report-params.js';
import { checkConventions, checkPlan, type Report } from './report.js';
import { churnReport } from './reports/churn-report.js';
import { mrrReport } from './reports/mrr-report.js';
import { summaryReport } from './reports/summary-report.js';

export const REPORTS: ReadonlyMap<string, Report> = new Map(
  [summaryReport, mrrReport, churnReport].map((r) => [r.name, r]),
);

export const adminReportRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('preHandler', requireAdmin);

  app.get('/reports/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const report = REPORTS.get(name);
    if (!report) {
      throw new AppError('unknown_report', `no report is named "${name}"`, 404, {
        known: [...REPORTS.keys()],
      });
    }
    const parsed = parseReportParams(request.query as Record<string, unknown>, deps.clock.now());
    if (!parsed.ok) {
      const { code, message, parameter } = parsed.error;
      throw new AppError(code, message, 400, { parameter });
    }
    const p = parsed.value;
    checkConventions(report, p.conventions);
    await checkPlan(deps.db, p.plan);
    const answer = await report.run(deps.db, p);
    if (p.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(toCsv(answer.rows));
    }
    return answer.body;
  });
};
