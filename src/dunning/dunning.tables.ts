/**
 * Dunning: one case per run of failed payments on a subscription, from the first `invoice.payment_failed` until
 * the payment recovers it or the grace period / the subscription ends (lost). Each case has a timeline.
 *
 * - `grace_until` = first failure + the plan's `grace_days` (else GRACE_DAYS); the user keeps the role until then.
 * - At most one OPEN case per subscription (partial unique index); a later failure after a recovery opens a new one.
 * - Times of event-caused steps are the Stripe event's `created` (the instant Stripe says it happened, which also
 *   follows a test clock); steps taken by jobs use the job's clock.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { ts, minor } from '../db/columns.js';

import { users } from '../accounts/accounts.tables.js';
import { customers, invoices, subscriptions } from '../billing/billing.tables.js';

export const DUNNING_STATUSES = ['open', 'recovered', 'lost'] as const;
export type DunningStatus = (typeof DUNNING_STATUSES)[number];
/** What recovered a case: Stripe's automatic retry, the customer updating the card, or a manual/out-of-band payment. */
export const RECOVERY_STEPS = ['stripe_retry', 'card_update', 'manual'] as const;
export type RecoveryStep = (typeof RECOVERY_STEPS)[number];
export const LOST_REASONS = ['grace_expired', 'subscription_ended'] as const;
export type LostReason = (typeof LOST_REASONS)[number];

export const dunningCases = pgTable(
  'dunning_cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    /** The linked user when the case opened (null if the customer is not linked to a user). */
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The invoice whose payment failed first (later failures of other invoices are on the timeline). Null when the
     *  case was opened by the subscription turning past_due before the invoice's failure event arrived. */
    invoiceId: uuid('invoice_id').references(() => invoices.id),
    stripeInvoiceId: text('stripe_invoice_id'),
    status: text('status').$type<DunningStatus>().notNull(),
    openedAt: ts('opened_at').notNull(),
    graceDays: integer('grace_days').notNull(),
    graceUntil: ts('grace_until').notNull(),
    attempts: integer('attempts').notNull().default(1),
    lastFailureAt: ts('last_failure_at').notNull(),
    lastFailureCode: text('last_failure_code'),
    lastDeclineCode: text('last_decline_code'),
    amountDueMinor: minor('amount_due_minor').notNull().default(0),
    currency: text('currency').notNull(),
    /** The customer's default card when the case opened: a different one at recovery means the card was updated. */
    paymentMethodAtOpen: text('payment_method_at_open'),
    /** dunningSchedule's reminder instant (null: no reminder for a zero-day grace). */
    reminderAt: ts('reminder_at'),
    reminderSentAt: ts('reminder_sent_at'),
    recoveredAt: ts('recovered_at'),
    recoveredAmountMinor: minor('recovered_amount_minor'),
    recoveredBy: text('recovered_by').$type<RecoveryStep>(),
    /** bigint: a recovery span in seconds may outgrow int4 (a test clock far ahead, or a case left open for decades). */
    timeToRecoverSeconds: bigint('time_to_recover_seconds', { mode: 'number' }),
    lostAt: ts('lost_at'),
    lostReason: text('lost_reason').$type<LostReason>(),
    /** The event or job that opened / closed it. */
    openedByEventId: text('opened_by_event_id'),
    closedBy: text('closed_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('dunning_cases_status_check', sql`${t.status} in ('open', 'recovered', 'lost')`),
    check(
      'dunning_cases_recovered_by_check',
      sql`${t.recoveredBy} is null or ${t.recoveredBy} in ('stripe_retry', 'card_update', 'manual')`,
    ),
    check(
      'dunning_cases_lost_reason_check',
      sql`${t.lostReason} is null or ${t.lostReason} in ('grace_expired', 'subscription_ended')`,
    ),
    uniqueIndex('dunning_cases_one_open_uq')
      .on(t.subscriptionId)
      .where(sql`${t.status} = 'open'`),
    index('dunning_cases_subscription_idx').on(t.subscriptionId, t.openedAt),
    index('dunning_cases_user_idx').on(t.userId, t.openedAt),
    index('dunning_cases_status_idx').on(t.status, t.openedAt),
    // the console's cases of a status by amount at risk: a page is an index walk with its joins, not every case
    // joined before the sort (bench:console dunning.list 130 ms at 4k open cases)
    index('dunning_cases_status_amount_idx').on(t.status, t.amountDueMinor, t.id),
    // The grace-expiry and reminder jobs scan open cases by grace_until.
    index('dunning_cases_open_grace_idx')
      .on(t.graceUntil)
      .where(sql`${t.status} = 'open'`),
    index('dunning_cases_open_reminder_idx')
      .on(t.reminderAt)
      .where(sql`${t.status} = 'open' and ${t.reminderSentAt} is null`),
    index('dunning_cases_stripe_invoice_idx').on(t.stripeInvoiceId),
  ],
);

export const DUNNING_STEP_KINDS = [
  'opened',
  'payment_failed',
  'reminder_sent',
  'card_updated',
  'recovered',
  'lost',
] as const;
export type DunningStepKind = (typeof DUNNING_STEP_KINDS)[number];

/** The timeline of a case: one row per step, in order of `at` then id. */
export const dunningCaseEvents = pgTable(
  'dunning_case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => dunningCases.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    kind: text('kind').$type<DunningStepKind>().notNull(),
    /** Stripe event id, or `job:<name>` / `admin:<id>` for steps not caused by an event. */
    cause: text('cause').notNull(),
    data: jsonb('data')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [
    check(
      'dunning_case_events_kind_check',
      sql`${t.kind} in ('opened', 'payment_failed', 'reminder_sent', 'card_updated', 'recovered', 'lost')`,
    ),
    // One step per (case, kind, cause): the same event applied twice (replay) adds nothing.
    uniqueIndex('dunning_case_events_step_uq').on(t.caseId, t.kind, t.cause),
    index('dunning_case_events_case_idx').on(t.caseId, t.at, t.id),
  ],
);
