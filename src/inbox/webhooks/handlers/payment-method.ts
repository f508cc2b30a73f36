/**
 * payment_method.attached / updated / automatically_updated / detached — a card added to, changed on or removed
 * from a customer. Only brand, last4 and expiry are kept, and the customer's default card is derived from them.
 * Safe twice and out of order: versioned per payment method; detachment is sticky and wins a same-second tie.
 */
import { upsertPaymentMethod } from '../../../billing/customers/customers.repo.js';
import { mirrorAndAudit } from './handler-kit.js';
import type { FamilyHandler } from './handler-kit.js';
import { eventAt } from '../../../billing/mirror/event-time.js';

type T =
  | 'payment_method.attached'
  | 'payment_method.updated'
  | 'payment_method.automatically_updated'
  | 'payment_method.detached';

export const paymentMethodChanged: FamilyHandler<T> = async (ctx) => {
  const pm = ctx.event.data.object;
  const r = await upsertPaymentMethod(ctx.tx, pm, eventAt(ctx.event), ctx.event.id, {
    detached: ctx.event.type === 'payment_method.detached',
  });
  return mirrorAndAudit(ctx, 'payment_method', pm.id, r);
};
