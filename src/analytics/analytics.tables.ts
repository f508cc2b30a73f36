/**
 * `mrr_customer_days`: each customer's net MRR change per UTC day and currency — the rows every MRR report reads,
 * kept up to date by PostgreSQL triggers (drizzle/0013_mrr_customer_days_maintained.sql) in the transaction that
 * writes `mrr_movements`, so a report never re-derives the whole history per request.
 *
 * A row is exactly what src/analytics/customer-days.ts computes from `mrr_movements` (the definition; it stays as
 * the reference the property test compares with): one per customer, currency and day whose net change is not 0,
 * ordered by the movement's `at` (the Stripe event's `created`), so a late or out-of-order movement re-writes the
 * customer's later days and months. `plan_id` NULL = every plan; a plan's id = the customer's movements of
 * subscriptions whose CURRENT plan it is (the `plan=` filter; re-written when a subscription changes plan).
 *
 * Derived columns: `mrr_before_minor` / `mrr_after_minor` (the customer's MRR in the scope around the day), `kind`
 * (new | expansion | contraction | churn | reactivation), `same_window` (MRR 0 at the start and at the end of the
 * day's month: started and churned inside it), `next_day` (the scope's next row, NULL for the last: the row's
 * `mrr_after_minor` holds over [day, next_day)) and the customer's cohort months, on each of its rows in the scope.
 */
import { bigint, boolean, index, pgTable, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';
import { minor, ts } from '../db/columns.js';
import { customers, plans } from '../billing/billing.tables.js';

export const mrrCustomerDays = pgTable(
  'mrr_customer_days',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    currency: text('currency').notNull(),
    planId: uuid('plan_id').references(() => plans.id, { onDelete: 'cascade' }),
    day: ts('day').notNull(),
    month: ts('month').notNull(),
    deltaMinor: minor('delta_minor').notNull(),
    mrrBeforeMinor: minor('mrr_before_minor').notNull(),
    mrrAfterMinor: minor('mrr_after_minor').notNull(),
    kind: text('kind').notNull(),
    sameWindow: boolean('same_window').notNull(),
    nextDay: ts('next_day'),
    /** The customer's cohort in the scope: the month of its first `new` row (NULL: none); `cohort_excluding_same_window`:
     * of its first `new` row not in a same-window month (the cohort under sameWindow=exclude). */
    cohort: ts('cohort'),
    cohortExcludingSameWindow: ts('cohort_excluding_same_window'),
  },
  (t) => [
    unique('mrr_customer_days_uq').on(t.customerId, t.currency, t.planId, t.day).nullsNotDistinct(),
    index('mrr_customer_days_scope_day_idx').on(t.planId, t.currency, t.day),
  ],
);

/**
 * `subscription_states`: each subscription's status and cancel-at-period-end over time, from the object of its
 * `customer.subscription.*` events in the inbox (applied or found stale), kept by triggers on `stripe_events`
 * (drizzle/0015_subscription_states_maintained.sql) so the summary reads one row per subscription at an instant
 * instead of searching the inbox per subscription. A row holds over [valid_from, valid_to): `valid_from` = an event's
 * `created`; of several events in one second the applied one wins over the stale, then the greater id (the rule of
 * src/analytics/subscriptions-at.ts); `valid_to` = the next event's `created` (NULL for the last).
 */
export const subscriptionStates = pgTable(
  'subscription_states',
  {
    stripeSubscriptionId: text('stripe_subscription_id').notNull(),
    orderingKey: text('ordering_key').notNull(),
    validFrom: ts('valid_from').notNull(),
    validTo: ts('valid_to'),
    status: text('status'),
    cancelRequested: boolean('cancel_requested'),
    eventId: text('event_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.stripeSubscriptionId, t.orderingKey, t.validFrom] })],
);

/**
 * `customer_first_payments`: when each customer first paid money (its earliest paid invoice with an amount paid above
 * 0, by Stripe's `paid_at`), kept by triggers on `invoices` (drizzle/0020_customer_first_payments_maintained.sql,
 * 0028: a paid invoice only moves it earlier; only a lost one re-reads the customer's invoices) so the signups
 * report's conversions are one row per customer instead of a search through every customer's invoices.
 */
export const customerFirstPayments = pgTable('customer_first_payments', {
  customerId: uuid('customer_id')
    .primaryKey()
    .references(() => customers.id, { onDelete: 'cascade' }),
  firstPaidAt: ts('first_paid_at').notNull(),
});

/**
 * `revenue_months`: the cash of paid invoices (status paid, `paid_at` set) per currency, UTC month of `paid_at` and
 * the invoice's subscription's CURRENT plan (NULL: no subscription or no plan) — count and Σ amount_paid_minor —
 * kept by triggers on `invoices` and on a subscription's plan change (drizzle/0024_revenue_months_maintained.sql,
 * 0028), so the revenue report sums a few hundred rows instead of two million invoices.
 *
 * Append-only on the write path: each invoices statement INSERTs its delta rows (no update in place: concurrent
 * `invoice.paid` transactions of one month queued on one counter row, and every update left a dead version of it —
 * PostgreSQL spent ~1 ms per event there). The `analytics.compact-rollups` job folds each key's rows into one every
 * minute (drizzle/0028_rollups_append_only.sql). A figure is Σ over a key's rows.
 */
export const revenueMonths = pgTable('revenue_months', {
  currency: text('currency').notNull(),
  planId: uuid('plan_id'),
  month: ts('month').notNull(),
  invoicesPaid: bigint('invoices_paid', { mode: 'number' }).notNull(),
  collectedMinor: minor('collected_minor').notNull(),
});

/**
 * `payment_attempt_months`: the payments that are attempts (succeeded, or failed: a failed status or charge, or a
 * failure code) counted per currency, UTC month of the payment's `created`, the plan its invoice's subscription is
 * CURRENTLY on, decline code, card brand and card country — attempts and failures — kept by triggers on `payments`,
 * on an invoice changing subscription and on a subscription's plan change
 * (drizzle/0026_payment_attempt_months_maintained.sql, 0028), so the payment-failures report reads a few thousand
 * rows instead of joining two million payments to their invoices. Append-only and compacted, as `revenue_months`.
 */
export const paymentAttemptMonths = pgTable('payment_attempt_months', {
  currency: text('currency').notNull(),
  month: ts('month').notNull(),
  planId: uuid('plan_id'),
  declineCode: text('decline_code'),
  cardBrand: text('card_brand'),
  cardCountry: text('card_country'),
  attempts: bigint('attempts', { mode: 'number' }).notNull(),
  failures: bigint('failures', { mode: 'number' }).notNull(),
});
