/**
 * Reconciliation runs (`sertantai sync`, the daily job). A run lists Stripe object kinds one after another; the
 * cursor of each kind (Stripe's `starting_after`) is saved after every page, so an interrupted run resumes where
 * it stopped. The corrections themselves are audit rows (cause.syncRunId), from which the drift report is built.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export type SyncRunStatus = 'running' | 'finished' | 'failed';

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: text('id').primaryKey(),
    /** Objects created (events: emitted) before this instant are outside the run's window. */
    sinceAt: timestamp('since_at', { withTimezone: true }).notNull(),
    status: text('status').$type<SyncRunStatus>().notNull(),
    trigger: text('trigger').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    requests: integer('requests').notNull().default(0),
    lastError: text('last_error'),
    summary: jsonb('summary'),
  },
  (t) => [check('sync_runs_status_check', sql`${t.status} in ('running', 'finished', 'failed')`)],
);

export const syncCursors = pgTable(
  'sync_cursors',
  {
    runId: text('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    objectKind: text('object_kind').notNull(),
    /** Stripe's `starting_after` for the next page; null = from the start. */
    cursor: text('cursor'),
    done: boolean('done').notNull().default(false),
    seen: integer('seen').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.objectKind] })],
);
