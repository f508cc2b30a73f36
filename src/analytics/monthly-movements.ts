/**
 * Per currency and calendar month (UTC): MRR at the month's start and end, the month's movements by kind, customers
 * paying at its start and customers who churned in it — the figures behind the `mrr`, `churn` and `ltv` reports, in
 * ONE query over the maintained customer-days (rolled-up-days.ts): the rows are aggregated per month once, and each
 * month's levels are sums over those monthly aggregates, so the cost grows with the rows, not rows × months.
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
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { Month } from './periods.js';
import type { Conventions } from './report-params.js';
import { rolledUpDays } from './rolled-up-days.js';

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

export interface MonthlyFilter {
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
      ? sql`SELECT DISTINCT currency FROM days`
      : sql`SELECT ${f.currency}::text AS currency`;
  const result = await db.execute<Record<string, string | number>>(sql`
    WITH days AS MATERIALIZED (
      ${rolledUpDays({ currency: f.currency, plan: f.plan, until: last.end }, excludeSameWindow)}
    ),
    months AS (
      SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[], ${sql.param(labels)}::text[]) AS mo(start, "end", label)
    ),
    currencies AS (${currencies}),
    flows AS (
      SELECT currency, month, sum(delta) AS net,
        sum(delta) FILTER (WHERE NOT excluded AND kind = 'new') AS new,
        sum(delta) FILTER (WHERE NOT excluded AND kind = 'expansion') AS expansion,
        -sum(delta) FILTER (WHERE NOT excluded AND kind = 'contraction') AS contraction,
        -sum(delta) FILTER (WHERE NOT excluded AND kind = 'churn') AS churn,
        sum(delta) FILTER (WHERE NOT excluded AND kind = 'reactivation') AS reactivation,
        count(DISTINCT customer_id) FILTER (WHERE NOT excluded AND kind = 'churn') AS churned
      FROM days GROUP BY currency, month
    ),
    -- A row with MRR above 0 makes its customer paying at every month start after its day and up to its next day:
    -- +1 from its month on, -1 from its next day's month on; paying at an instant = the steps keyed before it.
    steps AS (
      SELECT currency, key, sum(w) AS w FROM (
        SELECT currency, month AS key, 1 AS w FROM days WHERE after > 0
        UNION ALL
        SELECT currency, date_trunc('month', next_day, 'UTC'), -1 FROM days WHERE after > 0 AND next_day IS NOT NULL
      ) s GROUP BY currency, key
    )
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
      coalesce(f.churned, 0)::int AS churned_customers,
      (SELECT coalesce(sum(w), 0) FROM steps s WHERE s.currency = cur.currency AND s.key < mo.start)::int
        AS customers_at_start,
      (SELECT coalesce(sum(w), 0) FROM steps s WHERE s.currency = cur.currency AND s.key < mo."end")::int
        AS customers_at_end
    FROM currencies cur CROSS JOIN months mo
    LEFT JOIN flows f ON f.currency = cur.currency AND f.month = mo.start
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
