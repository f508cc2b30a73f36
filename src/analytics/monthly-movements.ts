/**
 * Per currency and calendar month (UTC, or of the report's `tz`): MRR at the month's start and end, the month's movements by kind, customers
 * paying at its start and customers who churned in it — the figures behind the `mrr`, `churn` and `ltv` reports, in
 * ONE query over the maintained customer-days (rolled-up-days.ts): the rows are aggregated per month in one hashed
 * pass, and each month's levels are sums over those monthly aggregates, so the cost grows with the rows, not
 * rows × months.
 *
 * - starting MRR = Σ deltas of days before the month; ending MRR = Σ deltas of days before the next month — both
 *   computed straight from the movements, so start + net new = end is a check, not a definition.
 * - new, expansion, reactivation: Σ of the month's positive deltas of that kind; contraction, churn: Σ of the
 *   month's negative deltas of that kind, as positive amounts.
 * - customers at start (end): customers whose MRR in the currency was above 0 at the month's first instant (at the
 *   next month's first instant).
 * - churned customers: distinct customers with a churn day in the month.
 * - sameWindow=exclude drops, for one month, every movement of a customer whose MRR was 0 both at the month's start
 *   and at its end (started and churned inside it); they net to 0, so the ending MRR is unchanged.
 * A currency appears when it has movements (or when it was asked for); every month of the range has a row.
 * In another zone than UTC the rows are the customer-days of that zone (rolled-up-days.ts: customerDaysSource), whose
 * `month` is the local month's first instant — the `start` periods.ts gives the same month.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { CustomerFilter } from './customer-filter.js';
import type { Month } from './periods.js';
import type { Conventions } from './report-params.js';
import { customerDaysSource } from './rolled-up-days.js';

export interface MonthMovements {
  currency: string;
  month: string;
  startMrr: number;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
  endMrr: number;
  customersAtStart: number;
  customersAtEnd: number;
  churnedCustomers: number;
}

export interface MonthlyFilter extends CustomerFilter {
  tz: string;
  months: Month[];
  currency: string | null;
  plan: string | null;
  conventions: Pick<Conventions, 'sameWindow'>;
}

export async function monthlyMovements(db: Executor, f: MonthlyFilter): Promise<MonthMovements[]> {
  const last = f.months.at(-1);
  if (!last) return [];
  const starts = f.months.map((m) => m.start.toISOString());
  const ends = f.months.map((m) => m.end.toISOString());
  const labels = f.months.map((m) => m.month);
  const excludeSameWindow = f.conventions.sameWindow === 'exclude';
  const currencies =
    f.currency === null
      ? sql`SELECT DISTINCT currency FROM flows`
      : sql`SELECT ${f.currency}::text AS currency`;
  const { with: localDays, table, scope } = customerDaysSource(f);
  const excluded = sql`(r.same_window AND ${excludeSameWindow})`;
  const result = await db.execute<Record<string, string | number>>(sql`
    WITH ${localDays} months AS (
      SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[], ${sql.param(labels)}::text[]) AS mo(start, "end", label)
    ),
    -- One pass over the rows, per currency and month. \`paying\`: customers who start paying minus those who stop
    -- (a customer's first row starts from 0, so the sum over the months before an instant counts who pays then).
    flows AS (
      SELECT r.currency, r.month, sum(r.delta_minor) AS net,
        sum(r.delta_minor) FILTER (WHERE NOT ${excluded} AND r.kind = 'new') AS new,
        sum(r.delta_minor) FILTER (WHERE NOT ${excluded} AND r.kind = 'expansion') AS expansion,
        -sum(r.delta_minor) FILTER (WHERE NOT ${excluded} AND r.kind = 'contraction') AS contraction,
        -sum(r.delta_minor) FILTER (WHERE NOT ${excluded} AND r.kind = 'churn') AS churn,
        sum(r.delta_minor) FILTER (WHERE NOT ${excluded} AND r.kind = 'reactivation') AS reactivation,
        sum((r.mrr_after_minor > 0)::int - (r.mrr_before_minor > 0)::int) AS paying
      FROM ${table} r
      WHERE ${scope} AND r.day < ${last.end}
      GROUP BY r.currency, r.month
    ),
    churned AS (
      SELECT currency, month, count(*) AS customers FROM (
        SELECT DISTINCT r.currency, r.month, r.customer_id FROM ${table} r
        WHERE ${scope} AND r.day < ${last.end} AND r.kind = 'churn' AND NOT ${excluded}
      ) c GROUP BY currency, month
    ),
    currencies AS (${currencies})
    SELECT cur.currency, mo.label AS month,
      (SELECT coalesce(sum(net), 0) FROM flows p WHERE p.currency = cur.currency AND p.month < mo.start)::bigint
        AS start_mrr,
      coalesce(f.new, 0)::bigint AS new,
      coalesce(f.expansion, 0)::bigint AS expansion,
      coalesce(f.contraction, 0)::bigint AS contraction,
      coalesce(f.churn, 0)::bigint AS churn,
      coalesce(f.reactivation, 0)::bigint AS reactivation,
      (SELECT coalesce(sum(net), 0) FROM flows p WHERE p.currency = cur.currency AND p.month < mo."end")::bigint
        AS end_mrr,
      coalesce(ch.customers, 0)::int AS churned_customers,
      (SELECT coalesce(sum(paying), 0) FROM flows p WHERE p.currency = cur.currency AND p.month < mo.start)::int
        AS customers_at_start,
      (SELECT coalesce(sum(paying), 0) FROM flows p WHERE p.currency = cur.currency AND p.month < mo."end")::int
        AS customers_at_end
    FROM currencies cur CROSS JOIN months mo
    LEFT JOIN flows f ON f.currency = cur.currency AND f.month = mo.start
    LEFT JOIN churned ch ON ch.currency = cur.currency AND ch.month = mo.start
    ORDER BY cur.currency, mo.start`);
  return result.rows.map((r) => ({
    currency: String(r.currency),
    month: String(r.month),
    startMrr: Number(r.start_mrr),
    new: Number(r.new),
    expansion: Number(r.expansion),
    contraction: Number(r.contraction),
    churn: Number(r.churn),
    reactivation: Number(r.reactivation),
    endMrr: Number(r.end_mrr),
    customersAtStart: Number(r.customers_at_start),
    customersAtEnd: Number(r.customers_at_end),
    churnedCustomers: Number(r.churned_customers),
  }));
}
