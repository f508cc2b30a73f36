/**
 * Every background job of every domain, in one list. A domain lists its jobs as `JobDefinition`s in its own
 * `*.jobs.ts` and adds them to `jobDefinitions` below (one line per domain).
 * Stripe webhook events are not pg-boss jobs: the dispatcher drains `stripe_events` directly
 * (src/inbox/webhooks/dispatch-event.ts); jobs that events cause (emails, timers) are enqueued from the
 * handlers through `ctx.enqueue`, inside the event's transaction.
 */
import type { Deps } from '../deps.js';
import type { QueueDefinition } from './queue.js';
import { reconcileJob } from '../inbox/reconcile/reconcile.jobs.js';
import { dunningJobs } from '../dunning/dunning.jobs.js';
import { roleJobs } from '../accounts/roles/roles.jobs.js';
import { notificationJobs } from '../notifications/notifications.jobs.js';
import { analyticsJobs } from '../analytics/analytics.jobs.js';
import { retentionJobs } from '../inbox/retention/retention.jobs.js';

export interface JobDefinition<D extends object = object> extends QueueDefinition {
  /** Runs one job. Throwing fails the try; pg-boss retries per the queue's retry policy. Must be idempotent. */
  run(deps: Deps, data: D, job: { id: string }): Promise<void>;
  /** Scheduled jobs: a 5-field cron in UTC (e.g. `0 3 * * *` daily at 03:00) and the data each run gets. */
  cron?: string;
  cronData?: D;
  /** Jobs fetched per poll (default 1). */
  batchSize?: number;
}

// ─── One line per domain ──────────────────────────────────────────────────────────────────────────────────
export const jobDefinitions: JobDefinition[] = [
  reconcileJob as JobDefinition, // billing: daily reconciliation with Stripe (sertantai sync)
  ...dunningJobs, // issue 5: dunning.sweep (grace reminders and expiry, every minute)
  ...roleJobs, // issue 5: roles.override-expiry (every minute), roles.sync (bulk role sync runs)
  ...notificationJobs, // issue 5: notifications.send (outbox → SMTP, every minute)
  ...analyticsJobs, // analytics.compact-rollups (fold the report rollups' delta rows, every minute)
  ...retentionJobs, // issue 18: inbox.prune-event-payloads (EVENT_PAYLOAD_RETENTION_DAYS, hourly)
];
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────
