/**
 * The drill-down's own parameters, on top of the shared ones (report-params.ts): `metric` (one of the report's
 * figures that has rows), `month` (`YYYY-MM` or a date in it, a month of the report's `tz`; monthly reports only), `page` (from 1) and `limit`
 * (1-1000, default 100). `currency` is required: a figure belongs to one currency's series, and rows of two
 * currencies must not be summed. Pure; a "no" names the parameter, as the shared parser's do.
 */
import { err, ok, type Result } from '../../errors.js';
import { monthBounds, parseMonth, type Month } from '../periods.js';
import type { ParamError, ReportParams } from '../report-params.js';

export const DRILL_PARAMS = ['metric', 'month', 'page', 'limit'] as const;

export interface DrillParams {
  metric: string;
  month: Month | null;
  currency: string;
  page: number;
  limit: number;
}

const bad = (parameter: string, message: string) =>
  err<ParamError>({ code: `invalid_${parameter}`, message, parameter });

function positiveInt(text: string | undefined, fallback: number, max: number): number | null {
  if (text === undefined) return fallback;
  if (!/^\d{1,7}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= max ? n : null;
}

export function parseDrillParams(
  p: ReportParams,
  metrics: readonly string[],
  monthly: boolean,
): Result<DrillParams, ParamError> {
  const { metric, month: monthText, page: pageText, limit: limitText } = p.extra;
  if (metric === undefined || !metrics.includes(metric)) {
    return bad('metric', `metric must be one of ${metrics.join(', ')}`);
  }
  let month: Month | null = null;
  if (monthly) {
    if (monthText === undefined) return bad('month', 'month is required (YYYY-MM)');
    const parsed = parseMonth(monthText);
    if (!parsed.ok) return bad('month', `month: ${parsed.error}`);
    month = monthBounds(parsed.value, p.tz);
  } else if (monthText !== undefined) {
    return bad('month', 'this report is at an instant: use `at`, not `month`');
  }
  if (p.currency === null) return bad('currency', 'currency is required: a figure belongs to one currency');
  const page = positiveInt(pageText, 1, 1_000_000);
  if (page === null) return bad('page', 'page must be a whole number from 1');
  const limit = positiveInt(limitText, 100, 1000);
  if (limit === null) return bad('limit', 'limit must be a whole number from 1 to 1000');
  return ok({ metric, month, currency: p.currency, page, limit });
}
