/**
 * `GET /api/admin/reports/cohorts?from=&to=`: per currency, customers grouped by the month they started paying (their
 * first `new` day, from the maintained customer-days: rolled-up-days.ts) inside the range; for that month and every later month of the range, how many
 * of them still pay at the month's end (logo retention = paying ÷ cohort size) and their MRR then (revenue
 * retention = MRR ÷ the cohort's MRR at the end of its first month; above 1 when it expanded). docs/METRICS.md
 * §cohorts. With sameWindow=exclude a customer who started and churned inside their first month is in no cohort.
 * With `tz`, cohorts and months are that zone's months, from its customer-days (rolled-up-days.ts).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { customerDaysSource } from '../rolled-up-days.js';
import { monthLabelIn } from '../zone-sql.js';
import { ratio } from '../rates.js';
import type { ReportParams } from '../report-params.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';

export interface CohortMonth {
  month: string;
  payingCustomers: number;
  logoRetention: number | null;
  mrr: number;
  revenueRetention: number | null;
}

export interface Cohort {
  cohort: string;
  customers: number;
  startMrr: number;
  months: CohortMonth[];
}

async function cohorts(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const first = p.months[0];
  const last = p.months.at(-1);
  if (!first || !last) return { body: { ...answerHead('cohorts', p), series: [] }, rows: [] };
  const starts = p.months.map((m) => m.start.toISOString());
  const ends = p.months.map((m) => m.end.toISOString());
  const labels = p.months.map((m) => m.month);
  const cohortOf =
    p.conventions.sameWindow === 'exclude' ? sql`r.cohort_excluding_same_window` : sql`r.cohort`;
  const { with: localDays, table, scope } = customerDaysSource(p);
  const result = await db.execute<{
    currency: string;
    cohort: string;
    month: string;
    size: number;
    paying: number;
    mrr: string | number;
  }>(sql`
    WITH ${localDays} months AS (
      SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[],
                           ${sql.param(labels)}::text[]) AS mo(start, "end", label)
    ),
    member_rows AS (
      SELECT r.currency, ${cohortOf} AS cohort, r.month, r.customer_id, r.kind, r.delta_minor AS delta,
             (r.mrr_after_minor > 0)::int - (r.mrr_before_minor > 0)::int AS paying
      FROM ${table} r
      WHERE ${scope} AND r.day < ${last.end} AND ${cohortOf} >= ${first.start} AND ${cohortOf} < ${last.end}
    ),
    -- members counted once each, straight from the table so the planner sees the rows it groups. Every row of a
    -- customer carries its cohort, and a member has a 'new' row in its cohort month, so its 'new' rows name it
    -- (usually one; several only after its MRR went below 0). Not narrowed to the cohort month: the planner,
    -- taking month and cohort for independent columns, guessed 170× too few rows and sorted 84k of them at 100k
    -- customers to group what it now hashes.
    sizes AS (
      SELECT currency, cohort, count(*)::int AS size FROM (
        SELECT r.currency, ${cohortOf} AS cohort, r.customer_id FROM ${table} r
        WHERE ${scope} AND r.day < ${last.end} AND ${cohortOf} >= ${first.start}
          AND ${cohortOf} < ${last.end} AND r.kind = 'new'
        GROUP BY 1, 2, 3
      ) m GROUP BY currency, cohort
    ),
    -- A member's MRR at a month's end = the sum of its deltas up to that month (its first row starts from 0), and
    -- whether it pays = the sum of its starts minus stops; rows before the cohort's month are folded into it.
    steps AS (
      SELECT currency, cohort, greatest(month, cohort) AS key, sum(delta) AS mrr, sum(paying) AS paying
      FROM member_rows GROUP BY currency, cohort, greatest(month, cohort)
    )
    SELECT z.currency, ${monthLabelIn(sql`z.cohort`, p.tz)} AS cohort, mo.label AS month, z.size,
           (sum(coalesce(s.paying, 0)) OVER w)::int AS paying, (sum(coalesce(s.mrr, 0)) OVER w)::bigint AS mrr
    FROM sizes z JOIN months mo ON mo.start >= z.cohort
    LEFT JOIN steps s ON s.currency = z.currency AND s.cohort = z.cohort AND s.key = mo.start
    WINDOW w AS (PARTITION BY z.currency, z.cohort ORDER BY mo.start)
    ORDER BY z.currency, z.cohort, mo.start`);
  const series: Array<{ currency: string; cohorts: Cohort[] }> = [];
  for (const r of result.rows) {
    if (series.at(-1)?.currency !== r.currency) series.push({ currency: r.currency, cohorts: [] });
    const list = series.at(-1)!.cohorts;
    const mrr = Number(r.mrr);
    if (list.at(-1)?.cohort !== r.cohort) {
      list.push({ cohort: r.cohort, customers: Number(r.size), startMrr: mrr, months: [] });
    }
    const cohort = list.at(-1)!;
    cohort.months.push({
      month: r.month,
      payingCustomers: Number(r.paying),
      logoRetention: ratio(Number(r.paying), cohort.customers),
      mrr,
      revenueRetention: ratio(mrr, cohort.startMrr),
    });
  }
  return {
    body: { ...answerHead('cohorts', p), series },
    rows: series.flatMap((s) =>
      s.cohorts.flatMap((c) =>
        c.months.map((m) => ({
          currency: s.currency,
          cohort: c.cohort,
          customers: c.customers,
          start_mrr: c.startMrr,
          month: m.month,
          paying_customers: m.payingCustomers,
          logo_retention: m.logoRetention,
          mrr: m.mrr,
          revenue_retention: m.revenueRetention,
        })),
      ),
    ),
  };
}

export const cohortsReport: Report = {
  name: 'cohorts',
  honours: {
    pastDue: ['count'],
    trials: ['zero'],
    churnAt: ['period_end'],
    sameWindow: ['include', 'exclude'],
  },
  run: cohorts,
};
