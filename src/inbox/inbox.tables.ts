/**
 * The webhook inbox and the billing errors that need a person.
 *
 * `stripe_events` is both the log of every verified delivery and the work queue of the dispatcher: a row is
 * inserted `pending` by the ingest (one statement, so "stored" and "queued" are one commit), claimed by a worker
 * with `FOR UPDATE SKIP LOCKED`, and leaves the queue in the same transaction that commits its effects
 * (status `processed` / `stale` / `ignored`). Events that cannot be applied yet are `parked` with `available_at`
 * in the future; after their retries they are `failed` and linked to an open `billing_errors` row.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  json,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const STRIPE_EVENT_STATUSES = [
  'pending', // stored, waiting for a worker
  'parked', // could not be applied yet (NotLinkableError or a handler error); retried at available_at
  'processed', // applied (the handler changed something or confirmed the state)
  'stale', // older than the rows it touches: nothing changed
  'ignored', // handler decided it does not concern us, or livemode mismatch (never reaches a handler)
  'skipped', // no handler for this type
  'failed', // retries exhausted: an open billing_error points at it; an admin retries or resolves
] as const;
export type StripeEventStatus = (typeof STRIPE_EVENT_STATUSES)[number];

export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    apiVersion: text('api_version'),
    livemode: boolean('livemode').notNull(),
    /** Stripe's `event.created` (whole seconds). */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** Events with one key are applied one at a time in created order (see orderingKeyOf). */
    orderingKey: text('ordering_key').notNull(),
    objectId: text('object_id'),
    /** The body exactly as Stripe sent it (json, not jsonb: kept byte for byte, validated but not re-encoded, and small
     * enough compressed to stay in the row — jsonb cost ~22 µs of parsing per event and pushed invoices out of line).
     * NULL once pruned by retention (src/inbox/retention/prune-event-payloads.ts): the row stays, so the id still
     * de-duplicates a redelivery. */
    payload: json('payload'),
    /** When retention dropped the payload (NULL: the payload is stored). */
    payloadPrunedAt: timestamp('payload_pruned_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    status: text('status').$type<StripeEventStatus>().notNull(),
    /** The handler's note (why stale/ignored) or the ingest's reason (livemode mismatch, no handler). */
    note: text('note'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** When a pending/parked event may next be claimed. */
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    billingErrorId: uuid('billing_error_id'),
  },
  (t) => [
    check(
      'stripe_events_status_check',
      sql`${t.status} in ('pending', 'parked', 'processed', 'stale', 'ignored', 'skipped', 'failed')`,
    ),
    // Only a done event that no history reads may lose its payload, and a pruned event never goes back to the queue
    // (the dispatcher and replay need the payload): see PRUNABLE in src/inbox/retention/prune-event-payloads.ts.
    check(
      'stripe_events_payload_check',
      sql`(${t.payload} is null) = (${t.payloadPrunedAt} is not null) and (${t.payload} is not null or (${t.status} in ('processed', 'stale', 'ignored', 'skipped') and ${t.type} not like 'customer.subscription.%'))`,
    ),
    // The dispatcher's queue: only rows still to do are indexed, so the index stays small at any table size.
    index('stripe_events_queue_idx')
      .on(t.availableAt, t.createdAt, t.id)
      .where(sql`${t.status} in ('pending', 'parked')`),
    index('stripe_events_key_queue_idx')
      .on(t.orderingKey, t.createdAt, t.id)
      .where(sql`${t.status} in ('pending', 'parked')`),
    // Time travel (src/accounts/roles/billing-state-at.ts): one customer's events up to an instant, in created order,
    // whatever their status (the queue index above holds only pending/parked rows).
    index('stripe_events_key_created_idx').on(t.orderingKey, t.createdAt, t.id),
    // subscription_states' refresh (drizzle/0030): one subscription's events, whatever the customer's other events
    // (a status index plan from stale statistics read every processed event per subscription: O(table) per batch).
    index('stripe_events_subscription_idx')
      .on(t.objectId, t.orderingKey, t.createdAt)
      .where(sql`${t.type} like 'customer.subscription.%'`),
    // The admin events log: newest first, filtered by type and/or status.
    index('stripe_events_received_idx').on(t.receivedAt, t.id),
    index('stripe_events_type_idx').on(t.type, t.receivedAt, t.id),
    index('stripe_events_status_idx').on(t.status, t.receivedAt, t.id),
    // Retention (src/inbox/retention/prune-event-payloads.ts): the done events whose payload may still be pruned,
    // oldest received first. A row enters when it is applied and leaves when pruned, so the index holds about
    // EVENT_PAYLOAD_RETENTION_DAYS of events and a run never re-reads what it pruned before.
    index('stripe_events_prunable_idx')
      .on(t.receivedAt)
      .where(
        sql`${t.payloadPrunedAt} is null and ${t.status} in ('processed', 'stale', 'ignored', 'skipped') and ${t.type} not like 'customer.subscription.%'`,
      ),
    index('stripe_events_billing_error_idx')
      .on(t.billingErrorId)
      .where(sql`${t.billingErrorId} is not null`),
  ],
);

export const BILLING_ERROR_STATUSES = ['open', 'resolved', 'ignored'] as const;
export type BillingErrorStatus = (typeof BILLING_ERROR_STATUSES)[number];

export const billingErrors = pgTable(
  'billing_errors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** NotLinkableError reason (`unknown_price`, …) or `handler_error`. */
    kind: text('kind').notNull(),
    /** What it is about: the Stripe id that could not be linked, or the event id for handler errors. */
    subject: text('subject').notNull(),
    /** The most recent event that raised it. */
    eventId: text('event_id'),
    message: text('message').notNull(),
    occurrences: integer('occurrences').notNull().default(1),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    status: text('status').$type<BillingErrorStatus>().notNull().default('open'),
    resolutionNote: text('resolution_note'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    check('billing_errors_status_check', sql`${t.status} in ('open', 'resolved', 'ignored')`),
    // One open row per (kind, subject): a recurrence counts up `occurrences` instead of adding a row.
    uniqueIndex('billing_errors_open_key')
      .on(t.kind, t.subject)
      .where(sql`${t.status} = 'open'`),
    index('billing_errors_status_idx').on(t.status, t.lastSeenAt),
  ],
);
