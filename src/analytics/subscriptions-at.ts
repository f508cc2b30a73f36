/**
 * Every subscription's status as it stood at an instant, rebuilt from stored history (never from the current rows
 * alone): its status and cancel_at_period_end from the object of its latest `customer.subscription.*` event
 * created at or before the instant (the inbox keeps every subscription event's payload — retention never prunes
 * them; applied or found stale, not parked/failed); of events in one second the applied one wins, then the greater
 * event id (a simplification of the mirror's same-second rule). Read from `subscription_states`, the inbox's
 * subscription events kept as validity intervals by triggers (drizzle/0015), one row per subscription at the
 * instant. A subscription with no such event but a row last changed by then (an app write, a reconciliation) uses
 * its row.
 *
 * The states are matched by subscription id alone: every event of a subscription carries its one customer (Stripe
 * never moves a subscription to another customer), so its ordering key is the same in every row — and matching on
 * it would cost a join with every customer per request.
 *
 * Columns: id, stripe_subscription_id, customer_id, currency, plan (current plan key), status, cancel_requested.
 * Filters: currency, plan (current plan, as customer-days.ts), provider and country (the subscription's customer,
 * customer-filter.ts). A subscription's MRR at the instant is the sum of its movements up to it
 * (`subscriptionMrrAt`); a customer's, `customerMrrAt` in rolled-up-days.ts.
 */
import { sql, type SQL } from 'drizzle-orm';
import { customerMatch, filtersCustomers, type CustomerFilter } from './customer-filter.js';

export function subscriptionsAt(
  at: Date,
  f: { currency: string | null; plan: string | null } & CustomerFilter,
): SQL {
  const where: SQL[] = [sql`true`];
  if (f.currency !== null) where.push(sql`s.currency = ${f.currency}`);
  if (f.plan !== null) where.push(sql`p.key = ${f.plan}`);
  if (filtersCustomers(f)) where.push(customerMatch(f, sql`s.customer_id`));
  return sql`
    SELECT s.id, s.stripe_subscription_id, s.customer_id, s.currency, p.key AS plan,
           coalesce(e.status, s.status) AS status,
           coalesce(e.cancel_requested, s.cancel_at_period_end) AS cancel_requested
    FROM subscriptions s
    LEFT JOIN plans p ON p.id = s.plan_id
    LEFT JOIN subscription_states e
      ON e.stripe_subscription_id = s.stripe_subscription_id
      AND e.valid_from <= ${at} AND (e.valid_to IS NULL OR e.valid_to > ${at})
    WHERE ${sql.join(where, sql` AND `)}
      AND (e.status IS NOT NULL OR (s.created_at <= ${at} AND s.stripe_version_at <= ${at}))`;
}

/** A subscription's MRR at `at` (the sum of its movements up to it), as a scalar subquery over `subscriptionId`. */
export function subscriptionMrrAt(at: Date, subscriptionId: SQL): SQL {
  return sql`(SELECT coalesce(sum(m.delta_minor), 0)::bigint FROM mrr_movements m
              WHERE m.subscription_id = ${subscriptionId} AND m.at <= ${at})`;
}
