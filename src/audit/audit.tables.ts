/**
 * The append-only, hash-chained audit log. Rows are inserted by `appendAudit` without taking any lock; the sealer
 * (`sealAuditLog`) later gives each committed row its chain position `seq` and
 * `hash = sha256(prev_hash || audit_row_content(row))`, computed by a trigger under a lock on the one-row
 * `audit_head`. Triggers (hand-written migrations) refuse DELETE, TRUNCATE and every UPDATE except sealing.
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
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Position in the chain, assigned when sealed (commit order, not id order); null until then. */
    seq: bigint('seq', { mode: 'number' }).unique(),
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
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    check(
      'audit_log_actor_type_check',
      sql`${t.actorType} in ('user', 'api_key', 'system', 'stripe', 'job')`,
    ),
    index('audit_log_subject_idx').on(t.subjectType, t.subjectId, t.id),
    index('audit_log_actor_idx').on(t.actorType, t.actorId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
    index('audit_log_unsealed_idx')
      .on(t.id)
      .where(sql`${t.seq} is null`),
  ],
);

/** One row (id = 1): the last sealed `seq` (kept in `last_id`) and its hash. Locked only by the sealer. */
export const auditHead = pgTable(
  'audit_head',
  {
    id: integer('id').primaryKey(),
    lastId: bigint('last_id', { mode: 'number' }).notNull(),
    lastHash: text('last_hash').notNull(),
  },
  (t) => [check('audit_head_single_row', sql`${t.id} = 1`)],
);
