/**
 * Roles from billing (issue 5): admin overrides of the entitled role, and the bulk role-sync runs.
 *
 * `role_overrides` keeps its history: an override is never deleted, it is cleared (by an admin, by a newer
 * override, or by the expiry job), so the override in force at any past instant can be rebuilt (time travel):
 * in force at T  ⇔  created_at <= T and (cleared_at is null or cleared_at > T) and (expires_at is null or expires_at > T).
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ts } from '../../db/columns.js';

import { users } from '../accounts.tables.js';

export const roleOverrides = pgTable(
  'role_overrides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** A paid role only: `admin` is a staff role and never comes from billing or an override. */
    role: text('role').notNull(),
    reason: text('reason').notNull(),
    setByType: text('set_by_type').notNull(),
    setBy: text('set_by'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at'),
    clearedAt: ts('cleared_at'),
    clearedByType: text('cleared_by_type'),
    clearedBy: text('cleared_by'),
    /** `admin` (DELETE with its reason), `replaced` (a newer override), `expired` (the expiry job). */
    clearKind: text('clear_kind'),
    clearReason: text('clear_reason'),
  },
  (t) => [
    check('role_overrides_role_check', sql`${t.role} in ('member', 'professional', 'enterprise')`),
    check(
      'role_overrides_clear_kind_check',
      sql`${t.clearKind} is null or ${t.clearKind} in ('admin', 'replaced', 'expired')`,
    ),
    // At most one override not yet cleared per user.
    uniqueIndex('role_overrides_one_open_uq')
      .on(t.userId)
      .where(sql`${t.clearedAt} is null`),
    index('role_overrides_user_idx').on(t.userId, t.createdAt),
    // The expiry job's scan: open overrides by expiry.
    index('role_overrides_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.clearedAt} is null and ${t.expiresAt} is not null`),
  ],
);

export type RoleSyncRunStatus = 'queued' | 'running' | 'finished' | 'failed';

/** `POST /api/admin/roles/sync { dryRun: false }`: one row per run, its progress read at GET /api/admin/jobs/:id. */
export const roleSyncRuns = pgTable(
  'role_sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    status: text('status').$type<RoleSyncRunStatus>().notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    requestedByType: text('requested_by_type').notNull(),
    requestedBy: text('requested_by'),
    reason: text('reason'),
    batchSize: integer('batch_size').notNull(),
    /** Users in the diff when the run was requested; `processed` of them done so far, `changed` actually changed. */
    total: integer('total').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    changed: integer('changed').notNull().default(0),
    /** The user ids to process (the dry-run diff at request time); each is recomputed under lock when applied. */
    userIds: jsonb('user_ids').$type<string[]>().notNull(),
    /** Last processed position in `userIds` (resumable after a crash). */
    cursor: integer('cursor').notNull().default(0),
    createdAt: ts('created_at').notNull(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    lastError: text('last_error'),
  },
  (t) => [
    check('role_sync_runs_status_check', sql`${t.status} in ('queued', 'running', 'finished', 'failed')`),
    index('role_sync_runs_created_idx').on(t.createdAt),
  ],
);
