/**
 * Admin reports under /api/admin (the admin guard of the /api/admin
 * context in src/http/app.ts: an admin session with CSRF, or an admin API key):
 * `GET /reports/<name>` with the shared query parameters (report-params.ts), answered as JSON or, with
 * `format=csv`, as CSV of the same figures; `GET /reports/<name>/rows?metric=&month=&currency=` lists the rows behind
 * one figure (paged; `sum` of their amounts — or their count — equals the figure). Thin: parse, check, run, render.
 * Errors: unknown report → 404 `unknown_report`; bad parameter → 400 with a code naming it (`invalid_from`, …,
 * `details.parameter`; an unknown `tz` → `invalid_tz`); a convention the report cannot honour yet → 400
 * `unsupported_convention`.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { documented } from '../route-doc.js';
import { toCsv } from './csv.js';
import { filtersCustomers } from './customer-filter.js';
import { DRILL_PARAMS, parseDrillParams } from './drill-down/drill-params.js';
import {
  anyReportAnswer,
  churnAnswer,
  drillAnswer,
  drillQuery,
  mrrAnswer,
  reportQuery,
  summaryAnswer,
} from './report-schemas.js';
import { checkedParams, paramError, reportNamed } from './report-request.js';
import { UTC } from './periods.js';
import { csvRows, inReportSnapshot } from './report.js';

export { REPORTS } from './report-request.js';

export const adminReportRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  /** One report's answer: JSON (checked against `schema` when the report has one), or CSV with `format=csv`. */
  async function answer<S extends z.ZodType>(
    name: string,
    request: FastifyRequest,
    reply: FastifyReply,
    schema: S,
  ): Promise<z.output<S> | FastifyReply> {
    const report = reportNamed(name);
    const p = await checkedParams(
      deps.db,
      report,
      request.query as Record<string, unknown>,
      deps.clock.now(),
    );
    const answer = await inReportSnapshot(deps.db, (tx) => report.run(tx, p));
    if (p.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(toCsv(csvRows(answer.rows, p)));
    }
    return schema.parse(answer.body);
  }

  async function rows(name: string, request: FastifyRequest, reply: FastifyReply) {
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
    const drillRows = report.drill.rows;
    const answer = await inReportSnapshot(deps.db, (tx) => drillRows(tx, p, d));
    if (p.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}-${d.metric}.csv"`)
        .send(
          toCsv(
            csvRows(
              answer.rows.map((r) => ({ currency: d.currency, metric: d.metric, ...r })),
              p,
            ),
            [
              ...(p.tz !== UTC ? ['tz'] : []),
              ...(filtersCustomers(p) ? ['provider', 'country'] : []),
              ...['currency', 'metric', 'customer', 'day', 'kind', 'mrrBefore', 'mrrAfter', 'amount'],
            ],
          ),
        );
    }
    return {
      report: name,
      metric: d.metric,
      month: d.month?.month ?? null,
      tz: p.tz,
      currency: d.currency,
      plan: p.plan,
      provider: p.provider,
      country: p.country,
      conventions: p.conventions,
      total: answer.total,
      sum: answer.sum,
      page: d.page,
      limit: d.limit,
      rows: answer.rows,
    };
  }

  // The reports the console reads, each with its documented answer (static paths win over `:name`).
  const typed = [
    ['summary', 'The business at one instant, per currency', summaryAnswer],
    ['mrr', 'MRR movements per currency and month', mrrAnswer],
    ['churn', 'Churn and retention rates per currency and month', churnAnswer],
  ] as const;
  for (const [name, summary, response] of typed) {
    app.get(
      `/reports/${name}`,
      documented({ summary, query: reportQuery, response }, (req, reply) =>
        answer(name, req, reply, response),
      ),
    );
  }
  for (const name of ['mrr', 'churn'] as const) {
    app.get(
      `/reports/${name}/rows`,
      documented(
        {
          summary: `The rows behind one figure of the ${name} report`,
          query: drillQuery,
          response: drillAnswer,
        },
        (req, reply) => rows(name, req, reply),
      ),
    );
  }
  app.get(
    '/reports/:name',
    documented(
      { summary: 'Any report by name (docs/METRICS.md)', query: reportQuery, response: anyReportAnswer },
      (req, reply) => answer((req.params as { name: string }).name, req, reply, anyReportAnswer),
    ),
  );
  app.get('/reports/:name/rows', (req, reply) => rows((req.params as { name: string }).name, req, reply));
};
