/**
 * onInvoicePaid: `invoice.paid` → the receipt notification (once per invoice) and, when the subscription has an
 * open dunning case for this invoice, the case is recovered (recoverDunningCase: recovered amount, time to
 * recover, and which step recovered it); then the user's role is recomputed. Called by the invoice handler in the
 * event's transaction. Safe twice: the `recovered` step is unique per (case, event) and the case is closed only
 * while open.
 */
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { applyEntitledRole } from '../../accounts/roles/apply-entitled-role.js';
import { enqueueNotification } from '../../notifications/enqueue-notification.js';
import { subscriptions } from '../billing.tables.js';
import { subscriptionIdOfInvoice } from '../invoices/invoices.repo.js';
import { idOf } from '../mirror/stripe-refs.js';
import {
  addStep,
  findLatestCase,
  findOpenCase,
  subscriptionContext,
  type DunningCaseRow,
  type SubscriptionContext,
} from './dunning.repo.js';
import { openDunningCase } from './open-dunning-case.js';
import { paysCase, recoverDunningCase } from './recover-dunning-case.js';
import { eventAt, evaluationInstant } from './event-time.js';
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
  const sub = stripeSubscriptionId ? await subscriptionContext(tx, { stripeSubscriptionId }) : null;

  // The receipt needs only the customer's user (the subscription row may not be mirrored yet: same-second events).
  const payer = await tx.execute<{ user_id: string | null; plan_name: string | null }>(sql`
    SELECT c.user_id, (SELECT p.name FROM plan_prices pp JOIN plans p ON p.id = pp.plan_id
                       WHERE pp.stripe_price_id = ${idOf(inv.lines?.data?.[0]?.pricing?.price_details?.price)}) AS plan_name
    FROM customers c WHERE c.stripe_customer_id = ${idOf(inv.customer)}`);
  const payerUserId = payer.rows[0]?.user_id ?? null;
  if (payerUserId && inv.id && inv.amount_paid > 0 && event.type === 'invoice.paid') {
    await enqueueNotification(tx, {
      key: `receipt:${inv.id}`,
      template: 'receipt',
      userId: payerUserId,
      at,
      data: {
        planName: sub?.planName ?? payer.rows[0]?.plan_name ?? null,
        amountMinor: inv.amount_paid,
        currency: inv.currency,
        paidAt: paidAt.toISOString(),
        invoiceUrl: inv.hosted_invoice_url ?? null,
        invoiceNumber: inv.number ?? null,
      },
    });
  }
  if (!sub || !inv.id) return { outcome: 'ignored', reason: 'not_a_subscription_invoice' };

  const open = await findOpenCase(tx, sub.subscriptionId, true);
  if (!open || !paysCase(open, inv.id, paidAt)) {
    const latest = open ? null : await findLatestCase(tx, sub.subscriptionId);
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
  if (sub.userId) {
    await applyEntitledRole(
      tx,
      sub.userId,
      {
        kind: 'stripe_event',
        eventId: event.id,
        eventType: event.type,
        dunningCaseId: next?.id ?? open.id,
      },
      evaluationInstant(deps.clock, event),
      { defaultGraceDays: deps.config.graceDays },
    );
  }
  return { outcome: 'recovered', caseId: open.id };
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
