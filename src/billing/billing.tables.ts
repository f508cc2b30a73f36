/**
 * Billing: the catalogue (plans, plan_prices) and the mirror of Stripe's objects (customers, payment_methods,
 * subscriptions + items, invoices, payments, refunds, disputes) plus `mrr_movements`, the source of revenue reports.
 *
 * Mirror rules (see src/billing/mirror/version-guard.ts):
 * - every mirrored row has its Stripe id UNIQUE, `stripe_version_at` = `created` of the newest event applied to it
 *   and `stripe_event_id` = that event's id (the tie-break); an older event changes nothing.
 * - money is integer minor units (`*_minor`, bigint) beside a `currency` (lowercase ISO code, as Stripe sends it).
 * - local ids are uuids; links between mirrored rows use local ids, and the parent's Stripe id is kept beside it so a
 *   child that arrives first can be linked later (`stripe_*_id` columns).
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { ts, minor } from '../db/columns.js';

import { users } from '../accounts/accounts.tables.js';

import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from './subscriptions/subscription-status.js';
export type { SubscriptionStatus };

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const PRICE_INTERVALS = ['day', 'week', 'month', 'year'] as const;
export type PriceInterval = (typeof PRICE_INTERVALS)[number];

export const MOVEMENT_KINDS = ['new', 'expansion', 'contraction', 'churn', 'reactivation'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

// ---------------------------------------------------------------------------------------------------------------
// Catalogue

export const plans = pgTable(
  'plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull().unique(),
    name: text('name').notNull(),
    description: text('description'),
    grantsRole: text('grants_role').notNull(),
    features: jsonb('features')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    trialDays: integer('trial_days').notNull().default(0),
    /** Per-plan override of GRACE_DAYS (issue 5); null = the configured default. */
    graceDays: integer('grace_days'),
    active: boolean('active').notNull().default(true),
    stripeProductId: text('stripe_product_id').unique(),
    stripeVersionAt: ts('stripe_version_at'),
    stripeEventId: text('stripe_event_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('plans_grants_role_check', sql`${t.grantsRole} in ('member', 'professional', 'enterprise')`),
    check('plans_trial_days_check', sql`${t.trialDays} >= 0`),
    check('plans_grace_days_check', sql`${t.graceDays} is null or ${t.graceDays} >= 0`),
    index('plans_active_idx').on(t.active),
  ],
);

export const planPrices = pgTable(
  'plan_prices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id),
    stripePriceId: text('stripe_price_id').notNull().unique(),
    currency: text('currency').notNull(),
    unitAmountMinor: minor('unit_amount_minor').notNull(),
    interval: text('interval').$type<PriceInterval>().notNull(),
    intervalCount: integer('interval_count').notNull().default(1),
    active: boolean('active').notNull().default(true),
    lookupKey: text('lookup_key'),
    stripeVersionAt: ts('stripe_version_at'),
    stripeEventId: text('stripe_event_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('plan_prices_interval_check', sql`${t.interval} in (${inList(PRICE_INTERVALS)})`),
    check('plan_prices_interval_count_check', sql`${t.intervalCount} >= 1`),
    check('plan_prices_unit_amount_check', sql`${t.unitAmountMinor} >= 0`),
    index('plan_prices_plan_idx').on(t.planId, t.active),
    index('plan_prices_lookup_key_idx').on(t.lookupKey),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Customers and their cards (brand / last4 / expiry only — never more card data)

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** users.id; null until linked (metadata.user_id, or a verified email). */
    userId: text('user_id')
      .unique()
      .references(() => users.id, { onDelete: 'set null' }),
    stripeCustomerId: text('stripe_customer_id').notNull().unique(),
    email: text('email'),
    name: text('name'),
    country: text('country'),
    delinquent: boolean('delinquent').notNull().default(false),
    defaultPaymentMethodId: text('default_payment_method_id'),
    defaultPmBrand: text('default_pm_brand'),
    defaultPmLast4: text('default_pm_last4'),
    defaultPmExpMonth: integer('default_pm_exp_month'),
    defaultPmExpYear: integer('default_pm_exp_year'),
    metadata: jsonb('metadata')
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: ts('created_at').notNull(),
    deletedAt: ts('deleted_at'),
    stripeVersionAt: ts('stripe_version_at').notNull(),
    stripeEventId: text('stripe_event_id'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('customers_email_lower_idx').on(sql`lower(${t.email})`),
    index('customers_created_idx').on(t.createdAt),
    index('customers_delinquent_idx').on(t.delinquent),
  ],
);

/** Cards seen on customers, so the customer's default card can be derived whichever event arrives first. */
export const paymentMethods = pgTable(
  'payment_methods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripePaymentMethodId: text('stripe_payment_method_id').notNull().unique(),
    stripeCustomerId: text('stripe_customer_id'),
    type: text('type').notNull(),
    brand: text('brand'),
    last4: text('last4'),
    expMonth: integer('exp_month'),
    expYear: integer('exp_year'),
    detachedAt: ts('detached_at'),
    createdAt: ts('created_at').notNull(),
    stripeVersionAt: ts('stripe_version_at').notNull(),
    stripeEventId: text('stripe_event_id'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('payment_methods_customer_idx').on(t.stripeCustomerId)],
);

// ---------------------------------------------------------------------------------------------------------------
// Subscriptions

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripeSubscriptionId: text('stripe_subscription_id').notNull().unique(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    /** Null when the (first item's) price is not in our catalogue — a billing error is raised for it. */
    planId: uuid('plan_id').references(() => plans.id),
    stripePriceId: text('stripe_price_id'),
    status: text('status').$type<SubscriptionStatus>().notNull(),
    quantity: integer('quantity').notNull().default(1),
    currency: text('currency').notNull(),
    currentPeriodStart: ts('current_period_start'),
    currentPeriodEnd: ts('current_period_end'),
    trialStart: ts('trial_start'),
    trialEnd: ts('trial_end'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    cancelAt: ts('cancel_at'),
    canceledAt: ts('canceled_at'),
    endedAt: ts('ended_at'),
    pauseCollection: jsonb('pause_collection'),
    discount: jsonb('discount'),
    /** The current monthly amount (docs/DESIGN.md §7, src/revenue/monthly-amount.ts), in `currency`. */
    mrrMinor: minor('mrr_minor').notNull().default(0),
    metadata: jsonb('metadata')
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: ts('created_at').notNull(),
    stripeVersionAt: ts('stripe_version_at').notNull(),
    stripeEventId: text('stripe_event_id'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('subscriptions_status_check', sql`${t.status} in (${inList(SUBSCRIPTION_STATUSES)})`),
    index('subscriptions_customer_idx').on(t.customerId, t.createdAt),
    index('subscriptions_status_idx').on(t.status),
    index('subscriptions_plan_idx').on(t.planId),
    index('subscriptions_created_idx').on(t.createdAt),
    index('subscriptions_period_end_idx').on(t.currentPeriodEnd),
  ],
);

export const subscriptionItems = pgTable(
  'subscription_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripeSubscriptionItemId: text('stripe_subscription_item_id').notNull().unique(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    stripePriceId: text('stripe_price_id').notNull(),
    planPriceId: uuid('plan_price_id').references(() => planPrices.id),
    quantity: integer('quantity').notNull().default(1),
    currentPeriodStart: ts('current_period_start'),
    currentPeriodEnd: ts('current_period_end'),
  },
  (t) => [
    index('subscription_items_subscription_idx').on(t.subscriptionId),
    index('subscription_items_price_idx').on(t.stripePriceId),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Invoices and payments

export interface InvoiceLineSummary {
  id: string;
  description: string | null;
  amountMinor: number;
  currency: string;
  priceId: string | null;
  quantity: number | null;
  proration: boolean;
  periodStart: number;
  periodEnd: number;
}

export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripeInvoiceId: text('stripe_invoice_id').notNull().unique(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    subscriptionId: uuid('subscription_id').references(() => subscriptions.id),
    /** invoice.parent.subscription_details.subscription, kept so the link can be made when the subscription arrives. */
    stripeSubscriptionId: text('stripe_subscription_id'),
    number: text('number'),
    status: text('status').$type<InvoiceStatus>().notNull(),
    currency: text('currency').notNull(),
    amountDueMinor: minor('amount_due_minor').notNull(),
    amountPaidMinor: minor('amount_paid_minor').notNull(),
    amountRemainingMinor: minor('amount_remaining_minor').notNull(),
    subtotalMinor: minor('subtotal_minor').notNull(),
    totalMinor: minor('total_minor').notNull(),
    billingReason: text('billing_reason'),
    attemptCount: integer('attempt_count').notNull().default(0),
    nextPaymentAttemptAt: ts('next_payment_attempt_at'),
    hostedInvoiceUrl: text('hosted_invoice_url'),
    periodStart: ts('period_start'),
    periodEnd: ts('period_end'),
    lines: jsonb('lines')
      .$type<InvoiceLineSummary[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdAt: ts('created_at').notNull(),
    finalizedAt: ts('finalized_at'),
    paidAt: ts('paid_at'),
    voidedAt: ts('voided_at'),
    markedUncollectibleAt: ts('marked_uncollectible_at'),
    stripeVersionAt: ts('stripe_version_at').notNull(),
    stripeEventId: text('stripe_event_id'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('invoices_status_check', sql`${t.status} in (${inList(INVOICE_STATUSES)})`),
    index('invoices_customer_created_idx').on(t.customerId, t.createdAt),
    index('invoices_subscription_idx').on(t.subscriptionId, t.createdAt),
    index('invoices_stripe_subscription_idx').on(t.stripeSubscriptionId),
    index('invoices_status_idx').on(t.status),
    index('invoices_created_idx').on(t.createdAt),
    // a customer's first payment (customer_first_payments, the signups report): one probe per customer
    index('invoices_customer_first_paid_idx')
      .on(t.customerId, t.paidAt)
      .where(sql`${t.status} = 'paid' AND ${t.amountPaidMinor} > 0 AND ${t.paidAt} IS NOT NULL`),
  ],
);

/**
 * One row per PaymentIntent (and its latest charge). PaymentIntent and Charge events carry different fields, so each
 * object kind has its own version column; `stripe_version_at` is the newest of the two.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripePaymentIntentId: text('stripe_payment_intent_id').unique(),
    stripeChargeId: text('stripe_charge_id').unique(),
    invoiceId: uuid('invoice_id').references(() => invoices.id),
    stripeInvoiceId: text('stripe_invoice_id'),
    customerId: uuid('customer_id').references(() => customers.id),
    stripeCustomerId: text('stripe_customer_id'),
    amountMinor: minor('amount_minor').notNull(),
    amountRefundedMinor: minor('amount_refunded_minor').notNull().default(0),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    /** The mirrored charge's own status (pending / succeeded / failed), for the charge's tie-break. */
    chargeStatus: text('charge_status'),
    failureCode: text('failure_code'),
    declineCode: text('decline_code'),
    failureMessage: text('failure_message'),
    cardBrand: text('card_brand'),
    cardLast4: text('card_last4'),
    cardCountry: text('card_country'),
    createdAt: ts('created_at').notNull(),
    intentVersionAt: ts('intent_version_at'),
    intentEventId: text('intent_event_id'),
    chargeVersionAt: ts('charge_version_at'),
    chargeEventId: text('charge_event_id'),
    stripeVersionAt: ts('stripe_version_at').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check(
      'payments_some_stripe_id_check',
      sql`${t.stripePaymentIntentId} is not null or ${t.stripeChargeId} is not null`,
    ),
    index('payments_customer_created_idx').on(t.customerId, t.createdAt),
    index('payments_stripe_customer_idx').on(t.stripeCustomerId),
    index('payments_invoice_idx').on(t.invoiceId),
    index('payments_stripe_invoice_idx').on(t.stripeInvoiceId),
    // status filters, and the failed (or any status's) payments sorted by amount: a page is a walk of this index
    index('payments_status_amount_idx').on(t.status, t.amountMinor, t.id),
    index('payments_created_idx').on(t.createdAt),
    index('payments_decline_code_idx').on(t.declineCode),
    // the console's payments sorted by amount, unfiltered
    index('payments_amount_idx').on(t.amountMinor, t.id),
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripeRefundId: text('stripe_refund_id').notNull().unique(),
    paymentId: uuid('payment_id').references(() => payments.id),
    stripeChargeId: text('stripe_charge_id'),
    stripePaymentIntentId: text('stripe_payment_intent_id'),
    amountMinor: minor('amount_minor').notNull(),
    currency: text('currency').notNull(),
    status: text('status'),
    reason: text('reason'),
    createdAt: ts('created_at').notNull(),
    stripeVersionAt: ts('stripe_version_at').notNull(),
    stripeEventId: text('stripe_event_id'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('refunds_payment_idx').on(t.paymentId),
    index('refunds_charge_idx').on(t.stripeChargeId),
    index('refunds_created_idx').on(t.createdAt),
  ],
);

export const disputes = pgTable(
  'disputes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripeDisputeId: text('stripe_dispute_id').notNull().unique(),
    paymentId: uuid('payment_id').references(() => payments.id),
    stripeChargeId: text('stripe_charge_id'),
    stripePaymentIntentId: text('stripe_payment_intent_id'),
    amountMinor: minor('amount_minor').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    reason: text('reason'),
    createdAt: ts('created_at').notNull(),
    closedAt: ts('closed_at'),
    stripeVersionAt: ts('stripe_version_at').notNull(),
    stripeEventId: text('stripe_event_id'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('disputes_payment_idx').on(t.paymentId),
    index('disputes_charge_idx').on(t.stripeChargeId),
    index('disputes_status_idx').on(t.status),
    index('disputes_created_idx').on(t.createdAt),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// MRR movements: written in the transaction that changes a subscription's monthly amount.

export const mrrMovements = pgTable(
  'mrr_movements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    at: ts('at').notNull(),
    currency: text('currency').notNull(),
    mrrBeforeMinor: minor('mrr_before_minor').notNull(),
    mrrAfterMinor: minor('mrr_after_minor').notNull(),
    deltaMinor: minor('delta_minor').notNull(),
    kind: text('kind').$type<MovementKind>().notNull(),
    /** The Stripe event id (or `sync:<run>` for a reconciliation repair) that caused it. */
    causeEventId: text('cause_event_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    check('mrr_movements_kind_check', sql`${t.kind} in (${inList(MOVEMENT_KINDS)})`),
    check('mrr_movements_delta_check', sql`${t.deltaMinor} = ${t.mrrAfterMinor} - ${t.mrrBeforeMinor}`),
    unique('mrr_movements_subscription_event_uq').on(t.subscriptionId, t.causeEventId),
    index('mrr_movements_customer_at_idx').on(t.customerId, t.at),
    index('mrr_movements_at_idx').on(t.at),
    index('mrr_movements_kind_at_idx').on(t.kind, t.at),
  ],
);
