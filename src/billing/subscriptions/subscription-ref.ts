/**
 * Resolving the subscription an admin route names (our uuid or Stripe's `sub_…` id) to its row, and a compact
 * snapshot of a Stripe subscription for responses and audit rows.
 */
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { z } from 'zod';
import { fromUnix } from '../../clock.js';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { customers, plans, subscriptions } from '../billing.tables.js';
import { isUuid } from '../plans/plan-views.js';

export async function findSubscription(db: Executor, ref: string) {
  const where = isUuid(ref)
    ? eq(subscriptions.id, ref)
    : /^sub_[A-Za-z0-9]+$/.test(ref)
      ? eq(subscriptions.stripeSubscriptionId, ref)
      : undefined;
  if (!where) throw notFound('Subscription', 'subscription_not_found');
  const [row] = await db
    .select({ s: subscriptions, c: customers })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(where);
  if (!row) throw notFound('Subscription', 'subscription_not_found');
  return { subscription: row.s, customer: row.c };
}

const iso = z.iso.datetime();

/** What the admin write routes (change plan, cancel, pause, resume) answer: Stripe's state after the call. */
export const subscriptionSnapshot = z.object({
  stripeSubscriptionId: z.string(),
  status: z.string(),
  priceId: z.string().nullable(),
  quantity: z.number().int(),
  currentPeriodEnd: iso.nullable(),
  cancelAtPeriodEnd: z.boolean(),
  cancelAt: iso.nullable(),
  canceledAt: iso.nullable(),
  pauseCollection: z.object({ behavior: z.string(), resumesAt: iso.nullable() }).nullable(),
});

export interface SubscriptionSnapshot {
  stripeSubscriptionId: string;
  status: string;
  priceId: string | null;
  quantity: number;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: string | null;
  canceledAt: string | null;
  pauseCollection: { behavior: string; resumesAt: string | null } | null;
}

export function snapshotOf(s: Stripe.Subscription): SubscriptionSnapshot {
  const item = s.items.data[0];
  return {
    stripeSubscriptionId: s.id,
    status: s.status,
    priceId: item?.price.id ?? null,
    quantity: item?.quantity ?? 1,
    currentPeriodEnd: item ? fromUnix(item.current_period_end).toISOString() : null,
    cancelAtPeriodEnd: s.cancel_at_period_end,
    cancelAt: fromUnix(s.cancel_at)?.toISOString() ?? null,
    canceledAt: fromUnix(s.canceled_at)?.toISOString() ?? null,
    pauseCollection: s.pause_collection
      ? {
          behavior: s.pause_collection.behavior,
          resumesAt: fromUnix(s.pause_collection.resumes_at)?.toISOString() ?? null,
        }
      : null,
  };
}

/** GET /api/admin/subscriptions/:id (also its OpenAPI schema); `mrr` in the currency's minor unit. */
export const subscriptionView = z.object({
  id: z.string(),
  stripeSubscriptionId: z.string(),
  status: z.string(),
  planKey: z.string().nullable(),
  planName: z.string().nullable(),
  stripePriceId: z.string().nullable(),
  quantity: z.number().int(),
  currency: z.string(),
  mrr: z.number().int(),
  currentPeriodStart: iso.nullable(),
  currentPeriodEnd: iso.nullable(),
  trialStart: iso.nullable(),
  trialEnd: iso.nullable(),
  cancelAtPeriodEnd: z.boolean(),
  cancelAt: iso.nullable(),
  canceledAt: iso.nullable(),
  endedAt: iso.nullable(),
  /** Stripe's pause_collection as mirrored ({ behavior, resumes_at }), or null. */
  pauseCollection: z.unknown(),
  customer: z.object({
    id: z.string(),
    stripeCustomerId: z.string(),
    email: z.string().nullable(),
    userId: z.string().nullable(),
  }),
  createdAt: iso,
});

/** GET /api/admin/subscriptions/:id — the mirror row with its customer and plan. */
export async function getSubscription(db: Executor, ref: string) {
  const { subscription: s, customer: c } = await findSubscription(db, ref);
  const [plan] = s.planId
    ? await db.select({ key: plans.key, name: plans.name }).from(plans).where(eq(plans.id, s.planId))
    : [];
  return {
    id: s.id,
    stripeSubscriptionId: s.stripeSubscriptionId,
    status: s.status,
    planKey: plan?.key ?? null,
    planName: plan?.name ?? null,
    stripePriceId: s.stripePriceId,
    quantity: s.quantity,
    currency: s.currency,
    mrr: s.mrrMinor,
    currentPeriodStart: s.currentPeriodStart?.toISOString() ?? null,
    currentPeriodEnd: s.currentPeriodEnd?.toISOString() ?? null,
    trialStart: s.trialStart?.toISOString() ?? null,
    trialEnd: s.trialEnd?.toISOString() ?? null,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    cancelAt: s.cancelAt?.toISOString() ?? null,
    canceledAt: s.canceledAt?.toISOString() ?? null,
    endedAt: s.endedAt?.toISOString() ?? null,
    pauseCollection: s.pauseCollection,
    customer: { id: c.id, stripeCustomerId: c.stripeCustomerId, email: c.email, userId: c.userId },
    createdAt: s.createdAt.toISOString(),
  };
}
