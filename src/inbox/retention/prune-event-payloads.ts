/**
 * Retention of the inbox's payloads (issue 18, growth): drops the stored body of done Stripe events received more
 * than EVENT_PAYLOAD_RETENTION_DAYS ago, in bounded batches, keeping the row — id, type, status, times, ordering
 * key, object id, note — so a redelivery of the same id is still absorbed by the primary key (ingest-writer.ts,
 * ON CONFLICT (id) DO NOTHING) and the events log still lists it. A pruned row has `payload` NULL and
 * `payload_pruned_at` set (drizzle/0033_events_payload_retention.sql).
 *
 * What may be pruned (PRUNABLE, also the table's check constraint and the partial index the batches read):
 * - only done events: processed, stale, ignored, skipped. Never pending or parked (the dispatcher still needs the
 *   payload) nor failed (an admin may retry it: close-billing-error.ts puts it back in the queue);
 * - never `customer.subscription.*`: their payloads are the history subscription_states (drizzle/0030) and time
 *   travel (billing/entitlement-inputs.ts) are rebuilt from whenever a late event for the subscription arrives.
 *
 * Age is judged by `received_at` (our clock): an event's `created` is never after its receipt, so a pruned event is
 * also more than N days old by Stripe's clock, past what Stripe can send again (MIN_EVENT_PAYLOAD_RETENTION_DAYS).
 *
 * Readers of a pruned row: replay answers 410 `event_payload_pruned` (replay-event.ts); the admin event detail gives
 * `payload: null` with `payloadPrunedAt` (get-event.ts); tie evidence falls back to the next rule
 * (billing/mirror/tie-evidence.ts).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export const PRUNE_EVENT_PAYLOADS_JOB = 'inbox.prune-event-payloads';

/**
 * The rows a run may prune — keep equal to stripe_events_prunable_idx and stripe_events_payload_check. Written out,
 * not built from a list: the planner uses the partial index only for this very predicate.
 */
const PRUNABLE = sql`payload_pruned_at IS NULL AND status IN ('processed', 'stale', 'ignored', 'skipped')
  AND type NOT LIKE 'customer.subscription.%'`;

export interface PruneOptions {
  /** EVENT_PAYLOAD_RETENTION_DAYS; 0 prunes nothing. */
  retentionDays: number;
  now: Date;
  /** Rows per statement (each batch is its own short transaction). Default 1,000. */
  batchSize?: number;
  /** Stop after this many batches (the next run goes on). Default 200. */
  maxBatches?: number;
}

/** Prunes the payloads of done events received before now − retentionDays; returns how many rows it pruned. */
export async function pruneEventPayloads(db: Executor, opts: PruneOptions): Promise<number> {
  if (opts.retentionDays <= 0) return 0;
  const batchSize = opts.batchSize ?? 1000;
  const maxBatches = opts.maxBatches ?? 200;
  const cutoff = new Date(opts.now.getTime() - opts.retentionDays * 86_400_000);
  let pruned = 0;
  for (let i = 0; i < maxBatches; i++) {
    // SKIP LOCKED: a row an admin is replaying (FOR UPDATE in replay-event.ts) is left for the next run; the
    // condition is checked again on the locked row, so a row that changed status meanwhile is not pruned.
    const res = await db.execute(sql`
      WITH batch AS (
        SELECT id FROM stripe_events
        WHERE ${PRUNABLE} AND received_at < ${cutoff}
        ORDER BY received_at
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE stripe_events e SET payload = NULL, payload_pruned_at = ${opts.now}
      FROM batch WHERE e.id = batch.id`);
    const n = res.rowCount ?? 0;
    pruned += n;
    if (n < batchSize) break;
  }
  return pruned;
}
