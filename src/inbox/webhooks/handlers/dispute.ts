/**
 * charge.dispute.created / updated / closed / funds_withdrawn / funds_reinstated — a chargeback opened, moving
 * through review, and won or lost. Safe twice and out of order: versioned (created, then status rank, then event
 * id); `closed_at` is the created of charge.dispute.closed, the earliest one wins in any order.
 */
import { upsertDispute } from '../../../billing/payments/refunds.repo.js';
import { mirrorAndAudit } from './handler-kit.js';
import type { FamilyHandler } from './handler-kit.js';
import { eventAt } from '../../../billing/mirror/event-time.js';

type T =
  | 'charge.dispute.created'
  | 'charge.dispute.updated'
  | 'charge.dispute.closed'
  | 'charge.dispute.funds_withdrawn'
  | 'charge.dispute.funds_reinstated';

export const disputeChanged: FamilyHandler<T> = async (ctx) => {
  const d = ctx.event.data.object;
  const at = eventAt(ctx.event);
  const r = await upsertDispute(
    ctx.tx,
    d,
    at,
    ctx.event.id,
    ctx.event.type === 'charge.dispute.closed' ? { closedAt: at } : {},
  );
  return mirrorAndAudit(ctx, 'dispute', d.id, r);
};
