/**
 * Admin replay of a stored event: re-applies it NOW through the same handler the dispatcher uses, in one
 * transaction holding the event's ordering-key lock (so it never runs beside the dispatcher on that key), and
 * writes an audit row. Handlers are idempotent and version-guarded, so replaying an event that was already
 * applied changes nothing unless the rows drifted from it (then it restores them, if it is still the newest).
 * Refused for events that must never have an effect (livemode mismatch). A handler error leaves the event as it
 * was and answers 409 `replay_failed` with the reason. An event whose payload retention dropped
 * (EVENT_PAYLOAD_RETENTION_DAYS, src/inbox/retention/prune-event-payloads.ts) has nothing left to apply: 410
 * `event_payload_pruned` (reconciliation, `sertantai sync`, is the way to re-read such an object from Stripe).
 */
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { appendAudit } from '../../audit/append-audit.js';
import type { Deps } from '../../deps.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { scrub } from '../../logger.js';
import type { Actor } from '../../billing/operations/actor.js';
import type { StripeEventStatus } from '../inbox.tables.js';
import { applyEvent, lockOrderingKey } from '../webhooks/dispatch-event.js';
import type { HandlerMap } from '../webhooks/types.js';
import { getEvent } from './get-event.js';
import type { EventSummary } from './list-events.js';

export async function replayEvent(
  deps: Deps,
  handlers: HandlerMap,
  actor: Actor,
  eventId: string,
): Promise<EventSummary & { replay: { status: StripeEventStatus; note: string | null } }> {
  const now = deps.clock.now();
  const key = await deps.db.execute<{ ordering_key: string }>(
    sql`SELECT ordering_key FROM stripe_events WHERE id = ${eventId}`,
  );
  const orderingKey = key.rows[0]?.ordering_key;
  if (!orderingKey) throw notFound('Event', 'event_not_found');
  let result: { status: StripeEventStatus; note: string | null };
  try {
    result = await deps.db.transaction(async (tx) => {
      await lockOrderingKey(tx, orderingKey);
      const cur = await tx.execute<{
        status: StripeEventStatus;
        note: string | null;
        payload: Stripe.Event | null;
        payload_pruned_at: Date | null;
      }>(
        sql`SELECT status, note, payload, payload_pruned_at FROM stripe_events WHERE id = ${eventId} FOR UPDATE`,
      );
      const row = cur.rows[0];
      if (!row) throw notFound('Event', 'event_not_found');
      if (row.payload === null) {
        const at = row.payload_pruned_at ? new Date(row.payload_pruned_at).toISOString() : 'an earlier run';
        throw new AppError(
          'event_payload_pruned',
          `This event's payload was dropped by retention (EVENT_PAYLOAD_RETENTION_DAYS) at ${at}: nothing to replay; run a reconciliation (sertantai sync) to re-read the object from Stripe`,
          410,
        );
      }
      if (row.status === 'ignored' && row.note === 'livemode_mismatch') {
        throw conflict(
          'event_not_replayable',
          'This event is from the other Stripe mode and never has an effect',
        );
      }
      const applied = await applyEvent(deps, handlers, tx, row.payload);
      await tx.execute(sql`
        UPDATE stripe_events
        SET status = ${applied.status}, note = ${applied.note}, attempts = attempts + 1, processed_at = ${now},
            available_at = ${now}
        WHERE id = ${eventId}`);
      await appendAudit(tx, {
        actorType: actor.type,
        actorId: actor.id,
        action: 'stripe_event.replay',
        subjectType: 'stripe_event',
        subjectId: eventId,
        before: { status: row.status, note: row.note },
        after: applied,
        requestId: actor.requestId,
      });
      return applied;
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    const message = scrub(e instanceof Error ? e.message : String(e));
    throw new AppError('replay_failed', `The event could not be applied: ${message}`, 409);
  }
  return { ...(await getEvent(deps.db, eventId)), replay: result };
}
