/**
 * invoice.created / finalized / updated / paid / payment_succeeded / payment_failed / payment_action_required /
 * voided / marked_uncollectible — every state of an invoice; invoice_payment.paid links a payment to its invoice.
 * Safe twice and out of order: upsertInvoice applies only newer objects (created, then status rank and attempt
 * count, then event id), so a `payment_failed` of an older attempt after `invoice.paid` leaves it paid.
 */
import { linkInvoicePayment, upsertInvoice } from '../../../billing/invoices/invoices.repo.js';
import { onInvoiceEvent } from '../../../dunning/on-invoice-event.js';
import { applyEntitledRole } from '../../../accounts/roles/apply-entitled-role.js';
import { notifyDowngraded } from '../../../notifications/notify-downgraded.js';
import { eventAt } from '../../../billing/mirror/event-time.js';
import type { Handler } from '../types.js';
import { auditEvent, mirrorAndAudit } from './handler-kit.js';
import type { FamilyHandler } from './handler-kit.js';

type T =
  | 'invoice.created'
  | 'invoice.finalized'
  | 'invoice.updated'
  | 'invoice.paid'
  | 'invoice.payment_succeeded'
  | 'invoice.payment_failed'
  | 'invoice.payment_action_required'
  | 'invoice.voided'
  | 'invoice.marked_uncollectible'
  | 'invoice.overdue';

export const invoiceChanged: FamilyHandler<T> = async (ctx) => {
  const inv = ctx.event.data.object;
  const r = await upsertInvoice(ctx.tx, inv, eventAt(ctx.event), ctx.event.id);
  // Dunning reacts (payment_failed → case opened or updated, paid → recovery + receipt) and says what it changed;
  // the role is recomputed here, then the "downgraded" notice of a case lost by it, then the audit row.
  const change = (await onInvoiceEvent(ctx.tx, ctx.deps, ctx.event))?.change;
  if (change?.userId) {
    const application = await applyEntitledRole(
      ctx.tx,
      change.userId,
      {
        kind: 'stripe_event',
        eventId: ctx.event.id,
        eventType: ctx.event.type,
        dunningCaseId: change.dunningCaseId,
      },
      change.at,
      { defaultGraceDays: ctx.deps.config.graceDays },
    );
    if (change.lost)
      await notifyDowngraded(ctx.tx, ctx.deps, { ...change.lost, userId: change.userId, application });
  }
  return mirrorAndAudit(ctx, 'invoice', inv.id ?? 'unknown', r);
};

export const invoicePaymentPaid: Handler<'invoice_payment.paid'> = async (ctx) => {
  const ip = ctx.event.data.object;
  const linked = await linkInvoicePayment(ctx.tx, ip);
  if (!linked) return { outcome: 'ignored', note: 'payment already linked' };
  await auditEvent(ctx, {
    subjectType: 'invoice_payment',
    subjectId: ip.id,
    before: null,
    after: { invoice: ip.invoice, payment: ip.payment },
  });
  return { outcome: 'applied' };
};
