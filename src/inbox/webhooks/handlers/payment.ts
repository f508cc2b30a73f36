/**
 * payment_intent.* and charge.* — a payment attempt succeeding, failing (decline code, card brand and country
 * for the failure reports), or being refunded. Safe twice and out of order: the intent's and the charge's fields
 * are versioned separately (created, then status rank / refunded amount, then event id).
 */
import { upsertCharge, upsertPaymentIntent } from '../../../billing/payments/payments.repo.js';
import { upsertRefund } from '../../../billing/payments/refunds.repo.js';
import { auditEvent, isChange, mirrorAndAudit, outcomeOf } from './handler-kit.js';
import type { FamilyHandler } from './handler-kit.js';
import { eventAt } from '../../../billing/mirror/event-time.js';

type PI =
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.processing'
  | 'payment_intent.canceled'
  | 'payment_intent.requires_action';

export const paymentIntentChanged: FamilyHandler<PI> = async (ctx) => {
  const pi = ctx.event.data.object;
  const r = await upsertPaymentIntent(ctx.tx, pi, eventAt(ctx.event), ctx.event.id);
  return mirrorAndAudit(ctx, 'payment', pi.id, r);
};

type CH = 'charge.succeeded' | 'charge.failed' | 'charge.refunded' | 'charge.updated' | 'charge.captured';

export const chargeChanged: FamilyHandler<CH> = async (ctx) => {
  const ch = ctx.event.data.object;
  const at = eventAt(ctx.event);
  const r = await upsertCharge(ctx.tx, ch, at, ctx.event.id);
  // The refunds list is not included in charge payloads since 2022; when it is (expanded), mirror them too.
  let refundsChanged = 0;
  if (r.outcome !== 'stale') {
    for (const refund of ch.refunds?.data ?? []) {
      if (isChange(await upsertRefund(ctx.tx, refund, at, ctx.event.id))) refundsChanged++;
    }
  }
  if (isChange(r) || refundsChanged > 0) {
    await auditEvent(ctx, {
      subjectType: 'payment',
      subjectId: r.row?.stripePaymentIntentId ?? ch.id,
      before: r.before,
      after: r.row,
      ...(refundsChanged ? { extra: { refundsChanged } } : {}),
    });
  }
  return outcomeOf(r);
};

type RE = 'refund.created' | 'refund.updated' | 'refund.failed' | 'charge.refund.updated';

export const refundChanged: FamilyHandler<RE> = async (ctx) => {
  const refund = ctx.event.data.object;
  const r = await upsertRefund(ctx.tx, refund, eventAt(ctx.event), ctx.event.id);
  return mirrorAndAudit(ctx, 'refund', refund.id, r);
};
