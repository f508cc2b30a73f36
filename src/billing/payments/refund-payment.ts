/**
 * refundPayment: POST /api/admin/payments/:id/refund { amountMinor?, reason?, note? }. Refunds a payment in full
 * (no amount) or in part, never more than what remains refundable — checked against Stripe's charge, not only our
 * mirror (422 refund_exceeds_remaining). Idempotent per request (stored key `refund:<payment>:<request>`): a retried
 * request or job never makes a second refund. Audited; the refunds row follows from `charge.refunded`.
 */
import { eq, or } from 'drizzle-orm';
import { z } from 'zod';
import type Stripe from 'stripe';
import { appendAudit } from '../../audit/append-audit.js';
import type { Deps } from '../../deps.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { payments } from '../billing.tables.js';
import type { Actor } from '../operations/actor.js';
import { succeededResult, withOperationKey } from '../operations/with-operation-key.js';
import { isUuid } from '../plans/plan-views.js';

export const refundInput = z
  .object({
    amountMinor: z.number().int().positive().optional(),
    reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
    note: z.string().trim().max(500).optional(),
  })
  .strict();
export type RefundInput = z.infer<typeof refundInput>;

/** The answer of POST /payments/:id/refund (also its OpenAPI schema); amounts in the currency's minor unit. */
export const refundResult = z.object({
  refundId: z.string(),
  paymentId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string().nullable(),
  refundedTotal: z.number().int(),
  remaining: z.number().int(),
});

export interface RefundResult {
  refundId: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: string | null;
  refundedTotal: number;
  remaining: number;
}

async function findPayment(deps: Pick<Deps, 'db'>, ref: string) {
  const where = isUuid(ref)
    ? eq(payments.id, ref)
    : or(eq(payments.stripePaymentIntentId, ref), eq(payments.stripeChargeId, ref));
  const [row] = await deps.db.select().from(payments).where(where);
  if (!row) throw notFound('Payment', 'payment_not_found');
  return row;
}

async function chargeOf(
  stripe: Stripe,
  payment: { stripeChargeId: string | null; stripePaymentIntentId: string | null },
) {
  if (payment.stripeChargeId) return stripe.charges.retrieve(payment.stripeChargeId);
  const pi = await stripe.paymentIntents.retrieve(payment.stripePaymentIntentId as string);
  const latest = pi.latest_charge;
  if (!latest) return null;
  return typeof latest === 'string' ? stripe.charges.retrieve(latest) : latest;
}

export async function refundPayment(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  ref: string,
  input: RefundInput,
): Promise<RefundResult> {
  const payment = await findPayment(deps, ref);
  const natural = `${payment.id}:${actor.operationId}`;
  // A retry of a request that already refunded answers with that refund (the remaining amount has changed since).
  const done = await succeededResult(deps.db, 'refund', natural);
  if (done) {
    const refund = await deps.stripe.refunds.retrieve(done);
    const charge = await chargeOf(deps.stripe, payment);
    const refunded = charge?.amount_refunded ?? refund.amount;
    return {
      refundId: refund.id,
      paymentId: payment.id,
      amount: refund.amount,
      currency: refund.currency,
      status: refund.status,
      refundedTotal: refunded,
      remaining: (charge?.amount ?? refunded) - refunded,
    };
  }
  const charge = await chargeOf(deps.stripe, payment);
  if (!charge || !charge.paid || charge.status !== 'succeeded') {
    throw conflict('payment_not_refundable', 'Only a succeeded payment can be refunded');
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0)
    throw invalid('refund_exceeds_remaining', 'This payment is already fully refunded', { remaining: 0 });
  const amount = input.amountMinor ?? remaining;
  if (amount > remaining) {
    throw invalid('refund_exceeds_remaining', `At most ${remaining} (minor units) can still be refunded`, {
      remaining,
    });
  }
  const refund = await withOperationKey(deps.db, 'refund', natural, (idempotencyKey) =>
    deps.stripe.refunds.create(
      {
        charge: charge.id,
        amount,
        ...(input.reason ? { reason: input.reason } : {}),
        metadata: { payment_id: payment.id, requested_by: `${actor.type}:${actor.id ?? ''}` },
      },
      { idempotencyKey },
    ),
  );
  await deps.db.transaction(async (tx) => {
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'payment.refunded',
      subjectType: 'payment',
      subjectId: payment.id,
      before: { amountRefunded: charge.amount_refunded },
      after: {
        refundId: refund.id,
        amount: refund.amount,
        amountRefunded: charge.amount_refunded + refund.amount,
      },
      reason: input.note ?? input.reason ?? null,
      requestId: actor.requestId,
    });
  });
  return {
    refundId: refund.id,
    paymentId: payment.id,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    refundedTotal: charge.amount_refunded + refund.amount,
    remaining: remaining - refund.amount,
  };
}
