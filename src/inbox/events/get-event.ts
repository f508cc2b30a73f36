/**
 * One stored Stripe event with its payload, for the admin events log. An event whose payload retention dropped
 * (src/inbox/retention/prune-event-payloads.ts) answers `payload: null` with `payloadPrunedAt` set.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { EVENT_SUMMARY_COLUMNS, toSummary, type EventRow, type EventSummary } from './list-events.js';

export async function getEvent(db: Executor, id: string): Promise<EventSummary & { payload: unknown }> {
  const res = await db.execute<EventRow & { payload: unknown }>(
    sql`SELECT ${EVENT_SUMMARY_COLUMNS}, payload FROM stripe_events WHERE id = ${id}`,
  );
  const row = res.rows[0];
  if (!row) throw notFound('Event', 'event_not_found');
  return { ...toSummary(row), payload: row.payload };
}
