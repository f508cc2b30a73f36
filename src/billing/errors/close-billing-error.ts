/**
 * An admin's answer to an open billing error, audited in the same transaction:
 * - `retry`: its failed events go back to the queue (pending, attempts reset), and
 *   the error is resolved with the note; if they fail again a NEW open error is raised.
 * - `resolve`: fixed by other means (e.g. the missing price was added and the events replayed); events stay as they are.
 * - `ignore`: will not be fixed; events stay failed.
 * Only an open error can be closed (409 `billing_error_not_open` otherwise).
 */
import { sql } from 'drizzle-orm';
import { appendAudit } from '../../audit/append-audit.js';
import type { Deps } from '../../deps.js';
import { conflict } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { getBillingError, type BillingErrorView } from './list-billing-errors.js';

export type BillingErrorAction = 'retry' | 'resolve' | 'ignore';

export async function closeBillingError(
  deps: Deps,
  actor: Actor,
  id: string,
  action: BillingErrorAction,
  note: string | null,
): Promise<BillingErrorView & { requeuedEvents: number }> {
  const before = await getBillingError(deps.db, id);
  const now = deps.clock.now();
  const requeued = await deps.db.transaction(async (tx) => {
    const cur = await tx.execute<{ status: string }>(
      sql`SELECT status FROM billing_errors WHERE id = ${id}::uuid FOR UPDATE`,
    );
    if (cur.rows[0]?.status !== 'open')
      throw conflict('billing_error_not_open', 'This billing error is not open');
    let requeuedEvents = 0;
    if (action === 'retry') {
      // No dispatcher touches `failed` rows, so no ordering-key lock is needed to put them back in the queue.
      const res = await tx.execute(sql`
        UPDATE stripe_events
        SET status = 'pending', attempts = 0, available_at = ${now}, billing_error_id = NULL
        WHERE billing_error_id = ${id}::uuid AND status = 'failed'`);
      requeuedEvents = res.rowCount ?? 0;
    }
    const status = action === 'ignore' ? 'ignored' : 'resolved';
    await tx.execute(sql`
      UPDATE billing_errors
      SET status = ${status}, resolution_note = ${note}, resolved_by = ${actor.id ?? actor.type}, resolved_at = ${now}
      WHERE id = ${id}::uuid`);
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: `billing_error.${action}`,
      subjectType: 'billing_error',
      subjectId: id,
      before: { status: before.status },
      after: { status, requeuedEvents },
      reason: note,
      requestId: actor.requestId,
    });
    return requeuedEvents;
  });
  return { ...(await getBillingError(deps.db, id)), requeuedEvents: requeued };
}
