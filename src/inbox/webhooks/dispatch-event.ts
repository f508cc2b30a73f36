/**
 * The event dispatcher: applies stored Stripe events through the handlers map.
 *
 * One transaction applies a batch of due events (default up to 32):
 *  1. scan the earliest due rows (`pending`, or `parked` whose retry time came) and try-lock each row's ORDERING
 *     KEY (transaction advisory lock); keys held by another worker are left to it. Holding a key's lock is what
 *     owns its rows: every writer of an event's status takes it (dispatcher, replay, billing-error retry).
 *  2. read the due events of the locked keys in `created` order (a fresh snapshot, taken after the locks, so an
 *     event another worker just committed is seen as done) — a later event of a key is never applied before an
 *     earlier one that is already stored and due.
 *  3. apply them, each key's events in order and the keys side by side (applyTogether: their statements share one
 *     pipelined round trip per step); their effects and status changes commit together with the batch. If any
 *     event fails, the batch rolls back and runs again one event at a time, each after a SAVEPOINT, so a handler
 *     error undoes only its event, which is then `parked` with backoff (NotLinkableError or any other error) or,
 *     after `maxAttempts`, `failed` with an open billing_error. Nothing is ever deleted: an event is never lost.
 *  4. COMMIT once (one fsync, and one hold of the audit chain's head lock, for the whole batch).
 * A crash anywhere rolls the batch back: the events are still due and are applied again, exactly once in effect.
 */
import { sql, type SQL } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Counter, Histogram } from 'prom-client';
import type { Executor, Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { scrub } from '../../logger.js';
import { deferWrites } from '../../db/deferred-writes.js';
import { clientOf } from '../../jobs/queue.js';
import { raiseBillingError } from '../../billing/errors/raise-billing-error.js';
import type { StripeEventStatus } from '../inbox.tables.js';
import { DEFAULT_MAX_ATTEMPTS, retriesExhausted, retryDelaySeconds } from './dispatch-policy.js';
import { NotLinkableError, type EventContext, type Handler, type HandlerMap } from './types.js';
import { failpoint } from '../../failpoints.js';

/** Namespace of the ordering-key advisory locks (two-int form: never collides with one-bigint locks). */
export const ORDERING_LOCK_CLASS = 1936;

/** `pg_advisory_xact_lock` on an ordering key: blocks until no dispatcher holds it. For replay and retries. */
export async function lockOrderingKey(tx: Executor, key: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${ORDERING_LOCK_CLASS}, hashtext(${key}))`);
}

export interface DispatchMetrics {
  events: Counter<'type' | 'status'>;
  duration: Histogram<'status'>;
  /** Per batch: how long its oldest event waited after falling due, plus the batch's apply and commit. */
  lag: Histogram;
}

export interface DispatchOptions {
  handlers: HandlerMap;
  /** Tries before an event is failed with an open billing_error (default 8, about an hour of backoff). */
  maxAttempts?: number;
  /** Events per transaction (default 32; at most 60 so savepoints stay in PostgreSQL's subtransaction cache). */
  batchSize?: number;
  metrics?: DispatchMetrics;
}

export interface EventOutcome {
  eventId: string;
  type: string;
  status: StripeEventStatus;
  note: string | null;
  error?: string;
}

export interface BatchResult {
  outcomes: EventOutcome[];
  /** Due rows seen (0: nothing is due; outcomes empty with candidates > 0: other workers hold every due key). */
  candidates: number;
  /** How long the earliest due event the batch saw had been waiting (ms; 0 when nothing was due). */
  lagMs: number;
}

type EventRow = {
  id: string;
  type: string;
  payload: Stripe.Event;
  attempts: number;
  ordering_key: string;
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

/** Thrown out of an optimistic batch (no savepoints) when one of its events fails, to roll the whole batch back. */
class EventFailed extends Error {}

// The cause first: Drizzle's "Failed query: <sql>" wraps what PostgreSQL said (a deadlock, a constraint), which the
// note must keep — 2,000 characters of SQL hid it.
const errorText = (e: unknown): string => {
  if (e instanceof EventFailed) return e.message; // already this text, cause included
  const cause =
    e instanceof Error && e.cause instanceof Error ? `${e.cause.name}: ${e.cause.message} ← ` : '';
  return scrub(cause + (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).slice(0, 2000);
};
const inList = (values: string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/**
 * Claims and applies up to `batchSize` due events in one transaction (see the file comment). Throws only when the
 * database fails (nothing is committed then; the events stay due).
 */
export async function dispatchBatch(deps: Deps, opts: DispatchOptions): Promise<BatchResult> {
  try {
    return await runBatch(deps, opts, false);
  } catch (e) {
    if (!(e instanceof EventFailed)) throw e;
    // An event of the optimistic batch failed: nothing of the batch committed. Again, each event behind a savepoint.
    return runBatch(deps, opts, true);
  }
}

/**
 * One batch. `savepoints: false` (the common case, every event applies): no savepoint round trips, and the first
 * failing event aborts the batch (EventFailed) for dispatchBatch to run it again with `savepoints: true`, where
 * each event runs after a savepoint and a failure undoes only that event, which is then parked or failed.
 */
async function runBatch(deps: Deps, opts: DispatchOptions, savepoints: boolean): Promise<BatchResult> {
  const started = performance.now();
  const batchSize = Math.max(1, Math.min(60, opts.batchSize ?? 32));
  const now = deps.clock.now();
  let current: EventRow | undefined;
  let result: BatchResult;
  try {
    result = await deps.db.transaction(async (tx) => {
      // Asynchronous commit: the batch's effects and its events' status commit together or not at all, so a crash
      // that loses the last unflushed batches leaves their events due, to be applied again (exactly once in
      // effect), and nothing outside the database acts on a batch before a synchronous commit (the ingest's, the
      // mail sender's) has flushed it too. The commit no longer waits for its WAL flush.
      await clientOf(tx).query('SET LOCAL synchronous_commit = off');
      // Lazily, in queue order: try-lock each due row's key until `batchSize` rows are ours. Keys held by other
      // workers fail the try-lock and are skipped, so concurrent workers spread over different keys. The inner
      // LIMIT is a planner fence (the lock must be evaluated on due rows only, in order).
      const scan = await tx.execute<{ ordering_key: string; available_at: Date }>(sql`
        SELECT c.ordering_key, c.available_at FROM (
          SELECT ordering_key, available_at FROM stripe_events
          WHERE status IN ('pending', 'parked') AND available_at <= ${now}
          ORDER BY available_at
          LIMIT ${batchSize * 16}) c
        WHERE pg_try_advisory_xact_lock(${ORDERING_LOCK_CLASS}, hashtext(c.ordering_key))
        LIMIT ${batchSize}`);
      const keys = [...new Set(scan.rows.map((r) => r.ordering_key))];
      if (keys.length === 0) {
        const any = await tx.execute(sql`
          SELECT 1 FROM stripe_events WHERE status IN ('pending', 'parked') AND available_at <= ${now} LIMIT 1`);
        return { outcomes: [], candidates: any.rows.length, lagMs: 0 };
      }
      // The scan is in available_at order: its first row waited longest.
      const lagMs = Math.max(0, now.getTime() - new Date(scan.rows[0]!.available_at).getTime());
      const due = await tx.execute<EventRow>(sql`
        SELECT id, type, payload, attempts, ordering_key FROM stripe_events
        WHERE ordering_key IN (${inList(keys)}) AND status IN ('pending', 'parked') AND available_at <= ${now}
        ORDER BY created_at, id
        LIMIT ${batchSize}`);

      // Each event runs after a savepoint, so a handler error undoes only that event. Releasing one savepoint and
      // setting the next is one round trip (simple protocol, two statements).
      const client = clientOf(tx);
      // Optimistic batch: its write-only inserts (audit rows, receipts) go in one INSERT per kind at the end. With
      // savepoints each event writes its own, so a row the database refuses fails only its event.
      const deferred = savepoints ? undefined : deferWrites(tx);
      let outcomes: EventOutcome[] = [];
      if (savepoints) {
        for (const [i, row] of due.rows.entries()) {
          current = row;
          await client.query(
            i === 0
              ? 'SAVEPOINT dispatch_event'
              : 'RELEASE SAVEPOINT dispatch_event; SAVEPOINT dispatch_event',
          );
          try {
            const applied = await applyEvent(deps, opts.handlers, tx, row.payload);
            outcomes.push({ eventId: row.id, type: row.type, ...applied });
          } catch (e) {
            await client.query('ROLLBACK TO SAVEPOINT dispatch_event');
            outcomes.push(await recordFailure(deps, opts, tx, row, e, now));
          }
        }
        current = undefined;
      } else {
        outcomes = await applyTogether(deps, opts.handlers, tx, due.rows);
      }
      failpoint('dispatch.mid-batch');
      if (deferred) {
        try {
          await deferred.flush();
        } catch (e) {
          throw new EventFailed(errorText(e), { cause: e });
        }
      }
      const applied = outcomes.filter((o) => o.error === undefined);
      if (applied.length > 0) {
        await tx.execute(sql`
          UPDATE stripe_events e
          SET status = v.status, note = v.note, attempts = e.attempts + 1, processed_at = ${now}
          FROM (SELECT * FROM unnest(
                  ARRAY[${inList(applied.map((o) => o.eventId))}]::text[],
                  ARRAY[${inList(applied.map((o) => o.status))}]::text[],
                  ARRAY[${sql.join(
                    applied.map((o) => sql`${o.note}`),
                    sql`, `,
                  )}]::text[]) AS u(id, status, note)) v
          WHERE e.id = v.id`);
      }
      return { outcomes, candidates: due.rows.length, lagMs };
    });
  } catch (e) {
    // The transaction itself broke while applying one event of a batch of one (a handler that poisons the
    // transaction beyond its savepoint): record that try on its own so the queue moves on.
    if (current && batchSize === 1 && !(e instanceof EventFailed)) {
      const row = current;
      const outcome = await deps.db.transaction(async (tx) => {
        await lockOrderingKey(tx, row.ordering_key);
        const cur = await tx.execute<{ attempts: number; status: StripeEventStatus }>(
          sql`SELECT attempts, status FROM stripe_events WHERE id = ${row.id}`,
        );
        const c = cur.rows[0];
        if (!c || (c.status !== 'pending' && c.status !== 'parked') || c.attempts !== row.attempts)
          return null;
        return recordFailure(deps, opts, tx, row, e, now);
      });
      result = { outcomes: outcome ? [outcome] : [], candidates: 1, lagMs: 0 };
    } else {
      throw e;
    }
  }
  if (opts.metrics && result.outcomes.length > 0) {
    const seconds = (performance.now() - started) / 1000 / result.outcomes.length;
    for (const o of result.outcomes) {
      opts.metrics.events.inc({ type: o.type, status: o.status });
      opts.metrics.duration.observe({ status: o.status }, seconds);
    }
    opts.metrics.lag.observe((result.lagMs + performance.now() - started) / 1000);
  }
  return result;
}

/**
 * The optimistic batch's events, applied together: each key's events one after another in `created` order, the keys
 * side by side. Their statements share the transaction's connection, which pipelines them (src/db/client.ts): the
 * handlers of 32 customers wait for one round trip per step instead of 32. Different keys touch different rows
 * (their customer, its subscriptions, invoices, user), so interleaving their statements gives the same result as
 * one order of them — the order different workers would have applied them in anyway. If any event fails, every
 * handler is first let finish (none may issue a statement after the rollback), then EventFailed rolls the batch back
 * for the one-by-one rerun behind savepoints.
 */
async function applyTogether(
  deps: Deps,
  handlers: HandlerMap,
  tx: Tx,
  rows: EventRow[],
): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = new Array(rows.length);
  const byKey = new Map<string, number[]>();
  for (const [i, row] of rows.entries()) {
    const chain = byKey.get(row.ordering_key);
    if (chain) chain.push(i);
    else byKey.set(row.ordering_key, [i]);
  }
  let failed = false;
  const settled = await Promise.allSettled(
    [...byKey.values()].map(async (chain) => {
      for (const i of chain) {
        if (failed) return;
        const row = rows[i]!;
        try {
          outcomes[i] = {
            eventId: row.id,
            type: row.type,
            ...(await applyEvent(deps, handlers, tx, row.payload)),
          };
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    }),
  );
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (errors.length > 0) {
    // The first failure aborted the transaction; the events whose statements followed it report 25P02.
    const cause = errors.find((e) => (e as { code?: unknown })?.code !== '25P02') ?? errors[0];
    throw new EventFailed(errorText(cause), { cause });
  }
  return outcomes;
}

/** Records a failed try in `tx` (the batch, after the event's savepoint was rolled back). */
async function recordFailure(
  deps: Deps,
  opts: DispatchOptions,
  tx: Tx,
  row: EventRow,
  error: unknown,
  now: Date,
): Promise<EventOutcome> {
  const message = errorText(error);
  const attempts = row.attempts + 1;
  let status: 'parked' | 'failed';
  if (retriesExhausted(attempts, opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
    const kind = error instanceof NotLinkableError ? error.reason : 'handler_error';
    const subject = error instanceof NotLinkableError ? error.subject : row.type;
    const be = await raiseBillingError(tx, { kind, subject, eventId: row.id, message, at: now });
    await tx.execute(sql`
      UPDATE stripe_events
      SET status = 'failed', attempts = ${attempts}, last_error = ${message}, billing_error_id = ${be.id}
      WHERE id = ${row.id}`);
    status = 'failed';
  } else {
    const availableAt = new Date(now.getTime() + retryDelaySeconds(attempts) * 1000);
    await tx.execute(sql`
      UPDATE stripe_events
      SET status = 'parked', attempts = ${attempts}, last_error = ${message}, available_at = ${availableAt}
      WHERE id = ${row.id}`);
    status = 'parked';
  }
  const level = error instanceof NotLinkableError ? 'info' : 'warn';
  deps.logger[level](
    { eventId: row.id, type: row.type, status, attempts, error: message },
    'stripe event not applied',
  );
  return { eventId: row.id, type: row.type, status, note: null, error: message };
}

/**
 * Applies due events until none is left that this caller can take (or `limit` events were handled). For tests,
 * the bench and one-shot drains; workers run startDispatcher, which waits for NOTIFY between drains.
 * Returns how many events were handled (applied, skipped, parked or failed).
 */
export async function drainEvents(deps: Deps, opts: DispatchOptions, limit = Infinity): Promise<number> {
  return (await drainEventOutcomes(deps, opts, limit)).length;
}

/** drainEvents, returning each event's outcome in the order they were handled. */
export async function drainEventOutcomes(
  deps: Deps,
  opts: DispatchOptions,
  limit = Infinity,
): Promise<EventOutcome[]> {
  const all: EventOutcome[] = [];
  while (all.length < limit) {
    const batchSize = Math.min(opts.batchSize ?? 32, limit - all.length);
    const r = await dispatchBatch(deps, { ...opts, batchSize });
    if (r.outcomes.length === 0) return all;
    all.push(...r.outcomes);
  }
  return all;
}
