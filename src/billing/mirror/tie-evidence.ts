/**
 * The row side's succession evidence for a same-second tie (version-guard.ts, rule 2): the type and
 * previous_attributes of the event that last wrote the row, read from its stored payload. Only read on a tie
 * between two events, so the common path costs nothing.
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
    })
    .from(stripeEvents)
    .where(eq(stripeEvents.id, row.stripeEventId));
  return e ? successionOf({ type: e.type, data: { previous_attributes: e.previous } }) : {};
}
