/**
 * The mirror of refunds and disputes, shared by the charge.refunded / refund.* / charge.dispute.* handlers and
 * reconciliation. Linked to their payment by charge or payment intent id; when the payment arrives later,
 * payments.repo links them (linkChildren).
 */
import { eq, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Executor } from '../../db/client.js';
import { disputes, payments, refunds } from '../billing.tables.js';
import type { MirrorResult } from '../customers/customers.repo.js';
import { disputeRank, isNewer, refundRank } from '../mirror/version-guard.js';
import { atRequired, differs, idOf } from '../mirror/stripe-refs.js';

export type RefundRow = typeof refunds.$inferSelect;
export type DisputeRow = typeof disputes.$inferSelect;

async function paymentIdOf(tx: Executor, charge: string | null, pi: string | null): Promise<string | null> {
  const conds = [
    charge ? eq(payments.stripeChargeId, charge) : undefined,
    pi ? eq(payments.stripePaymentIntentId, pi) : undefined,
  ].filter((c) => c !== undefined);
  if (!conds.length) return null;
  const [p] = await tx
    .select({ id: payments.id })
    .from(payments)
    .where(or(...conds))
    .limit(1);
  return p?.id ?? null;
}

export async function upsertRefund(
  tx: Executor,
  r: Stripe.Refund,
  versionAt: Date,
  eventId: string | null = null,
): Promise<MirrorResult<RefundRow>> {
  const find = async () =>
    (await tx.select().from(refunds).where(eq(refunds.stripeRefundId, r.id)).for('update'))[0] ?? null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await find();
    if (
      before &&
      !isNewer(
        { at: versionAt, eventId, rank: refundRank(r.status) },
        { at: before.stripeVersionAt, eventId: before.stripeEventId, rank: refundRank(before.status) },
      )
    ) {
      return { outcome: 'stale', before, row: before };
    }
    const charge = idOf(r.charge);
    const pi = idOf(r.payment_intent);
    const values = {
      stripeRefundId: r.id,
      paymentId: (await paymentIdOf(tx, charge, pi)) ?? before?.paymentId ?? null,
      stripeChargeId: charge,
      stripePaymentIntentId: pi,
      amountMinor: r.amount,
      currency: r.currency.toLowerCase(),
      status: r.status ?? null,
      reason: r.reason ?? null,
      createdAt: atRequired(r.created),
      stripeVersionAt: versionAt,
      stripeEventId: eventId,
      updatedAt: sql`now()`,
    };
    if (before) await tx.update(refunds).set(values).where(eq(refunds.id, before.id));
    else if (
      !(await tx.insert(refunds).values(values).onConflictDoNothing().returning({ id: refunds.id })).length
    )
      continue;
    const row = await find();
    return {
      outcome: !before
        ? 'inserted'
        : differs(before, row, ['paymentId', 'amountMinor', 'status', 'reason'])
          ? 'updated'
          : 'unchanged',
      before,
      row,
    };
  }
  throw new Error(`refund ${r.id}: could not insert or lock after 3 attempts`);
}

const CLOSED = new Set(['won', 'lost', 'warning_closed', 'prevented']);

export async function upsertDispute(
  tx: Executor,
  d: Stripe.Dispute,
  versionAt: Date,
  eventId: string | null = null,
  opts: { closedAt?: Date } = {},
): Promise<MirrorResult<DisputeRow>> {
  const find = async () =>
    (await tx.select().from(disputes).where(eq(disputes.stripeDisputeId, d.id)).for('update'))[0] ?? null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await find();
    if (
      before &&
      !isNewer(
        { at: versionAt, eventId, rank: disputeRank(d.status) },
        { at: before.stripeVersionAt, eventId: before.stripeEventId, rank: disputeRank(before.status) },
      )
    ) {
      // A late charge.dispute.closed still dates the closing (the earliest close event wins, in any order).
      if (opts.closedAt && before.closedAt && opts.closedAt < before.closedAt) {
        await tx.update(disputes).set({ closedAt: opts.closedAt }).where(eq(disputes.id, before.id));
        return { outcome: 'updated', before, row: await find() };
      }
      return { outcome: 'stale', before, row: before };
    }
    const charge = idOf(d.charge);
    const pi = idOf(d.payment_intent);
    const closed = CLOSED.has(d.status);
    const values = {
      stripeDisputeId: d.id,
      paymentId: (await paymentIdOf(tx, charge, pi)) ?? before?.paymentId ?? null,
      stripeChargeId: charge,
      stripePaymentIntentId: pi,
      amountMinor: d.amount,
      currency: d.currency.toLowerCase(),
      status: d.status,
      reason: d.reason ?? null,
      createdAt: atRequired(d.created),
      // Stripe has no closed timestamp: charge.dispute.closed's created (opts.closedAt) dates it, else the first
      // applied event that shows it closed.
      closedAt: closed ? minDate(before?.closedAt, opts.closedAt ?? versionAt) : null,
      stripeVersionAt: versionAt,
      stripeEventId: eventId,
      updatedAt: sql`now()`,
    };
    if (before) await tx.update(disputes).set(values).where(eq(disputes.id, before.id));
    else if (
      !(await tx.insert(disputes).values(values).onConflictDoNothing().returning({ id: disputes.id })).length
    )
      continue;
    const row = await find();
    return {
      outcome: !before
        ? 'inserted'
        : differs(before, row, ['paymentId', 'amountMinor', 'status', 'reason', 'closedAt'])
          ? 'updated'
          : 'unchanged',
      before,
      row,
    };
  }
  throw new Error(`dispute ${d.id}: could not insert or lock after 3 attempts`);
}

function minDate(a: Date | null | undefined, b: Date): Date {
  return a && a < b ? a : b;
}
