/**
 * The first local sight of a subscription the app itself created, from the object Stripe returned. Keyed by the
 * Stripe id: if the customer.subscription.created webhook got there first, its row is kept as is (ON CONFLICT DO
 * NOTHING); if we are first, the event still applies over our row (an event wins a tie against a write without an
 * event id, see mirror/version-guard.ts) and records the MRR movement.
 */
import { and, eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { fromUnix } from '../../clock.js';
import type { Executor } from '../../db/client.js';
import { planPrices, subscriptions, type SubscriptionStatus } from '../billing.tables.js';

export async function saveCreatedSubscription(tx: Executor, customerId: string, sub: Stripe.Subscription) {
  const item = sub.items.data[0];
  const priceId = item?.price.id ?? null;
  const [price] = priceId
    ? await tx.select({ planId: planPrices.planId }).from(planPrices).where(and(eq(planPrices.stripePriceId, priceId)))
    : [];
  await tx
    .insert(subscriptions)
    .values({
      stripeSubscriptionId: sub.id,
      customerId,
      planId: price?.planId ?? null,
      stripePriceId: priceId,
      status: sub.status as SubscriptionStatus,
      quantity: item?.quantity ?? 1,
      currency: sub.currency,
      currentPeriodStart: fromUnix(item?.current_period_start),
      currentPeriodEnd: fromUnix(item?.current_period_end),
      trialStart: fromUnix(sub.trial_start),
      trialEnd: fromUnix(sub.trial_end),
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      cancelAt: fromUnix(sub.cancel_at),
      canceledAt: fromUnix(sub.canceled_at),
      endedAt: fromUnix(sub.ended_at),
      metadata: sub.metadata ?? {},
      createdAt: fromUnix(sub.created),
      stripeVersionAt: fromUnix(sub.created),
    })
    .onConflictDoNothing({ target: subscriptions.stripeSubscriptionId });
  const [row] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(sql`${subscriptions.stripeSubscriptionId} = ${sub.id}`);
  if (!row) throw new Error(`subscription row ${sub.id} missing after insert`);
  return row;
}
