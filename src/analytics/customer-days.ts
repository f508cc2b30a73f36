/**
 * The SQL every MRR report starts from: each customer's net MRR change per day and currency — UTC days, or the
 * local days of a report's `tz` — classified as docs/DESIGN.md §7 says ("movements per customer per day"),
 * recomputed from `mrr_movements` alone.
 *
 * Why recompute the kind instead of reading `mrr_movements.kind`: the stored kind was classified when the event was
 * APPLIED, against the rows as they were then; a late event of a customer's other subscription, or a same-day
 * upgrade after a sign-up, can leave it disagreeing with history. Here the history is ordered by the movement's
 * `at` — the Stripe event's `created`, never its arrival — and netted per day, so a sign-up upgraded the same day is
 * one `new`, and a sign-up cancelled the same day is no movement at all.
 *
 * Columns: customer_id, currency, day (timestamptz, 00:00 UTC — or local), month (timestamptz, the 1st 00:00 UTC —
 * or local), delta,
 * before, after (the customer's MRR in that currency around the day), kind (new | expansion | contraction | churn |
 * reactivation; reactivation = back from 0 after an earlier churn in the same currency).
 *
 * `windowedDays` adds `excluded`: true for every day of a customer whose MRR in the currency was 0 both at the start
 * and at the end of that day's month (started and churned inside it) when sameWindow=exclude — such days net to 0.
 *
 * Filters: `currency`, `plan` (the subscription's CURRENT plan — subscriptions do not keep their plan history, see
 * docs/METRICS.md), `until` (movements strictly before it; null: all), and `provider` and `country` when given (the
 * customers matching, customer-filter.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import { customerMatch, type CustomerFilter } from './customer-filter.js';
import { UTC } from './periods.js';
import { truncIn } from './zone-sql.js';

export interface MovementFilter {
  currency: string | null;
  plan: string | null;
  until: Date;
}

/** What customerDays reads: the movement filter, without a bound if `until` is null, for some customers if given. */
export type DaysFilter = Omit<MovementFilter, 'until'> & { until: Date | null } & Partial<CustomerFilter>;

/** The WHERE of movements joined to their subscription (`s`) and its plan (`p`). */
export function movementWhere(
  f: { currency: string | null; plan: string | null } & Partial<CustomerFilter>,
): SQL {
  const where: SQL[] = [sql`true`];
  if (f.currency !== null) where.push(sql`m.currency = ${f.currency}`);
  if (f.plan !== null) where.push(sql`p.key = ${f.plan}`);
  const customers = { provider: f.provider ?? null, country: f.country ?? null };
  if (customers.provider !== null || customers.country !== null) {
    where.push(customerMatch(customers, sql`m.customer_id`));
  }
  return sql.join(where, sql` AND `);
}

/** `WITH customer_days AS (…)` body: a subquery to name in a WITH clause. Days and months of `tz` (default UTC). */
export function customerDays(f: DaysFilter, tz = UTC): SQL {
  return sql`
    SELECT customer_id, currency, day, ${truncIn('month', sql`day`, tz)} AS month, delta, before, after,
           CASE
             WHEN before = 0 AND churned_before THEN 'reactivation'
             WHEN before = 0 THEN 'new'
             WHEN after = 0 THEN 'churn'
             WHEN after > before THEN 'expansion'
             ELSE 'contraction'
           END AS kind
    FROM (
      SELECT customer_id, currency, day, delta, after - delta AS before, after,
             coalesce(bool_or(after = 0 AND delta < 0) OVER (
               PARTITION BY customer_id, currency ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
             ), false) AS churned_before
      FROM (
        SELECT customer_id, currency, day, delta,
               sum(delta) OVER (PARTITION BY customer_id, currency ORDER BY day) AS after
        FROM (
          SELECT m.customer_id, m.currency, ${truncIn('day', sql`m.at`, tz)} AS day, sum(m.delta_minor)::bigint AS delta
          FROM mrr_movements m
          JOIN subscriptions s ON s.id = m.subscription_id
          LEFT JOIN plans p ON p.id = s.plan_id
          WHERE ${movementWhere(f)} AND ${f.until === null ? sql`true` : sql`m.at < ${f.until}`}
          GROUP BY 1, 2, 3
        ) per_day
      ) running
    ) ordered
    WHERE delta <> 0`;
}

/** customerDays plus `excluded` (sameWindow=exclude: the customer started and churned inside that month). */
export function windowedDays(f: DaysFilter, excludeSameWindow: boolean, tz = UTC): SQL {
  return sql`
    WITH customer_days AS (${customerDays(f, tz)}),
    same_window AS (
      SELECT customer_id, currency, month FROM customer_days
      GROUP BY customer_id, currency, month
      HAVING (array_agg(before ORDER BY day))[1] = 0 AND (array_agg(after ORDER BY day DESC))[1] = 0
    )
    SELECT d.*, (sw.customer_id IS NOT NULL AND ${excludeSameWindow}) AS excluded
    FROM customer_days d LEFT JOIN same_window sw USING (customer_id, currency, month)`;
}
