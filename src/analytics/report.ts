/**
 * What a report is to the routes: a name, the conventions it honours, and a function from parsed parameters to an
 * answer — a JSON body and the same figures as flat rows for `format=csv`. Conventions a report cannot honour yet
 * are refused with a 400 naming the parameter rather than echoed while ignored.
 */
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../db/client.js';
import { AppError } from '../errors.js';
import { filtersCustomers } from './customer-filter.js';
import type { DrillParams } from './drill-down/drill-params.js';
import type { DrillAnswer } from './drill-down/movement-rows.js';
import { UTC } from './periods.js';
import { DEFAULT_CONVENTIONS, type Conventions, type ReportParams } from './report-params.js';

export type CsvValue = string | number | boolean | null;

export interface ReportAnswer {
  body: Record<string, unknown>;
  rows: Record<string, CsvValue>[];
}

export interface Report {
  name: string;
  /** For each convention, the values this report honours (the default always). */
  honours: { [K in keyof Conventions]: readonly Conventions[K][] };
  run(db: Executor, p: ReportParams): Promise<ReportAnswer>;
  /** The drill-down (`/reports/<name>/rows`), when the report has one: which figures have rows, and the rows. */
  drill?: {
    metrics: readonly string[];
    monthly: boolean;
    rows(db: Executor, p: ReportParams, d: DrillParams): Promise<DrillAnswer>;
  };
}

/** 400 `unsupported_convention` when a requested convention value is not one the report honours. */
export function checkConventions(report: Report, conventions: Conventions): void {
  for (const name of Object.keys(DEFAULT_CONVENTIONS) as (keyof Conventions)[]) {
    const value = conventions[name];
    if (!(report.honours[name] as readonly string[]).includes(value)) {
      throw new AppError(
        'unsupported_convention',
        `the ${report.name} report does not support ${name}=${value} yet`,
        400,
        { parameter: name },
      );
    }
  }
}

/** The head every answer carries: which report, over what months of which zone, under which conventions. */
export function answerHead(name: string, p: ReportParams): Record<string, unknown> {
  return {
    report: name,
    from: p.months[0]?.month ?? null,
    to: p.months.at(-1)?.month ?? null,
    tz: p.tz,
    currency: p.currency,
    plan: p.plan,
    provider: p.provider,
    country: p.country,
    conventions: p.conventions,
  };
}

/**
 * The CSV rows of an answer: the report's rows, each led by the `tz` its months are in when it is not UTC, and by the
 * `provider` and `country` it was filtered by when a customer filter was given (a file read later still says whose
 * figures, and whose months, it holds); unchanged without either.
 */
export function csvRows(
  rows: readonly Record<string, CsvValue>[],
  p: Pick<ReportParams, 'provider' | 'country' | 'tz'>,
): Record<string, CsvValue>[] {
  const zoned = p.tz !== UTC;
  if (!filtersCustomers(p) && !zoned) return [...rows];
  return rows.map((r) => ({
    ...(zoned ? { tz: p.tz } : {}),
    ...(filtersCustomers(p) ? { provider: p.provider, country: p.country } : {}),
    ...r,
  }));
}

/**
 * 400 `invalid_tz` when PostgreSQL does not know the zone the runtime accepted (their zone data can differ by
 * version): the reports' SQL reads months in it, and would otherwise fail as a 500.
 */
export async function checkZone(db: Executor, tz: string): Promise<void> {
  if (tz === UTC) return;
  try {
    await db.execute(sql`SELECT now() AT TIME ZONE ${tz}::text`);
  } catch {
    throw new AppError('invalid_tz', `tz: "${tz}" is not a time zone the database knows`, 400, {
      parameter: 'tz',
    });
  }
}

/** 400 `invalid_plan` when `plan` names no plan (a typo would otherwise answer a plausible row of zeros). */
export async function checkPlan(db: Executor, plan: string | null): Promise<void> {
  if (plan === null) return;
  const found = await db.execute(sql`SELECT 1 FROM plans WHERE key = ${plan}`);
  if (found.rows.length === 0) {
    throw new AppError('invalid_plan', `plan: no plan has the key "${plan}"`, 400, { parameter: 'plan' });
  }
}

/** Memory for one report's sorts and hashes: its aggregates over 100k customers' rows fit without spilling to disk. */
export const REPORT_WORK_MEM = '64MB';

/**
 * Runs a report's queries in one read-only REPEATABLE READ transaction — every query of an answer (a figure and its
 * drill-down's total and page, signups' two blocks) sees one snapshot — with REPORT_WORK_MEM for its aggregates.
 */
export function inReportSnapshot<T>(db: Db, fn: (tx: Executor) => Promise<T>): Promise<T> {
  return db.transaction(
    async (tx) => {
      await tx.execute(sql.raw(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`));
      // Compiling a plan costs 100-300 ms, more than these sub-second aggregates gain from it (cold and warm alike).
      await tx.execute(sql`SET LOCAL jit = off`);
      // A report's best plan depends on its range, instant and filters: never the generic plan PostgreSQL switches
      // a prepared statement to after five calls (src/db/client.ts), planned without them.
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_custom_plan`);
      return fn(tx);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
