/**
 * The append-only, hash-chained audit log. Rows are written only through `appendAudit`; triggers (hand-written
 * migration) refuse UPDATE, DELETE and TRUNCATE, and a BEFORE INSERT trigger assigns `id` and `hash` from the
 * one-row `audit_head` (see append-audit.ts for the chain's definition).
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
  timestamp,
} from 'drizzle-orm/pg-core';

export type AuditActorType = 'user' | 'api_key' | 'system' | 'stripe' | 'job';

export const auditLog = pgTable(
  'audit_log',
  {
    // The sequence default is a placeholder: the BEFORE INSERT trigger sets id = head.last_id + 1, so the chain
    // order is the id order even when concurrent transactions draw sequence values out of order.
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorType: text('actor_type').$type<AuditActorType>().notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    reason: text('reason'),
    cause: jsonb('cause'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    check(
      'audit_log_actor_type_check',
      sql`${t.actorType} in ('user', 'api_key', 'system', 'stripe', 'job')`,
    ),
    index('audit_log_subject_idx').on(t.subjectType, t.subjectId, t.id),
    index('audit_log_actor_idx').on(t.actorType, t.actorId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
  ],
);

/** One row (id = 1): the last id and hash of the chain. Locked by each insert until its transaction commits. */
export const auditHead = pgTable(
  'audit_head',
  {
    id: integer('id').primaryKey(),
    lastId: bigint('last_id', { mode: 'number' }).notNull(),
    lastHash: text('last_hash').notNull(),
  },
  (t) => [check('audit_head_single_row', sql`${t.id} = 1`)],
);
