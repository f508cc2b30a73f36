/**
 * openDunningCase: opens the dunning case of a subscription whose payment failed (or that turned past_due before
 * the failure event arrived), in the caller's transaction: grace from dunningSchedule (the plan's grace_days, else
 * GRACE_DAYS), timeline step `opened`, and the "payment failed" notification (once per case: keyed by the case).
 * Returns the open case — the existing one when the subscription already has one.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appUrl } from '../billing/checkout/app-url.js';
import { enqueueNotification } from '../notifications/enqueue-notification.js';
import { dunningCases } from './dunning.tables.js';
import { dunningSchedule } from './dunning-schedule.js';
import { addStep, findOpenCase, type DunningCaseRow, type SubscriptionContext } from './dunning.repo.js';

export interface OpenCaseInput {
  sub: SubscriptionContext;
  at: Date;
  /** Event id (or `job:<name>`) recorded as the cause of the steps. */
  cause: string;
  stripeInvoiceId: string | null;
  invoiceId: string | null;
  /** Null when not known yet (opened from past_due before the invoice arrived). */
  amountDueMinor: number | null;
  currency: string;
  failureCode?: string | null;
  declineCode?: string | null;
  openedBy: 'payment_failed' | 'subscription_past_due';
}

export function portalLink(config: Deps['config']): string {
  return `${appUrl(config)}/account`;
}

export async function openDunningCase(
  tx: Executor,
  deps: Pick<Deps, 'config'>,
  input: OpenCaseInput,
): Promise<{ row: DunningCaseRow; opened: boolean }> {
  const existing = await findOpenCase(tx, input.sub.subscriptionId, true);
  if (existing) return { row: existing, opened: false };
  const graceDays = input.sub.planGraceDays ?? deps.config.graceDays;
  const schedule = dunningSchedule({ firstFailureAt: input.at, graceDays });
  const [row] = await tx
    .insert(dunningCases)
    .values({
      subscriptionId: input.sub.subscriptionId,
      customerId: input.sub.customerId,
      userId: input.sub.userId,
      invoiceId: input.invoiceId,
      stripeInvoiceId: input.stripeInvoiceId,
      status: 'open',
      openedAt: input.at,
      graceDays,
      graceUntil: schedule.graceUntil,
      reminderAt: schedule.reminderAt,
      attempts: input.openedBy === 'payment_failed' ? 1 : 0,
      lastFailureAt: input.at,
      lastFailureCode: input.failureCode ?? null,
      lastDeclineCode: input.declineCode ?? null,
      amountDueMinor: input.amountDueMinor ?? 0,
      currency: input.currency,
      paymentMethodAtOpen: input.sub.defaultPaymentMethodId,
      openedByEventId: input.cause,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    // Another transaction opened it between our read and insert (only possible outside the per-customer order).
    const again = await findOpenCase(tx, input.sub.subscriptionId, true);
    if (!again) throw new Error(`dunning case for ${input.sub.subscriptionId} vanished`);
    return { row: again, opened: false };
  }
  await addStep(tx, {
    caseId: row.id,
    kind: 'opened',
    at: input.at,
    cause: input.cause,
    data: {
      by: input.openedBy,
      stripeInvoiceId: input.stripeInvoiceId,
      graceDays,
      graceUntil: schedule.graceUntil.toISOString(),
    },
  });
  if (input.sub.userId) {
    await enqueueNotification(tx, {
      key: `payment_failed:${row.id}`,
      template: 'payment_failed',
      userId: input.sub.userId,
      at: input.at,
      data: {
        planName: input.sub.planName,
        amountMinor: input.amountDueMinor,
        currency: input.currency,
        graceUntil: schedule.graceUntil.toISOString(),
        portalUrl: portalLink(deps.config),
      },
    });
  }
  return { row, opened: true };
}

/** Invoice, amount and currency of the first failed invoice, filled in when the case was opened from past_due. */
export async function attachInvoice(
  tx: Executor,
  caseId: string,
  inv: { invoiceId: string | null; stripeInvoiceId: string; amountDueMinor: number; currency: string },
): Promise<void> {
  await tx.execute(sql`
    UPDATE dunning_cases SET invoice_id = ${inv.invoiceId}, stripe_invoice_id = ${inv.stripeInvoiceId},
      amount_due_minor = ${inv.amountDueMinor}, currency = ${inv.currency}, updated_at = now()
    WHERE id = ${caseId}
      AND (stripe_invoice_id IS NULL OR (stripe_invoice_id = ${inv.stripeInvoiceId} AND amount_due_minor = 0))`);
}
