/**
 * The registry of reports and the one way to turn a request for one into a checked report and its parameters, shared
 * by the HTTP routes and the `sertantai report` command so both answer the same figures and refuse the same input:
 * unknown report → 404 `unknown_report`; bad parameter → 400 with a code naming it (`details.parameter`); a convention
 * the report cannot honour yet → 400 `unsupported_convention`; a plan key no plan has → 400 `invalid_plan`; a zone
 * PostgreSQL does not know → 400 `invalid_tz`.
 */
import type { Executor } from '../db/client.js';
import { AppError } from '../errors.js';
import { parseReportParams, type ParamError, type ReportParams } from './report-params.js';
import { checkConventions, checkPlan, checkZone, type Report } from './report.js';
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

export function reportNamed(name: string): Report {
  const report = REPORTS.get(name);
  if (!report) {
    throw new AppError('unknown_report', `no report is named "${name}"`, 404, { known: [...REPORTS.keys()] });
  }
  return report;
}

export const paramError = (e: ParamError) => new AppError(e.code, e.message, 400, { parameter: e.parameter });

/**
 * The shared parameters parsed and checked against the report (conventions it honours, an existing plan, a zone the
 * database knows too).
 */
export async function checkedParams(
  db: Executor,
  report: Report,
  query: Record<string, unknown>,
  now: Date,
  extra: readonly string[] = [],
): Promise<ReportParams> {
  const parsed = parseReportParams(query, now, extra);
  if (!parsed.ok) throw paramError(parsed.error);
  checkConventions(report, parsed.value.conventions);
  await checkPlan(db, parsed.value.plan);
  await checkZone(db, parsed.value.tz);
  return parsed.value;
}
