/**
 * The event dispatcher: applies stored Stripe events through the handlers map, one transaction per event.
 *
 * Per event: BEGIN; claim a due row (`FOR UPDATE SKIP LOCKED`); take the advisory lock of its ordering key
 * (try-lock: if another worker holds the key, leave the row to it); apply the EARLIEST due event of that key (so
 * a later event is never applied before an earlier one that is already stored and pending); set its status
 * (`processed` / `stale` / `ignored` / `skipped`), attempts and processed_at; COMMIT. The status change and the
 * effects commit together, so a crash anywhere leaves the event pending with no effect, and a second delivery of
 * the same work (another worker, a restart) finds it no longer pending.
 *
 * A handler error rolls everything back; a small transaction then records the attempt: `parked` with backoff
 * (NotLinkableError or any other error), or after `maxAttempts` `failed` and linked to an open billing_error.
 * The event is never lost: it stays in the table in every case and can be retried or replayed.
 */
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Counter, Histogram } from 'prom-client';
import type { Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { scrub } from '../../logger.js';
import { raiseBillingError } from '../errors/raise-billing-error.js';
import type { StripeEventStatus } from '../inbox.tables.js';
import { DEFAULT_MAX_ATTEMPTS, retriesExhausted, retryDelaySeconds } from './dispatch-policy.js';
import { NotLinkableError, type EventContext, type Handler, type HandlerMap } from './types.js';

/** Namespace of the ordering-key advisory locks (two-int form: never collides with one-bigint locks). */
export const ORDERING_LOCK_CLASS = 1936;

export interface DispatchMetrics {
  events: Counter<'type' | 'status'>;
  duration: Histogram<'status'>;
}

export interface DispatchOptions {
  handlers: HandlerMap;
  /** Tries before an event is failed with an open billing_error (default 8, about an hour of backoff). */
  maxAttempts?: number;
  metrics?: DispatchMetrics;
}

export type DispatchResult =
  | { kind: 'applied'; eventId: string; status: StripeEventStatus; note: string | null }
  | { kind: 'retry'; eventId: string; status: 'parked' | 'failed' | 'unchanged'; error: string }
  | { kind: 'busy'; key: string };

type EventRow = {
  id: string;
  type: string;
  payload: Stripe.Event;
  attempts: number;
};

/** Runs the event's handler in `tx` and says which status the event gets. Shared with admin replay. */
export async function applyEvent(
  deps: Deps,
  handlers: HandlerMap,
  tx: Tx,
  event: Stripe.Event,
): Promise<{ status: StripeEventStatus; note: string | null }> {
  const handler = (handlers as Record<string, Handler<Stripe.Event.Type> | undefined>)[event.type];
  if (!handler) return { status: 'skipped', note: 'no_handler' };
  const ctx: EventContext = {
    tx,
    deps,
    event,
    enqueue: async (name, data, opts) => {
      await deps.queue.enqueue(tx, name, data, opts);
    },
  };
  const result = await handler(ctx as EventContext<never>);
  const status: StripeEventStatus = result.outcome === 'applied' ? 'processed' : result.outcome;
  return { status, note: result.note ?? null };
}

const errorText = (e: unknown) => scrub(e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 2000);

/**
 * Claims and applies one due event. Returns null when nothing is due, `busy` when the claimed row's key is held
 * by another worker (skip that key for a moment), else what happened. Throws only when the database fails.
 */
export async function dispatchNext(
  deps: Deps,
  opts: DispatchOptions,
  busyKeys: readonly string[] = [],
): Promise<DispatchResult | null> {
  const started = performance.now();
  const now = deps.clock.now();
  let claimed: EventRow | undefined;
  let outcome: DispatchResult | null = null;
  try {
    outcome = await deps.db.transaction(async (tx) => {
      const claim = await tx.execute<{ id: string; ordering_key: string; locked: boolean }>(sql`
        SELECT c.id, c.ordering_key, pg_try_advisory_xact_lock(${ORDERING_LOCK_CLASS}, hashtext(c.ordering_key)) AS locked
        FROM (SELECT id, ordering_key FROM stripe_events
              WHERE status IN ('pending', 'parked') AND available_at <= ${now}
                AND ordering_key <> ALL(${busyKeys as string[]}::text[])
              ORDER BY available_at
              LIMIT 1
              FOR UPDATE SKIP LOCKED) c`);
      const candidate = claim.rows[0];
      if (!candidate) return null;
      if (!candidate.locked) return { kind: 'busy' as const, key: candidate.ordering_key };
      // We hold the key: apply its earliest due event (maybe an earlier one than the candidate). Rows of this key
      // can only be locked by claimers that will fail the try-lock and let go, so this wait is short.
      const head = await tx.execute<EventRow>(sql`
        SELECT id, type, payload, attempts FROM stripe_events
        WHERE ordering_key = ${candidate.ordering_key} AND status IN ('pending', 'parked') AND available_at <= ${now}
        ORDER BY created_at, id
        LIMIT 1
        FOR UPDATE`);
      const row = head.rows[0];
      if (!row) return null;
      claimed = row;
      const applied = await applyEvent(deps, opts.handlers, tx, row.payload);
      await tx.execute(sql`
        UPDATE stripe_events
        SET status = ${applied.status}, note = ${applied.note}, attempts = attempts + 1, processed_at = ${now}
        WHERE id = ${row.id}`);
      return { kind: 'applied' as const, eventId: row.id, status: applied.status, note: applied.note };
    });
  } catch (e) {
    if (!claimed) throw e; // the claim itself failed: the database is in trouble, the caller backs off
    outcome = await recordFailure(deps, opts, claimed, e);
  }
  if (outcome && outcome.kind !== 'busy' && opts.metrics) {
    const type = claimed?.type ?? 'unknown';
    opts.metrics.events.inc({ type, status: outcome.status });
    opts.metrics.duration.observe({ status: outcome.status }, (performance.now() - started) / 1000);
  }
  return outcome;
}

/** Records a failed try in its own transaction: parked with backoff, or failed + billing_error after the last. */
async function recordFailure(deps: Deps, opts: DispatchOptions, row: EventRow, error: unknown): Promise<DispatchResult> {
  const now = deps.clock.now();
  const message = errorText(error);
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const status = await deps.db.transaction(async (tx) => {
    const cur = await tx.execute<{ attempts: number; status: StripeEventStatus }>(
      sql`SELECT attempts, status FROM stripe_events WHERE id = ${row.id} FOR UPDATE`,
    );
    const c = cur.rows[0];
    // Another worker got to it in between (applied it, or recorded this same failure): nothing to record.
    if (!c || (c.status !== 'pending' && c.status !== 'parked') || c.attempts !== row.attempts) return 'unchanged' as const;
    const attempts = row.attempts + 1;
    if (retriesExhausted(attempts, maxAttempts)) {
      const kind = error instanceof NotLinkableError ? error.reason : 'handler_error';
      const subject = error instanceof NotLinkableError ? error.subject : row.type;
      const be = await raiseBillingError(tx, { kind, subject, eventId: row.id, message, at: now });
      await tx.execute(sql`
        UPDATE stripe_events
        SET status = 'failed', attempts = ${attempts}, last_error = ${message}, billing_error_id = ${be.id}
        WHERE id = ${row.id}`);
      return 'failed' as const;
    }
    const availableAt = new Date(now.getTime() + retryDelaySeconds(attempts) * 1000);
    await tx.execute(sql`
      UPDATE stripe_events
      SET status = 'parked', attempts = ${attempts}, last_error = ${message}, available_at = ${availableAt}
      WHERE id = ${row.id}`);
    return 'parked' as const;
  });
  const level = error instanceof NotLinkableError ? 'info' : 'warn';
  deps.logger[level]({ eventId: row.id, type: row.type, status, error: message }, 'stripe event not applied');
  return { kind: 'retry', eventId: row.id, status, error: message };
}

/**
 * Applies due events until none is left (or `limit` dispatches). For tests, the bench and one-shot drains;
 * workers use startDispatcher, which waits for NOTIFY between drains.
 */
export async function drainEvents(deps: Deps, opts: DispatchOptions, limit = Infinity): Promise<number> {
  let n = 0;
  const busy: string[] = [];
  while (n < limit) {
    const r = await dispatchNext(deps, opts, busy);
    if (r === null) return n;
    if (r.kind === 'busy') busy.push(r.key);
    else n++;
  }
  return n;
}
