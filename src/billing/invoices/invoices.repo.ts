/**
 * The mirror of Stripe invoices, shared by the invoice.* handlers and reconciliation. Version-guarded by created,
 * then status rank (draft < open < uncollectible < paid < void) and attempt_count, then event id — so a
 * `payment_failed` of an older attempt arriving after `invoice.paid` leaves the invoice paid.
 * 2025+ shapes: the subscription is `parent.subscription_details.subscription`; payments are `invoice_payment`s.
 */
import { eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Executor } from '../../db/client.js';
import { selectRows, selectRowsWith } from '../../db/rows.js';
import { invoices, type InvoiceLineSummary, type InvoiceStatus } from '../billing.tables.js';
import { customerIdOf, requireCustomer, type MirrorResult } from '../customers/customers.repo.js';
import { invoiceRank, isNewer } from '../mirror/version-guard.js';
import { at, atRequired, idOf } from '../mirror/stripe-refs.js';
import { upsertMirrorRow } from '../mirror/upsert-mirror-row.js';

export type InvoiceRow = typeof invoices.$inferSelect;

const FIELDS = [
  'subscriptionId',
  'stripeSubscriptionId',
  'number',
  'status',
  'amountDueMinor',
  'amountPaidMinor',
  'amountRemainingMinor',
  'subtotalMinor',
  'totalMinor',
  'attemptCount',
  'nextPaymentAttemptAt',
  'hostedInvoiceUrl',
  'lines',
  'finalizedAt',
  'paidAt',
  'voidedAt',
  'markedUncollectibleAt',
] as const satisfies readonly (keyof InvoiceRow)[];

/** At most this many lines are summarised on the row (a real invoice can have hundreds). */
const MAX_LINES = 50;

export function subscriptionIdOfInvoice(inv: Stripe.Invoice): string | null {
  return idOf(inv.parent?.subscription_details?.subscription);
}

function linesOf(inv: Stripe.Invoice): InvoiceLineSummary[] {
  return (inv.lines?.data ?? []).slice(0, MAX_LINES).map((l) => ({
    id: l.id,
    description: l.description ?? null,
    amountMinor: l.amount,
    currency: l.currency,
    priceId: idOf(l.pricing?.price_details?.price),
    quantity: l.quantity ?? null,
    proration: l.parent?.subscription_item_details?.proration ?? false,
    periodStart: l.period.start,
    periodEnd: l.period.end,
  }));
}

export async function findInvoiceByStripeId(tx: Executor, id: string, lock = false) {
  const [row] = await selectRows(tx, invoices, eq(invoices.stripeInvoiceId, id), { forUpdate: lock });
  return row ?? null;
}

/** Applies a Stripe invoice object. Throws NotLinkableError('unknown_customer') before the customer is mirrored. */
export async function upsertInvoice(
  tx: Executor,
  inv: Stripe.Invoice,
  versionAt: Date,
  eventId: string | null = null,
): Promise<MirrorResult<InvoiceRow>> {
  if (!inv.id) throw new Error('invoice without id (an upcoming invoice preview cannot be mirrored)');
  const invoiceId = inv.id;
  const stripeCustomerId = idOf(inv.customer);
  // Payment rows that already name this invoice but were stored before it get its local id; for an existing row
  // that runs inside its UPDATE.
  const linkPayments = (id: string) => sql`
    UPDATE payments SET invoice_id = ${id} WHERE stripe_invoice_id = ${invoiceId} AND invoice_id IS NULL`;
  let customerId: unknown = null;
  const r = await upsertMirrorRow(tx, invoices, {
    subject: `invoice ${invoiceId}`,
    // The row, locked, and the customer's local id in one statement; a new invoice looks its customer up alone.
    lock: async () => {
      const [found] = await selectRowsWith(
        tx,
        invoices,
        eq(invoices.stripeInvoiceId, invoiceId),
        { customerId: customerIdOf(stripeCustomerId) },
        { forUpdate: true },
      );
      customerId = found?.extra.customerId ?? null;
      return found?.row ?? null;
    },
    decide: async (before) => {
      const customer = customerId
        ? { id: customerId as string }
        : await requireCustomer(tx, stripeCustomerId);
      if (
        before &&
        !isNewer(
          { at: versionAt, eventId, rank: invoiceRank(inv.status ?? 'draft', inv.attempt_count ?? 0) },
          {
            at: before.stripeVersionAt,
            eventId: before.stripeEventId,
            rank: invoiceRank(before.status, before.attemptCount),
          },
        )
      )
        return null;
      const stripeSubscriptionId = subscriptionIdOfInvoice(inv);
      const st = inv.status_transitions;
      return {
        values: {
          stripeInvoiceId: invoiceId,
          customerId: customer.id,
          // The local subscription, if mirrored yet, resolved inside the write (one round trip less).
          subscriptionId: stripeSubscriptionId
            ? sql`(SELECT id FROM subscriptions WHERE stripe_subscription_id = ${stripeSubscriptionId})`
            : null,
          stripeSubscriptionId,
          number: inv.number ?? null,
          status: (inv.status ?? 'draft') as InvoiceStatus,
          currency: inv.currency.toLowerCase(),
          amountDueMinor: inv.amount_due,
          amountPaidMinor: inv.amount_paid,
          amountRemainingMinor: inv.amount_remaining,
          subtotalMinor: inv.subtotal,
          totalMinor: inv.total,
          billingReason: inv.billing_reason ?? null,
          attemptCount: inv.attempt_count ?? 0,
          nextPaymentAttemptAt: at(inv.next_payment_attempt),
          hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
          periodStart: at(inv.period_start),
          periodEnd: at(inv.period_end),
          lines: linesOf(inv),
          createdAt: atRequired(inv.created),
          finalizedAt: at(st?.finalized_at),
          paidAt: at(st?.paid_at),
          voidedAt: at(st?.voided_at),
          markedUncollectibleAt: at(st?.marked_uncollectible_at),
          stripeVersionAt: versionAt,
          stripeEventId: eventId,
          updatedAt: sql`now()`,
        },
        ...(before ? { alongUpdate: sql`linked AS (${linkPayments(before.id)})` } : {}),
        carry: null,
      };
    },
    compared: FIELDS,
  });
  if (r.outcome === 'stale') return r;
  if (!r.before) await tx.execute(linkPayments(r.row.id));
  // Payments from the expanded `payments` list, when present.
  for (const ip of inv.payments?.data ?? []) await linkInvoicePayment(tx, ip);
  return r;
}

/**
 * Links a payment to its invoice from an `invoice_payment` (invoice_payment.paid, or an invoice's `payments`):
 * payment intents and charges no longer name their invoice. Works in either arrival order: if the payment intent
 * has not been seen yet, a placeholder payment row (no intent version, so the intent's own events overwrite it)
 * carries the link until it arrives. Returns whether a payment row changed.
 */
export async function linkInvoicePayment(tx: Executor, ip: Stripe.InvoicePayment): Promise<boolean> {
  const invoiceStripeId = idOf(ip.invoice);
  const pi = idOf(ip.payment?.payment_intent);
  const charge = idOf(ip.payment?.charge);
  if (!invoiceStripeId || (!pi && !charge)) return false;
  const invoiceLocal = sql`(SELECT id FROM invoices WHERE stripe_invoice_id = ${invoiceStripeId})`;
  if (pi) {
    const placeholderStatus =
      ip.status === 'paid' ? 'succeeded' : ip.status === 'canceled' ? 'canceled' : 'processing';
    const res = await tx.execute(sql`
      INSERT INTO payments (stripe_payment_intent_id, stripe_invoice_id, invoice_id, amount_minor, currency, status,
                            created_at, stripe_version_at)
      VALUES (${pi}, ${invoiceStripeId}, ${invoiceLocal}, ${ip.amount_requested}, ${ip.currency.toLowerCase()},
              ${placeholderStatus}, to_timestamp(${ip.created}), to_timestamp(${ip.created}))
      ON CONFLICT (stripe_payment_intent_id) DO UPDATE SET
        stripe_invoice_id = excluded.stripe_invoice_id, invoice_id = excluded.invoice_id, updated_at = now()
      WHERE payments.stripe_invoice_id IS DISTINCT FROM excluded.stripe_invoice_id
         OR payments.invoice_id IS DISTINCT FROM excluded.invoice_id`);
    return (res.rowCount ?? 0) > 0;
  }
  const res = await tx.execute(sql`
    UPDATE payments SET stripe_invoice_id = ${invoiceStripeId}, invoice_id = ${invoiceLocal}, updated_at = now()
    WHERE stripe_charge_id = ${charge}
      AND (stripe_invoice_id IS DISTINCT FROM ${invoiceStripeId} OR invoice_id IS DISTINCT FROM ${invoiceLocal})`);
  return (res.rowCount ?? 0) > 0;
}
