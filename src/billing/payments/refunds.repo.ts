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
import { atRequired, idOf } from '../mirror/stripe-refs.js';
import { upsertMirrorRow } from '../mirror/upsert-mirror-row.js';
import { selectRows } from '../../db/rows.js';

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
  return upsertMirrorRow(tx, refunds, {
    subject: `refund ${r.id}`,
    lock: async () =>
      (await selectRows(tx, refunds, eq(refunds.stripeRefundId, r.id), { forUpdate: true }))[0] ?? null,
    decide: async (before) => {
      if (
        before &&
        !isNewer(
          { at: versionAt, eventId, rank: refundRank(r.status) },
          { at: before.stripeVersionAt, eventId: before.stripeEventId, rank: refundRank(before.status) },
        )
      )
        return null;
      const charge = idOf(r.charge);
      const pi = idOf(r.payment_intent);
      return {
        values: {
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
        },
        carry: null,
      };
    },
    compared: ['paymentId', 'amountMinor', 'status', 'reason'],
  });
}

const CLOSED = new Set(['won', 'lost', 'warning_closed', 'prevented']);

export async function upsertDispute(
  tx: Executor,
  d: Stripe.Dispute,
  versionAt: Date,
  eventId: string | null = null,
  opts: { closedAt?: Date } = {},
): Promise<MirrorResult<DisputeRow>> {
  return upsertMirrorRow(tx, disputes, {
    subject: `dispute ${d.id}`,
    lock: async () =>
      (await selectRows(tx, disputes, eq(disputes.stripeDisputeId, d.id), { forUpdate: true }))[0] ?? null,
    decide: async (before) => {
      if (
        before &&
        !isNewer(
          { at: versionAt, eventId, rank: disputeRank(d.status) },
          { at: before.stripeVersionAt, eventId: before.stripeEventId, rank: disputeRank(before.status) },
        )
      ) {
        // A late charge.dispute.closed still dates the closing (the earliest close event wins, in any order).
        if (opts.closedAt && before.closedAt && opts.closedAt < before.closedAt)
          return { values: { closedAt: opts.closedAt }, carry: null };
        return null;
      }
      const charge = idOf(d.charge);
      const pi = idOf(d.payment_intent);
      const closed = CLOSED.has(d.status);
      return {
        values: {
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
        },
        carry: null,
      };
    },
    compared: ['paymentId', 'amountMinor', 'status', 'reason', 'closedAt'],
  });
}

function minDate(a: Date | null | undefined, b: Date): Date {
  return a && a < b ? a : b;
}
