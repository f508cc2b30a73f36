/**
 * Raises a billing error that needs a person: one OPEN row per (kind, subject); a recurrence counts up
 * `occurrences` and refreshes `last_seen_at`, `event_id` and `message` instead of adding a row.
 * Runs in the caller's transaction (the one that marks the event failed).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export interface RaiseBillingError {
  kind: string;
  subject: string;
  eventId: string | null;
  message: string;
  at: Date;
}

export async function raiseBillingError(
  tx: Executor,
  e: RaiseBillingError,
): Promise<{ id: string; occurrences: number }> {
  const res = await tx.execute<{ id: string; occurrences: number }>(sql`
    INSERT INTO billing_errors (kind, subject, event_id, message, occurrences, first_seen_at, last_seen_at, status)
    VALUES (${e.kind}, ${e.subject}, ${e.eventId}, ${e.message}, 1, ${e.at}, ${e.at}, 'open')
    ON CONFLICT (kind, subject) WHERE status = 'open' DO UPDATE
      SET occurrences = billing_errors.occurrences + 1,
          last_seen_at = GREATEST(billing_errors.last_seen_at, excluded.last_seen_at),
          event_id = excluded.event_id,
          message = excluded.message
    RETURNING id, occurrences`);
  const row = res.rows[0];
  if (!row) throw new Error('billing error upsert returned no row');
  return { id: row.id, occurrences: Number(row.occurrences) };
}
