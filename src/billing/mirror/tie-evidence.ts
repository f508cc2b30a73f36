/**
 * The row side's succession evidence for a same-second tie (version-guard.ts, rule 2): the type and
 * previous_attributes of the event that last wrote the row, read from its stored payload. Only read on a tie
 * between two events, so the common path costs nothing.
 *
 * A pruned payload (EVENT_PAYLOAD_RETENTION_DAYS, src/inbox/retention/prune-event-payloads.ts) leaves the type but
 * not previous_attributes: the row side then offers only what its type says (`*.created` or not) and no previous
 * values, so rule 2 decides only on `*.created` and otherwise falls through to rule 3 (rank, then event id) — the
 * same as for an event sent without previous_attributes. Safe: a tie needs the incoming event to have been created
 * in the same second as the row's last event, and a pruned event was received (so created) more than the retention
 * (at least 31 days) ago, while Stripe retries a delivery for at most 3 days and reconciliation recovers events of
 * the last 30 days only. What remains is an admin retry of an old failed event (failed events are never pruned):
 * deterministic by rank and id, as before succession evidence existed. `customer.subscription.*` events are never
 * pruned, so subscriptions always have their evidence.
 */
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { stripeEvents } from '../../inbox/inbox.tables.js';
import { successionOf, type Succession } from './version-guard.js';

export async function tieEvidence(
  tx: Executor,
  row: { stripeVersionAt: Date; stripeEventId: string | null },
  incoming: { at: Date; eventId: string | null },
): Promise<Succession> {
  if (
    !row.stripeEventId ||
    !incoming.eventId ||
    row.stripeEventId === incoming.eventId ||
    row.stripeVersionAt.getTime() !== incoming.at.getTime()
  )
    return {};
  const [e] = await tx
    .select({
      type: stripeEvents.type,
      previous: sql<unknown>`${stripeEvents.payload}->'data'->'previous_attributes'`,
      prunedAt: stripeEvents.payloadPrunedAt,
    })
    .from(stripeEvents)
    .where(eq(stripeEvents.id, row.stripeEventId));
  if (!e) return {};
  // pruned: the type is all that is left (previous_attributes unknown, so no claim about them)
  if (e.prunedAt) return successionOf({ type: e.type, data: null });
  return successionOf({ type: e.type, data: { previous_attributes: e.previous } });
}
