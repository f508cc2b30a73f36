/**
 * onSubscriptionChanged: dunning's reaction to a subscription change, called by the customer.subscription.* and
 * checkout handlers after the subscription mirror was written, in the event's transaction: a subscription now `past_due` with no open case gets one (its grace starts now; the invoice's failure
 *    event fills in the invoice and amount when it arrives) — unless the invoice it is past due for is already paid
 *    in the mirror (its `latest_invoice`, or without one the subscription's latest invoice, paid at or after this
 *    version: the payment overtook this past_due, whose `active` follows), for nobody owes anything: no case, no
 *    "payment failed" after the receipt; one back to `active`/`trialing` whose open case's invoice is paid in the
 *    mirror closes it as recovered (the paid event is late, or did not carry the payment); one that ended
 *    (`canceled`, `unpaid`, `incomplete_expired`) closes its open case as lost (onSubscriptionEnded).
 * It returns the case's change (null: no subscription context); the handler then recomputes the user's role with
 * the cause chain event → subscription change → role change, and a case lost here that lowered the role sends the
 * "downgraded" notice (once per case). A stale event (older than the row) changed nothing and does nothing here.
 * Safe twice: every step is idempotent.
 */
import type Stripe from 'stripe';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { idOf } from '../billing/mirror/stripe-refs.js';
import {
  findOpenOrLatestCase,
  findOpenCase,
  subscriptionContext,
  type SubscriptionContext,
} from './dunning.repo.js';
import { openDunningCase } from './open-dunning-case.js';
import { invoiceOf, paidInvoiceOf, paysCase, recoverDunningCase } from './recover-dunning-case.js';
import { onSubscriptionEnded } from './on-subscription-ended.js';
import type { CaseChange, LostCase } from './on-invoice-payment-failed.js';
import { eventAt, evaluationInstant } from '../billing/mirror/event-time.js';

export const ENDED_STATUSES = new Set(['canceled', 'unpaid', 'incomplete_expired']);
/** Back to one of these from another status, an open case whose invoice is paid is recovered. */
const GRANTING = new Set(['active', 'trialing']);

function latestInvoiceOf(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: string; latest_invoice?: unknown };
  return object.object === 'subscription' ? idOf(object.latest_invoice) : null;
}

export interface SubscriptionWrite {
  outcome: 'inserted' | 'updated' | 'unchanged' | 'stale';
  before: { status: string } | null;
  row: { id: string; stripeSubscriptionId: string; status: string } | null;
  /** The row's context when the write already read it (upsertSubscription); else it is read here. */
  context?: SubscriptionContext | null;
}

export async function onSubscriptionChanged(
  tx: Tx,
  deps: Pick<Deps, 'config' | 'clock'>,
  event: Stripe.Event,
  write: SubscriptionWrite,
): Promise<CaseChange | null> {
  if (write.outcome === 'stale' || !write.row) return null;
  const row = write.row;
  const sub = write.context ?? (await subscriptionContext(tx, { subscriptionId: row.id }));
  if (!sub) return null;
  const at = eventAt(event);
  let dunningCaseId: string | undefined;
  let lost: LostCase | null = null;

  if (row.status === 'past_due') {
    const { open, latest } = await findOpenOrLatestCase(tx, sub.subscriptionId);
    if (open) dunningCaseId = open.id;
    else {
      const latestInvoice = latestInvoiceOf(event);
      // A lost case for this same unpaid invoice: its grace is over, the user does not get a new one.
      const sameEpisode =
        latest?.status === 'lost' && (latestInvoice === null || latest.stripeInvoiceId === latestInvoice);
      const inv = sameEpisode ? undefined : await invoiceOf(tx, sub, latestInvoice);
      // Paid already: this past_due is older than the payment (the events came out of order).
      let paidAlready = false;
      if (inv?.paidAt) paidAlready = latestInvoice !== null || inv.paidAt.getTime() >= at.getTime();
      if (!sameEpisode && !paidAlready) {
        // The case is about the invoice the event names (not a latest one looked up by subscription).
        const unpaid = latestInvoice !== null ? inv : undefined;
        const opened = await openDunningCase(tx, deps, {
          sub,
          at,
          cause: event.id,
          stripeInvoiceId: latestInvoice,
          invoiceId: unpaid?.id ?? null,
          amountDueMinor: unpaid ? unpaid.amountDueMinor : null,
          currency: unpaid?.currency ?? (event.data.object as { currency?: string }).currency ?? 'usd',
          openedBy: 'subscription_past_due',
        });
        dunningCaseId = opened.row.id;
      }
    }
  } else if (GRANTING.has(row.status) && write.before?.status !== row.status) {
    const open = await findOpenCase(tx, sub.subscriptionId, true);
    const paid = open ? await paidInvoiceOf(tx, sub, open.stripeInvoiceId ?? latestInvoiceOf(event)) : null;
    if (open && paid && paysCase(open, paid.stripeInvoiceId, paid.paidAt)) {
      if (await recoverDunningCase(tx, { sub, open, inv: paid, cause: event.id })) dunningCaseId = open.id;
    }
  } else if (ENDED_STATUSES.has(row.status)) {
    const closed = await onSubscriptionEnded(tx, deps, event, sub);
    if (closed.outcome === 'lost') {
      dunningCaseId = closed.caseId;
      lost = {
        caseId: closed.caseId,
        planName: sub.planName,
        amountMinor: closed.amountMinor || null,
        currency: closed.currency ?? 'usd',
        at,
      };
    }
  }

  return { userId: sub.userId, dunningCaseId, at: evaluationInstant(deps.clock, event), lost };
}
