/**
 * onInvoicePaymentFailed: `invoice.payment_failed` → open the subscription's dunning case (grace, timeline, "payment
 * failed" notification) or add the failure to the open one, and return the case's change: the invoice handler then
 * recomputes the user's role (it stays during grace). Called by the invoice handler in the event's transaction,
 * after the invoice mirror was updated.
 *
 * Safe twice and out of order: a timeline step is unique per (case, kind, event id), so a replay adds nothing; a
 * failure of an invoice that our mirror already has as paid/void (an older attempt arriving after `invoice.paid`,
 * docs/RELIABILITY.md 15) changes nothing; a failure on a canceled subscription opens nothing; a further failure of the
 * invoice whose case was already lost does not start a new grace period. A failure of the open case's invoice
 * earlier than the case's opening moves the case back to it (grace from the first failure, never forward); if that
 * grace is already over, the case is lost here (`change.lost`) and the handler sends the "downgraded" notice with
 * the role change.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { invoices, payments } from '../billing/billing.tables.js';
import { subscriptionIdOfInvoice } from '../billing/invoices/invoices.repo.js';
import { attachInvoice, openDunningCase } from './open-dunning-case.js';
import { addStep, findOpenOrLatestCase, subscriptionContext, type DunningCaseRow } from './dunning.repo.js';
import { dunningSchedule } from './dunning-schedule.js';
import { eventAt, evaluationInstant } from '../billing/mirror/event-time.js';

/** A case lost by a dunning reaction: the edge sends the "downgraded" notice if the role it recomputes fell. */
export interface LostCase {
  caseId: string;
  planName: string | null;
  amountMinor: number | null;
  currency: string;
  at: Date;
}

/**
 * What a dunning reaction changed, for the edge that called it to recompute the role (dunning never touches roles):
 * the user concerned (null: the customer is not linked), the case to name in the role change's cause, the instant
 * entitlement is judged at, and a case lost here.
 */
export interface CaseChange {
  userId: string | null;
  dunningCaseId: string | undefined;
  at: Date;
  lost: LostCase | null;
}

export type DunningStepResult =
  | { outcome: 'opened' | 'updated' | 'recovered' | 'lost'; caseId: string; change?: CaseChange | undefined }
  | { outcome: 'ignored'; reason: string; change?: undefined };

const GRANTING_OR_GRACE = new Set(['active', 'trialing', 'past_due']);

export async function onInvoicePaymentFailed(
  tx: Tx,
  deps: Pick<Deps, 'config' | 'clock'>,
  event: Stripe.InvoicePaymentFailedEvent,
): Promise<DunningStepResult> {
  const inv = event.data.object;
  const stripeSubscriptionId = subscriptionIdOfInvoice(inv);
  if (!stripeSubscriptionId || !inv.id) return { outcome: 'ignored', reason: 'not_a_subscription_invoice' };
  const sub = await subscriptionContext(tx, { stripeSubscriptionId });
  if (!sub) return { outcome: 'ignored', reason: 'unknown_subscription' };
  const [mirror] = await tx
    .select({ id: invoices.id, status: invoices.status })
    .from(invoices)
    .where(eq(invoices.stripeInvoiceId, inv.id));
  if (mirror && (mirror.status === 'paid' || mirror.status === 'void')) {
    return { outcome: 'ignored', reason: `invoice_already_${mirror.status}` };
  }
  if (!GRANTING_OR_GRACE.has(sub.status)) return { outcome: 'ignored', reason: `subscription_${sub.status}` };

  const at = eventAt(event);
  const [failed] = await tx
    .select({ failureCode: payments.failureCode, declineCode: payments.declineCode })
    .from(payments)
    .where(and(eq(payments.stripeInvoiceId, inv.id), sql`${payments.failureCode} is not null`))
    .orderBy(desc(payments.createdAt))
    .limit(1);
  const failure = { failureCode: failed?.failureCode ?? null, declineCode: failed?.declineCode ?? null };

  const cases = await findOpenOrLatestCase(tx, sub.subscriptionId);
  let open = cases.open;
  let outcome: 'opened' | 'updated' = 'updated';
  let movedFrom: Date | null = null;
  let moved: Date | null = null;
  if (!open) {
    const latest = cases.latest;
    if (latest && latest.status === 'lost' && latest.stripeInvoiceId === inv.id) {
      // Stripe keeps retrying the invoice whose grace already ran out: note it, no new grace.
      await addStep(tx, {
        caseId: latest.id,
        kind: 'payment_failed',
        at,
        cause: event.id,
        data: { attempt: inv.attempt_count, ...failure },
      });
      return { outcome: 'ignored', reason: 'case_already_lost' };
    }
    const opened = await openDunningCase(tx, deps, {
      sub,
      at,
      cause: event.id,
      stripeInvoiceId: inv.id,
      invoiceId: mirror?.id ?? null,
      amountDueMinor: inv.amount_due,
      currency: inv.currency,
      ...failure,
      openedBy: 'payment_failed',
    });
    open = opened.row;
    outcome = opened.opened ? 'opened' : 'updated';
  } else {
    const ownInvoice = open.stripeInvoiceId === null || open.stripeInvoiceId === inv.id;
    if (ownInvoice && (open.stripeInvoiceId === null || open.amountDueMinor === 0)) {
      await attachInvoice(tx, open.id, {
        invoiceId: mirror?.id ?? null,
        stripeInvoiceId: inv.id,
        amountDueMinor: inv.amount_due,
        currency: inv.currency,
      });
    }
    if (ownInvoice && at.getTime() < open.openedAt.getTime()) {
      movedFrom = open.openedAt;
      moved = await moveCaseBack(tx, open, at);
    }
  }

  const added = await addStep(tx, {
    caseId: open.id,
    kind: 'payment_failed',
    at,
    cause: event.id,
    data: {
      stripeInvoiceId: inv.id,
      attempt: inv.attempt_count,
      amountDueMinor: inv.amount_due,
      ...failure,
      ...(movedFrom ? { openedAtMovedFrom: movedFrom.toISOString() } : {}),
    },
  });
  if (added && outcome === 'updated') {
    await tx.execute(sql`
      UPDATE dunning_cases SET attempts = attempts + 1,
        last_failure_at = GREATEST(last_failure_at, ${at}),
        last_failure_code = COALESCE(${failure.failureCode}, last_failure_code),
        last_decline_code = COALESCE(${failure.declineCode}, last_decline_code),
        updated_at = now()
      WHERE id = ${open.id}`);
  }
  const now = evaluationInstant(deps.clock, event);
  // Moved back, the grace may already be over: the case is lost here, as the sweep would lose it, so the
  // "downgraded" notice goes with the role change this event makes (the sweep would find the role already lowered).
  const expired = movedFrom !== null && moved !== null && now.getTime() >= moved.getTime();
  if (expired) {
    await tx.execute(sql`
      UPDATE dunning_cases SET status = 'lost', lost_at = ${now}, lost_reason = 'grace_expired',
        closed_by = ${event.id}, updated_at = now()
      WHERE id = ${open.id} AND status = 'open'`);
    await addStep(tx, {
      caseId: open.id,
      kind: 'lost',
      at: now,
      cause: event.id,
      data: { reason: 'grace_expired' },
    });
  }
  const change: CaseChange = {
    userId: sub.userId,
    dunningCaseId: open.id,
    at: now,
    lost: expired
      ? {
          caseId: open.id,
          planName: sub.planName,
          amountMinor: inv.amount_due || null,
          currency: inv.currency,
          at: now,
        }
      : null,
  };
  return { outcome: expired ? 'lost' : outcome, caseId: open.id, change };
}

/**
 * The case's own invoice failed EARLIER than the case was opened (it was opened by the subscription's past_due,
 * or by a later attempt, whose event came first): docs/DESIGN.md §6 counts the grace from the first failure, so the case's
 * opening, grace end and reminder instant move back to this failure — never forward (the UPDATE re-checks, so a
 * replay or a later failure changes nothing). A reminder already sent stays sent.
 */
async function moveCaseBack(tx: Tx, open: DunningCaseRow, firstFailureAt: Date): Promise<Date> {
  const schedule = dunningSchedule({ firstFailureAt, graceDays: open.graceDays });
  await tx.execute(sql`
    UPDATE dunning_cases SET opened_at = ${firstFailureAt}, grace_until = ${schedule.graceUntil},
      reminder_at = ${schedule.reminderAt}, updated_at = now()
    WHERE id = ${open.id} AND status = 'open' AND opened_at > ${firstFailureAt}`);
  return schedule.graceUntil;
}
