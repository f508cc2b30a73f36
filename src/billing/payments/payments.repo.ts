/**
 * The mirror of payments: one row per PaymentIntent (or per Charge without one), shared by the payment_intent.*,
 * charge.* handlers and reconciliation. PaymentIntent and Charge events carry different fields, so each kind is
 * version-guarded on its own columns (intent_version_at / charge_version_at): a charge event never undoes an
 * intent event's fields or the reverse, whatever their order.
 * `status` is the PaymentIntent's status once one was seen, else the charge's (`succeeded` / `failed` / `pending`).
 * Card data kept: brand, last4, issuing country. Failure: code, decline code, message.
 */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Executor } from '../../db/client.js';
import { customers, disputes, payments, refunds } from '../billing.tables.js';
import type { MirrorResult } from '../customers/customers.repo.js';
import { chargeRank, intentRank, isNewer } from '../mirror/version-guard.js';
import { atRequired, idOf } from '../mirror/stripe-refs.js';
import { upsertMirrorRow } from '../mirror/upsert-mirror-row.js';

export type PaymentRow = typeof payments.$inferSelect;

const FIELDS = [
  'stripePaymentIntentId',
  'stripeChargeId',
  'customerId',
  'amountMinor',
  'amountRefundedMinor',
  'currency',
  'status',
  'failureCode',
  'declineCode',
  'failureMessage',
  'cardBrand',
  'cardLast4',
  'cardCountry',
] as const satisfies readonly (keyof PaymentRow)[];

async function lockPayment(tx: Executor, pi: string | null, charge: string | null) {
  const conds = [
    pi ? eq(payments.stripePaymentIntentId, pi) : undefined,
    charge ? eq(payments.stripeChargeId, charge) : undefined,
  ];
  const [row] = await tx
    .select()
    .from(payments)
    .where(or(...conds.filter((c) => c !== undefined)))
    .orderBy(sql`${payments.stripePaymentIntentId} IS NULL`)
    .limit(1)
    .for('update');
  return row ?? null;
}

async function localCustomerId(tx: Executor, stripeCustomerId: string | null): Promise<string | null> {
  if (!stripeCustomerId) return null;
  const [c] = await tx
    .select({ id: customers.id })
    .from(customers)
    .where(eq(customers.stripeCustomerId, stripeCustomerId));
  return c?.id ?? null;
}

/** Refunds and disputes seen before their payment get linked now. */
async function linkChildren(tx: Executor, row: PaymentRow): Promise<void> {
  for (const table of [refunds, disputes]) {
    const match = [
      row.stripeChargeId ? eq(table.stripeChargeId, row.stripeChargeId) : undefined,
      row.stripePaymentIntentId ? eq(table.stripePaymentIntentId, row.stripePaymentIntentId) : undefined,
    ].filter((c) => c !== undefined);
    if (match.length)
      await tx
        .update(table)
        .set({ paymentId: row.id })
        .where(and(isNull(table.paymentId), or(...match)));
  }
}

type Write = Partial<typeof payments.$inferInsert>;

async function write(
  tx: Executor,
  keys: { pi: string | null; charge: string | null },
  decide: (before: PaymentRow | null) => Write | null,
  insertDefaults: () => typeof payments.$inferInsert,
): Promise<MirrorResult<PaymentRow>> {
  const r = await upsertMirrorRow(tx, payments, {
    subject: `payment ${keys.pi ?? keys.charge}`,
    lock: () => lockPayment(tx, keys.pi, keys.charge),
    decide: (before) => {
      const set = decide(before);
      if (!set) return null;
      return {
        values: before ? { ...set, updatedAt: sql`now()` } : { ...insertDefaults(), ...set },
        carry: null,
      };
    },
    compared: FIELDS,
  });
  if (r.outcome !== 'stale') await linkChildren(tx, r.row);
  return r;
}

const laterOf = (a: Date | null | undefined, b: Date) => (a && a > b ? a : b);

/** Applies a PaymentIntent (payment_intent.succeeded / payment_failed / …). */
export async function upsertPaymentIntent(
  tx: Executor,
  pi: Stripe.PaymentIntent,
  versionAt: Date,
  eventId: string | null = null,
): Promise<MirrorResult<PaymentRow>> {
  const stripeCustomerId = idOf(pi.customer);
  const customerId = await localCustomerId(tx, stripeCustomerId);
  const err = pi.last_payment_error;
  const errCard =
    err?.payment_method && typeof err.payment_method === 'object' ? err.payment_method.card : null;
  const failed = pi.status === 'requires_payment_method' && !!err;
  return write(
    tx,
    { pi: pi.id, charge: null },
    (before) => {
      if (
        before?.intentVersionAt &&
        !isNewer(
          { at: versionAt, eventId, rank: intentRank(pi.status) },
          { at: before.intentVersionAt, eventId: before.intentEventId, rank: intentRank(before.status) },
        )
      ) {
        return null;
      }
      return {
        stripePaymentIntentId: pi.id,
        // The charge's own events own stripe_charge_id once seen; until then the intent's latest charge names it.
        ...(before?.chargeVersionAt ? {} : { stripeChargeId: idOf(pi.latest_charge) }),
        stripeCustomerId,
        customerId: customerId ?? before?.customerId ?? null,
        amountMinor: pi.amount,
        currency: pi.currency.toLowerCase(),
        status: pi.status,
        failureCode: failed
          ? (err?.code ?? null)
          : pi.status === 'succeeded'
            ? null
            : (before?.failureCode ?? null),
        declineCode: failed
          ? (err?.decline_code ?? null)
          : pi.status === 'succeeded'
            ? null
            : (before?.declineCode ?? null),
        failureMessage: failed
          ? (err?.message ?? null)
          : pi.status === 'succeeded'
            ? null
            : (before?.failureMessage ?? null),
        ...(errCard && !before?.cardBrand
          ? { cardBrand: errCard.brand, cardLast4: errCard.last4, cardCountry: errCard.country ?? null }
          : {}),
        createdAt: atRequired(pi.created),
        intentVersionAt: versionAt,
        intentEventId: eventId,
        stripeVersionAt: laterOf(before?.stripeVersionAt, versionAt),
      };
    },
    () => ({
      amountMinor: pi.amount,
      currency: pi.currency,
      status: pi.status,
      createdAt: atRequired(pi.created),
      stripeVersionAt: versionAt,
    }),
  );
}

/** Applies a Charge (charge.succeeded / failed / refunded / updated): card, refunded amount, decline details. */
export async function upsertCharge(
  tx: Executor,
  ch: Stripe.Charge,
  versionAt: Date,
  eventId: string | null = null,
): Promise<MirrorResult<PaymentRow>> {
  const pi = idOf(ch.payment_intent);
  const stripeCustomerId = idOf(ch.customer);
  const customerId = await localCustomerId(tx, stripeCustomerId);
  const card = ch.payment_method_details?.card ?? null;
  const rank = chargeRank(ch.status, ch.amount_refunded);
  return write(
    tx,
    { pi, charge: ch.id },
    (before) => {
      if (
        before?.chargeVersionAt &&
        !isNewer(
          { at: versionAt, eventId, rank },
          {
            at: before.chargeVersionAt,
            eventId: before.chargeEventId,
            rank: chargeRank(before.chargeStatus ?? 'pending', before.amountRefundedMinor),
          },
        )
      ) {
        return null;
      }
      const intentKnown = !!before?.intentVersionAt;
      const failed = ch.status === 'failed';
      return {
        stripePaymentIntentId: pi ?? before?.stripePaymentIntentId ?? null,
        stripeChargeId: ch.id,
        chargeStatus: ch.status,
        stripeCustomerId: stripeCustomerId ?? before?.stripeCustomerId ?? null,
        customerId: customerId ?? before?.customerId ?? null,
        amountMinor: intentKnown ? before!.amountMinor : ch.amount,
        amountRefundedMinor: ch.amount_refunded,
        currency: ch.currency.toLowerCase(),
        ...(intentKnown ? {} : { status: ch.status }),
        failureCode: failed
          ? ch.failure_code
          : ch.status === 'succeeded'
            ? null
            : (before?.failureCode ?? null),
        declineCode: failed
          ? ch.outcome?.type === 'issuer_declined' || ch.outcome?.type === 'blocked'
            ? (ch.outcome.reason ?? null)
            : null
          : ch.status === 'succeeded'
            ? null
            : (before?.declineCode ?? null),
        failureMessage: failed
          ? ch.failure_message
          : ch.status === 'succeeded'
            ? null
            : (before?.failureMessage ?? null),
        cardBrand: card?.brand ?? before?.cardBrand ?? null,
        cardLast4: card?.last4 ?? before?.cardLast4 ?? null,
        cardCountry: card?.country ?? before?.cardCountry ?? null,
        ...(before ? {} : { createdAt: atRequired(ch.created) }),
        chargeVersionAt: versionAt,
        chargeEventId: eventId,
        stripeVersionAt: laterOf(before?.stripeVersionAt, versionAt),
      };
    },
    () => ({
      amountMinor: ch.amount,
      currency: ch.currency,
      status: ch.status,
      createdAt: atRequired(ch.created),
      stripeVersionAt: versionAt,
    }),
  );
}
