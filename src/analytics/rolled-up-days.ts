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
 */
import { sql, type SQL } from 'drizzle-orm';
import type { MovementFilter } from './customer-days.js';
import { customerMatch, filtersCustomers, type CustomerFilter } from './customer-filter.js';

/** The WHERE of `mrr_customer_days` (alias `r`) for a currency, plan and customer filter. */
export function rollupScope(f: { currency: string | null; plan: string | null } & CustomerFilter): SQL {
  const where: SQL[] = [
    f.plan === null ? sql`r.plan_id IS NULL` : sql`r.plan_id = (SELECT id FROM plans WHERE key = ${f.plan})`,
  ];
  if (f.currency !== null) where.push(sql`r.currency = ${f.currency}`);
  if (filtersCustomers(f)) where.push(customerMatch(f, sql`r.customer_id`));
  return sql.join(where, sql` AND `);
}

/** Columns: customer_id, currency, day, month, delta, before, after, kind, excluded, next_day. */
export function rolledUpDays(f: MovementFilter & CustomerFilter, excludeSameWindow: boolean): SQL {
  return sql`
    SELECT r.customer_id, r.currency, r.day, r.month, r.delta_minor AS delta, r.mrr_before_minor AS before,
           r.mrr_after_minor AS after, r.kind, (r.same_window AND ${excludeSameWindow}) AS excluded, r.next_day
    FROM mrr_customer_days r
    WHERE ${rollupScope(f)} AND r.day < ${f.until}`;
}
