/**
 * onInvoicePaid: `invoice.paid` → the receipt notification (once per invoice) and, when the subscription has an
 * open dunning case for this invoice, the case is recovered (recoverDunningCase: recovered amount, time to
 * recover, and which step recovered it), returned as the case's change for the invoice handler to recompute the
 * user's role. Called by the invoice handler in the event's transaction. Safe twice: the `recovered` step is unique per (case, event) and the case is closed only
 * while open.
 */
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { enqueueNotificationLater } from '../notifications/enqueue-notification.js';
import { subscriptions } from '../billing/billing.tables.js';
import { subscriptionIdOfInvoice } from '../billing/invoices/invoices.repo.js';
import { idOf } from '../billing/mirror/stripe-refs.js';
import {
  addStep,
  findOpenOrLatestCase,
  subscriptionContextColumns,
  toSubscriptionContext,
  type SubscriptionContextRow,
  type DunningCaseRow,
  type SubscriptionContext,
} from './dunning.repo.js';
import { openDunningCase } from './open-dunning-case.js';
import { paysCase, recoverDunningCase } from './recover-dunning-case.js';
import { eventAt, evaluationInstant } from '../billing/mirror/event-time.js';
import type { DunningStepResult } from './on-invoice-payment-failed.js';
import { sql } from 'drizzle-orm';

export async function onInvoicePaid(
  tx: Tx,
  deps: Pick<Deps, 'config' | 'clock'>,
  event: Stripe.InvoicePaidEvent | Stripe.InvoicePaymentSucceededEvent,
): Promise<DunningStepResult> {
  const inv = event.data.object;
  const stripeSubscriptionId = subscriptionIdOfInvoice(inv);
  const at = eventAt(event);
  const paidAt = inv.status_transitions?.paid_at ? new Date(inv.status_transitions.paid_at * 1000) : at;
  const { sub, payer, hasCases } = await invoicePaidContext(tx, {
    stripeSubscriptionId,
    stripeCustomerId: idOf(inv.customer),
    priceId: idOf(inv.lines?.data?.[0]?.pricing?.price_details?.price),
  });

  // The receipt needs only the customer's user (the subscription row may not be mirrored yet: same-second events).
  if (payer?.userId && inv.id && inv.amount_paid > 0 && event.type === 'invoice.paid') {
    await enqueueNotificationLater(tx, {
      key: `receipt:${inv.id}`,
      template: 'receipt',
      userId: payer.userId,
      recipient: { email: payer.email, name: payer.name },
      at,
      data: {
        planName: sub?.planName ?? payer.planName,
        amountMinor: inv.amount_paid,
        currency: inv.currency,
        paidAt: paidAt.toISOString(),
        invoiceUrl: inv.hosted_invoice_url ?? null,
        invoiceNumber: inv.number ?? null,
      },
    });
  }
  if (!sub || !inv.id) return { outcome: 'ignored', reason: 'not_a_subscription_invoice' };

  // Most subscriptions never had a dunning case: then there is none to look up (cases are only opened by this
  // customer's events, which this transaction's ordering-key lock holds back).
  const { open, latest } = hasCases
    ? await findOpenOrLatestCase(tx, sub.subscriptionId)
    : { open: null, latest: null };
  if (!open || !paysCase(open, inv.id, paidAt)) {
    if (latest && latest.status === 'lost' && latest.stripeInvoiceId === inv.id) {
      // Paid after the grace ran out: the case stays lost (the role comes back with the subscription's status).
      await addStep(tx, {
        caseId: latest.id,
        kind: 'recovered',
        at: paidAt,
        cause: event.id,
        data: { afterLoss: true, amountMinor: inv.amount_paid },
      });
    }
    return { outcome: 'ignored', reason: 'no_open_case_for_invoice' };
  }
  const recovered = await recoverDunningCase(tx, {
    sub,
    open,
    cause: event.id,
    inv: {
      id: null,
      stripeInvoiceId: inv.id,
      amountPaidMinor: inv.amount_paid,
      amountDueMinor: inv.amount_due,
      currency: inv.currency,
      paidAt,
      outOfBand:
        (inv.payments?.data ?? []).some((p) => p.status === 'paid' && p.payment.type === 'payment_record') ||
        (inv.amount_paid === 0 && inv.amount_due > 0),
    },
  });
  if (!recovered) return { outcome: 'ignored', reason: 'already_recovered' };
  const next = await openNextEpisode(tx, deps, sub, open, inv.id, paidAt, event.id);
  return {
    outcome: 'recovered',
    caseId: open.id,
    change: {
      userId: sub.userId,
      dunningCaseId: next?.id ?? open.id,
      at: evaluationInstant(deps.clock, event),
      lost: null,
    },
  };
}

/**
 * After a recovery, a subscription still past_due that failed again after this payment (a later invoice whose
 * failure was noted on the case while it was open, or a past_due version newer than the payment: the events came
 * out of order) is in its next dunning episode. Its case opens now, from that later failure (grace = that failure
 * + grace days), as in-order delivery would have opened it — never a past_due subscription left without a case.
 * Returns the new case, or null when the subscription is not past_due or the past_due is the one just paid
 * (its `updated(active)` follows).
 */
async function openNextEpisode(
  tx: Tx,
  deps: Pick<Deps, 'config'>,
  sub: SubscriptionContext,
  recovered: DunningCaseRow,
  paidInvoiceId: string,
  paidAt: Date,
  paidEventId: string,
): Promise<DunningCaseRow | null> {
  const [row] = await tx
    .select({
      status: subscriptions.status,
      versionAt: subscriptions.stripeVersionAt,
      eventId: subscriptions.stripeEventId,
    })
    .from(subscriptions)
    .where(eq(subscriptions.id, sub.subscriptionId));
  if (row?.status !== 'past_due') return null;
  const later = await tx.execute<{
    at: Date | string;
    cause: string;
    stripe_invoice_id: string;
    invoice_id: string | null;
    amount_due_minor: number | null;
    currency: string | null;
  }>(sql`
    SELECT e.at, e.cause, e.data->>'stripeInvoiceId' AS stripe_invoice_id, i.id AS invoice_id,
           i.amount_due_minor, i.currency
    FROM dunning_case_events e
    LEFT JOIN invoices i ON i.stripe_invoice_id = e.data->>'stripeInvoiceId'
    WHERE e.case_id = ${recovered.id} AND e.kind = 'payment_failed'
      AND e.data->>'stripeInvoiceId' IS NOT NULL AND e.data->>'stripeInvoiceId' <> ${paidInvoiceId}
      AND coalesce(i.status, 'open') NOT IN ('paid', 'void')
    ORDER BY e.at, e.id
    LIMIT 1`);
  const failure = later.rows[0];
  if (!failure && row.versionAt.getTime() <= paidAt.getTime()) return null;
  const opened = await openDunningCase(tx, deps, {
    sub,
    at: failure ? new Date(failure.at) : row.versionAt,
    cause: failure?.cause ?? row.eventId ?? paidEventId,
    stripeInvoiceId: failure?.stripe_invoice_id ?? null,
    invoiceId: failure?.invoice_id ?? null,
    amountDueMinor: failure?.amount_due_minor ?? null,
    currency: failure?.currency ?? recovered.currency,
    openedBy: failure ? 'payment_failed' : 'subscription_past_due',
  });
  return opened.row;
}

/**
 * What invoice.paid needs to read, in one statement: the subscription's dunning context (as subscriptionContext)
 * and the paying customer's user with their email and name (for the receipt) and the paid price's plan name.
 */
async function invoicePaidContext(
  tx: Tx,
  by: { stripeSubscriptionId: string | null; stripeCustomerId: string | null; priceId: string | null },
): Promise<{
  sub: SubscriptionContext | null;
  payer: { userId: string | null; email: string | null; name: string | null; planName: string | null } | null;
  hasCases: boolean;
}> {
  const res = await tx.execute<
    Omit<SubscriptionContextRow, 'subscription_id'> & {
      subscription_id: string | null;
      payer_customer_id: string | null;
      payer_user_id: string | null;
      payer_email: string | null;
      payer_name: string | null;
      price_plan_name: string | null;
      has_cases: boolean | null;
    }
  >(sql`
    SELECT ${subscriptionContextColumns('s', 'sc', 'p')},
           pc.id AS payer_customer_id, pc.user_id AS payer_user_id, pu.email AS payer_email, pu.name AS payer_name,
           (SELECT pp_plan.name FROM plan_prices pp JOIN plans pp_plan ON pp_plan.id = pp.plan_id
            WHERE pp.stripe_price_id = ${by.priceId}) AS price_plan_name,
           EXISTS (SELECT 1 FROM dunning_cases d WHERE d.subscription_id = s.id) AS has_cases
    FROM (SELECT 1) AS one
    LEFT JOIN subscriptions s ON s.stripe_subscription_id = ${by.stripeSubscriptionId}
    LEFT JOIN customers sc ON sc.id = s.customer_id
    LEFT JOIN plans p ON p.id = s.plan_id
    LEFT JOIN customers pc ON pc.stripe_customer_id = ${by.stripeCustomerId}
    LEFT JOIN users pu ON pu.id = pc.user_id`);
  const r = res.rows[0];
  if (!r) throw new Error('invoicePaidContext: no row');
  return {
    sub: r.subscription_id ? toSubscriptionContext({ ...r, subscription_id: r.subscription_id }) : null,
    payer: r.payer_customer_id
      ? { userId: r.payer_user_id, email: r.payer_email, name: r.payer_name, planName: r.price_plan_name }
      : null,
    hasCases: r.has_cases === true,
  };
}
