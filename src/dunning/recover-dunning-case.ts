/**
 * recoverDunningCase: the payment of a case's invoice closes it as `recovered` (amount, time to recover, which
 * step), in the caller's transaction. Two callers: `invoice.paid` (onInvoicePaid), and a subscription back to
 * active/trialing whose failed invoice the mirror already has as paid (onSubscriptionChanged: the paid event is
 * late, or the invoice was marked paid by another event). Also: which mirrored invoice a past_due or an active
 * subscription is about (paidInvoiceOf), and whether a payment is the one an open case waits for (paysCase).
 *
 * Which step: `card_update` when the customer's default card differs from the one on file when the case opened
 * (the portal's "update card" changes it before the retry) or the successful payment used another card than the
 * failed one; `manual` when the invoice was settled out of band (an InvoicePayment that is a payment record, or
 * nothing charged); otherwise `stripe_retry` (Stripe's automatic retry on the same card succeeded).
 * Safe twice: the `recovered` step is unique per (case, cause) and the case is closed only while open.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../db/client.js';
import { invoices, payments } from '../billing/billing.tables.js';
import { addStep, type DunningCaseRow, type SubscriptionContext } from './dunning.repo.js';
import type { RecoveryStep } from './dunning.tables.js';

export interface PaidInvoice {
  id: string | null;
  stripeInvoiceId: string;
  amountPaidMinor: number;
  amountDueMinor: number;
  currency: string;
  paidAt: Date;
  /** Settled out of band (a payment record, or nothing charged): the step is `manual`. */
  outOfBand: boolean;
}

/**
 * Whether paying `stripeInvoiceId` at `paidAt` is the payment the open case waits for: its invoice, or — for a case
 * opened from past_due before any failure event named the invoice — a payment made after the case opened. An older
 * invoice's `invoice.paid` arriving late (paid before this episode's failure) recovers nothing: otherwise the
 * subscription stays past_due with no open case, a grace period no sweep ever ends (R19 roles).
 */
export function paysCase(open: DunningCaseRow, stripeInvoiceId: string, paidAt: Date): boolean {
  if (open.stripeInvoiceId !== null) return open.stripeInvoiceId === stripeInvoiceId;
  return paidAt.getTime() >= open.openedAt.getTime();
}

/** A mirrored invoice as the dunning rules read it, whatever its status. */
export interface MirroredInvoice extends Omit<PaidInvoice, 'paidAt'> {
  status: string;
  /** When it was paid (null unless paid). */
  paidAt: Date | null;
}

/**
 * The mirrored invoice `stripeInvoiceId` when given, else the subscription's latest mirrored invoice (by Stripe's
 * created), whatever its status; undefined when not mirrored (yet).
 */
export async function invoiceOf(
  tx: Executor,
  sub: Pick<SubscriptionContext, 'stripeSubscriptionId'>,
  stripeInvoiceId: string | null,
): Promise<MirroredInvoice | undefined> {
  const [row] = await tx
    .select({
      id: invoices.id,
      stripeInvoiceId: invoices.stripeInvoiceId,
      status: invoices.status,
      amountPaidMinor: invoices.amountPaidMinor,
      amountDueMinor: invoices.amountDueMinor,
      currency: invoices.currency,
      paidAt: invoices.paidAt,
      versionAt: invoices.stripeVersionAt,
    })
    .from(invoices)
    .where(
      stripeInvoiceId
        ? eq(invoices.stripeInvoiceId, stripeInvoiceId)
        : eq(invoices.stripeSubscriptionId, sub.stripeSubscriptionId),
    )
    .orderBy(desc(invoices.createdAt), desc(invoices.stripeInvoiceId))
    .limit(1);
  if (!row) return undefined;
  const paid = row.status === 'paid';
  return {
    id: row.id,
    stripeInvoiceId: row.stripeInvoiceId,
    status: row.status,
    amountPaidMinor: row.amountPaidMinor,
    amountDueMinor: row.amountDueMinor,
    currency: row.currency,
    paidAt: paid ? (row.paidAt ?? row.versionAt) : null,
    outOfBand: row.amountPaidMinor === 0 && row.amountDueMinor > 0,
  };
}

/** invoiceOf, when that invoice is paid; null otherwise (unpaid, or not mirrored yet). */
export async function paidInvoiceOf(
  tx: Executor,
  sub: Pick<SubscriptionContext, 'stripeSubscriptionId'>,
  stripeInvoiceId: string | null,
): Promise<PaidInvoice | null> {
  const inv = await invoiceOf(tx, sub, stripeInvoiceId);
  return inv?.paidAt ? { ...inv, paidAt: inv.paidAt } : null;
}

async function recoveryStep(
  tx: Tx,
  c: DunningCaseRow,
  inv: PaidInvoice,
  currentDefaultPm: string | null,
): Promise<RecoveryStep> {
  if (inv.outOfBand) return 'manual';
  if (currentDefaultPm && currentDefaultPm !== c.paymentMethodAtOpen) return 'card_update';
  const rows = await tx
    .select({ status: payments.status, brand: payments.cardBrand, last4: payments.cardLast4 })
    .from(payments)
    .where(and(eq(payments.stripeInvoiceId, inv.stripeInvoiceId)))
    .orderBy(desc(payments.createdAt));
  const ok = rows.find((r) => r.status === 'succeeded');
  const failed = rows.find((r) => r.status !== 'succeeded' && r.last4 !== null);
  if (ok?.last4 && failed?.last4 && (ok.last4 !== failed.last4 || ok.brand !== failed.brand))
    return 'card_update';
  return 'stripe_retry';
}

/**
 * Closes the open case as recovered by the payment of `inv` (the caller checked paysCase). The case takes the
 * invoice, its id and amount due when it had none yet (opened from past_due before the failure event, which then
 * arrived after the payment and changed nothing). Returns false when this cause already recovered it.
 */
export async function recoverDunningCase(
  tx: Tx,
  input: { sub: SubscriptionContext; open: DunningCaseRow; inv: PaidInvoice; cause: string },
): Promise<boolean> {
  const { open, inv } = input;
  const step = await recoveryStep(tx, open, inv, input.sub.defaultPaymentMethodId);
  const added = await addStep(tx, {
    caseId: open.id,
    kind: 'recovered',
    at: inv.paidAt,
    cause: input.cause,
    data: {
      by: step,
      amountMinor: inv.amountPaidMinor,
      currency: inv.currency,
      stripeInvoiceId: inv.stripeInvoiceId,
    },
  });
  if (!added) return false;
  const seconds = Math.max(0, Math.round((inv.paidAt.getTime() - open.openedAt.getTime()) / 1000));
  await tx.execute(sql`
    UPDATE dunning_cases SET status = 'recovered', recovered_at = ${inv.paidAt},
      recovered_amount_minor = ${inv.amountPaidMinor}, recovered_by = ${step}, time_to_recover_seconds = ${seconds},
      closed_by = ${input.cause},
      invoice_id = CASE WHEN coalesce(stripe_invoice_id, ${inv.stripeInvoiceId}) = ${inv.stripeInvoiceId}
                        THEN COALESCE(invoice_id, ${inv.id},
                                      (SELECT i.id FROM invoices i WHERE i.stripe_invoice_id = ${inv.stripeInvoiceId}))
                        ELSE invoice_id END,
      amount_due_minor = CASE WHEN amount_due_minor = 0 AND coalesce(stripe_invoice_id, ${inv.stripeInvoiceId}) = ${inv.stripeInvoiceId}
                              THEN ${inv.amountDueMinor} ELSE amount_due_minor END,
      stripe_invoice_id = COALESCE(stripe_invoice_id, ${inv.stripeInvoiceId}), updated_at = now()
    WHERE id = ${open.id} AND status = 'open'`);
  return true;
}
