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
import { parseReportParams, type ParamError, type ReportParams } from './report-params.js';
import { checkConventions, checkPlan, type Report } from './report.js';
import { billingErrorsReport } from './reports/billing-errors-report.js';
import { cohortsReport } from './reports/cohorts-report.js';
import { churnReport } from './reports/churn-report.js';
import { ltvReport } from './reports/ltv-report.js';
import { mrrReport } from './reports/mrr-report.js';
import { paymentFailuresReport } from './reports/payment-failures-report.js';
import { recoveryReport } from './reports/recovery-report.js';
import { revenueReport } from './reports/revenue-report.js';
import { signupsReport } from './reports/signups-report.js';
import { summaryReport } from './reports/summary-report.js';

export const REPORTS: ReadonlyMap<string, Report> = new Map(
  [
    summaryReport,
    mrrReport,
    churnReport,
    ltvReport,
    revenueReport,
    paymentFailuresReport,
    recoveryReport,
    signupsReport,
    billingErrorsReport,
    cohortsReport,
  ].map((r) => [r.name, r]),
);

export const adminReportRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('preHandler', requireAdmin);

  app.get('/reports/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const report = reportNamed(name);
    const p = await checkedParams(report, request.query, deps, []);
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
    const p = await checkedParams(report, request.query, deps, DRILL_PARAMS);
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

function reportNamed(name: string): Report {
  const report = REPORTS.get(name);
  if (!report) {
    throw new AppError('unknown_report', `no report is named "${name}"`, 404, { known: [...REPORTS.keys()] });
  }
  return report;
}

const paramError = (e: ParamError) => new AppError(e.code, e.message, 400, { parameter: e.parameter });

/** The shared parameters parsed and checked against the report (conventions it honours, an existing plan). */
async function checkedParams(
  report: Report,
  query: unknown,
  deps: Deps,
  extra: readonly string[],
): Promise<ReportParams> {
  const parsed = parseReportParams(query as Record<string, unknown>, deps.clock.now(), extra);
  if (!parsed.ok) throw paramError(parsed.error);
  checkConventions(report, parsed.value.conventions);
  await checkPlan(deps.db, parsed.value.plan);
  return parsed.value;
}
