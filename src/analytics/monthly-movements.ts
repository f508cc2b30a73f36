/**
 * Per currency and calendar month (UTC): MRR at the month's start and end, the month's movements by kind, customers
 * paying at its start and customers who churned in it — the figures behind the `mrr` and `churn` reports, in ONE
 * query over customer-days.ts.
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
import { windowedDays } from './customer-days.js';

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
    WITH days AS (${windowedDays({ currency: f.currency, plan: f.plan, until: last.end }, excludeSameWindow)}),
    months AS (
      SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[], ${sql.param(labels)}::text[]) AS mo(start, "end", label)
    ),
    currencies AS (${currencies}),
    at_start AS (
      SELECT cur.currency, mo.start, count(*) FILTER (WHERE c.mrr_start > 0)::int AS customers,
             count(*) FILTER (WHERE c.mrr_end > 0)::int AS customers_end
      FROM currencies cur CROSS JOIN months mo
      LEFT JOIN LATERAL (
        SELECT sum(d.delta) FILTER (WHERE d.day < mo.start) AS mrr_start, sum(d.delta) AS mrr_end
        FROM days d WHERE d.currency = cur.currency AND d.day < mo.end GROUP BY d.customer_id
      ) c ON true
      GROUP BY cur.currency, mo.start
    )
    SELECT cur.currency, mo.label AS month,
      coalesce(sum(d.delta) FILTER (WHERE d.day < mo.start), 0)::bigint AS start_mrr,
      coalesce(sum(d.delta) FILTER (WHERE d.day >= mo.start AND NOT d.excluded AND d.kind = 'new'), 0)::bigint AS new,
      coalesce(sum(d.delta) FILTER (WHERE d.day >= mo.start AND NOT d.excluded AND d.kind = 'expansion'), 0)::bigint
        AS expansion,
      coalesce(-sum(d.delta) FILTER (WHERE d.day >= mo.start AND NOT d.excluded AND d.kind = 'contraction'), 0)::bigint
        AS contraction,
      coalesce(-sum(d.delta) FILTER (WHERE d.day >= mo.start AND NOT d.excluded AND d.kind = 'churn'), 0)::bigint
        AS churn,
      coalesce(sum(d.delta) FILTER (WHERE d.day >= mo.start AND NOT d.excluded AND d.kind = 'reactivation'), 0)::bigint
        AS reactivation,
      coalesce(sum(d.delta), 0)::bigint AS end_mrr,
      (count(DISTINCT d.customer_id) FILTER (WHERE d.day >= mo.start AND NOT d.excluded AND d.kind = 'churn'))::int
        AS churned_customers,
      max(s.customers) AS customers_at_start,
      max(s.customers_end) AS customers_at_end
    FROM currencies cur CROSS JOIN months mo
    JOIN at_start s ON s.currency = cur.currency AND s.start = mo.start
    LEFT JOIN days d ON d.currency = cur.currency AND d.day < mo.end
    GROUP BY cur.currency, mo.start, mo.label
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
