/**
 * The customer-days every MRR report reads, from the maintained rollup `mrr_customer_days`
 * (src/analytics/analytics.tables.ts) instead of re-deriving them from all of `mrr_movements` per request. Same
 * rows and columns as `windowedDays` in customer-days.ts (the definition, which the rollup is tested against), plus
 * `next_day`: the customer's next row in the scope (NULL for the last), so the MRR `after` holds over
 * [day, next_day) and "paying at an instant" is one row per customer, not a sum over its history.
 *
 * Filters: `currency`, `plan` (the subscription's CURRENT plan, a scope of the rollup; an unknown key has no rows),
 * `provider` and `country` (the customers matching, customer-filter.ts) and `until` (days strictly before it;
 * `next_day` is not clipped).
 *
 * The rollup's days and months are UTC ones. A local day does not start at a UTC midnight unless the zone's offset is
 * 0, so for another `tz` the same rows are computed from `mrr_movements` with that zone's days and months
 * (`localCustomerDays`, the definition of customer-days.ts in that zone): slower, but exactly the definition; UTC
 * keeps reading the rollup.
 */
import { sql, type SQL } from 'drizzle-orm';
import { movementWhere, windowedDays, type MovementFilter } from './customer-days.js';
import { customerMatch, filtersCustomers, type CustomerFilter } from './customer-filter.js';
import { UTC } from './periods.js';

type Scope = { currency: string | null; plan: string | null } & CustomerFilter;

/** The WHERE of `mrr_customer_days` (alias `r`) for a currency, plan and customer filter. */
export function rollupScope(f: Scope): SQL {
  const where: SQL[] = [
    f.plan === null ? sql`r.plan_id IS NULL` : sql`r.plan_id = (SELECT id FROM plans WHERE key = ${f.plan})`,
  ];
  if (f.currency !== null) where.push(sql`r.currency = ${f.currency}`);
  if (filtersCustomers(f)) where.push(customerMatch(f, sql`r.customer_id`));
  return sql.join(where, sql` AND `);
}

/**
 * `mrr_customer_days`' columns for one scope with the days and months of `tz`, from `mrr_movements` (the whole
 * history: a row's MRR before and after, `next_day` and the cohorts depend on every earlier and later day).
 */
export function localCustomerDays(f: Scope, tz: string): SQL {
  const customer = sql`PARTITION BY d.customer_id, d.currency`;
  return sql`
    SELECT d.customer_id, d.currency, d.day, d.month, d.delta AS delta_minor, d.before AS mrr_before_minor,
           d.after AS mrr_after_minor, d.kind, d.excluded AS same_window,
           lead(d.day) OVER (${customer} ORDER BY d.day) AS next_day,
           min(d.month) FILTER (WHERE d.kind = 'new') OVER (${customer}) AS cohort,
           min(d.month) FILTER (WHERE d.kind = 'new' AND NOT d.excluded) OVER (${customer})
             AS cohort_excluding_same_window
    FROM (${windowedDays({ ...f, until: null }, true, tz)}) d`;
}

/**
 * Where a report reads customer-days from (alias `r` over `table`, rows kept by `scope`): the rollup for UTC; for
 * another zone a CTE to put first in the query's WITH (`with` ends with a comma; empty for UTC), computed once
 * however often the query reads it.
 */
export interface DaysSource {
  with: SQL;
  table: SQL;
  scope: SQL;
}

export function customerDaysSource(f: Scope & { tz: string }): DaysSource {
  if (f.tz === UTC) return { with: sql``, table: sql`mrr_customer_days`, scope: rollupScope(f) };
  return {
    with: sql`local_days AS MATERIALIZED (${localCustomerDays(f, f.tz)}),`,
    table: sql`local_days`,
    scope: sql`true`,
  };
}

/** Columns: customer_id, currency, day, month, delta, before, after, kind, excluded, next_day. */
export function rolledUpDays(
  f: MovementFilter & CustomerFilter & { tz: string },
  excludeSameWindow: boolean,
): SQL {
  const utc = f.tz === UTC;
  const rows = utc ? sql`mrr_customer_days` : sql`(${localCustomerDays(f, f.tz)})`;
  const scope = utc ? rollupScope(f) : sql`true`;
  return sql`
    SELECT r.customer_id, r.currency, r.day, r.month, r.delta_minor AS delta, r.mrr_before_minor AS before,
           r.mrr_after_minor AS after, r.kind, (r.same_window AND ${excludeSameWindow}) AS excluded, r.next_day
    FROM ${rows} r
    WHERE ${scope} AND r.day < ${f.until}`;
}

/**
 * Each customer's MRR at an instant, per currency (columns customer_id, currency, mrr): the `after` of its last
 * rollup day before the instant's UTC day, plus its movements of that day up to the instant — one row per customer
 * instead of a sum over its whole history. Customers at 0 are included (a churned customer's last row); a customer
 * whose first movement is that same day has only the day's part.
 */
export function customerMrrAt(at: Date, f: Scope): SQL {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const partialWhere: SQL[] = [movementWhere(f)];
  if (filtersCustomers(f)) partialWhere.push(customerMatch(f, sql`m.customer_id`));
  return sql`
    WITH before_day AS (
      SELECT r.customer_id, r.currency, r.mrr_after_minor AS mrr FROM mrr_customer_days r
      WHERE ${rollupScope(f)} AND r.day < ${day} AND (r.next_day IS NULL OR r.next_day >= ${day})
    ),
    in_day AS (
      SELECT m.customer_id, m.currency, sum(m.delta_minor)::bigint AS delta
      FROM mrr_movements m
      JOIN subscriptions s ON s.id = m.subscription_id
      LEFT JOIN plans p ON p.id = s.plan_id
      WHERE ${sql.join(partialWhere, sql` AND `)} AND m.at >= ${day} AND m.at <= ${at}
      GROUP BY 1, 2
    )
    SELECT b.customer_id, b.currency, b.mrr + coalesce(d.delta, 0) AS mrr
    FROM before_day b LEFT JOIN in_day d USING (customer_id, currency)
    UNION ALL
    SELECT d.customer_id, d.currency, d.delta FROM in_day d
    WHERE NOT EXISTS (SELECT 1 FROM before_day b WHERE b.customer_id = d.customer_id AND b.currency = d.currency)`;
}
