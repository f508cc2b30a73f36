/**
 * onSubscriptionEnded: the subscription ended (`customer.subscription.deleted`, or an update to `canceled`,
 * `unpaid`, `incomplete_expired`) while a dunning case was open → the case is lost (`subscription_ended`);
 * onSubscriptionChanged returns it as the case's change, and the subscription handler recomputes the role and sends
 * the "downgraded" notice if it dropped (notify-downgraded.ts). Safe twice: only an open case closes.
 */
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { addStep, findOpenCase, type SubscriptionContext } from './dunning.repo.js';
import { eventAt } from '../billing/mirror/event-time.js';
import type { DunningStepResult } from './on-invoice-payment-failed.js';

export async function onSubscriptionEnded(
  tx: Tx,
  _deps: Pick<Deps, 'config'>,
  event: Stripe.Event,
  sub: SubscriptionContext,
): Promise<DunningStepResult & { amountMinor?: number; currency?: string }> {
  const open = await findOpenCase(tx, sub.subscriptionId, true);
  if (!open) return { outcome: 'ignored', reason: 'no_open_case' };
  const at = eventAt(event);
  await tx.execute(sql`
    UPDATE dunning_cases SET status = 'lost', lost_at = ${at}, lost_reason = 'subscription_ended',
      closed_by = ${event.id}, updated_at = now()
    WHERE id = ${open.id} AND status = 'open'`);
  await addStep(tx, {
    caseId: open.id,
    kind: 'lost',
    at,
    cause: event.id,
    data: { reason: 'subscription_ended' },
  });
  return { outcome: 'lost', caseId: open.id, amountMinor: open.amountDueMinor, currency: open.currency };
}
