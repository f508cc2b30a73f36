/**
 * Idempotency keys of the app's own Stripe-changing operations (admin actions, self-service, jobs, seed).
 * One row per (scope, natural key): the Stripe `Idempotency-Key` is fixed when the row is first written, so a
 * retried request or job sends Stripe the SAME key and Stripe applies the change once. The id of the object
 * Stripe answered with is stored when the call succeeds.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export type OperationKeyStatus = 'pending' | 'succeeded' | 'failed';

export const operationKeys = pgTable(
  'operation_keys',
  {
    scope: text('scope').notNull(),
    naturalKey: text('natural_key').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    status: text('status').$type<OperationKeyStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** The id of the Stripe object the call returned (customer, subscription, refund…). */
    resultId: text('result_id'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.naturalKey] }),
    check('operation_keys_status_check', sql`${t.status} in ('pending', 'succeeded', 'failed')`),
    index('operation_keys_result_id_idx').on(t.resultId),
  ],
);
