/**
 * What the account page shows about the signed-in user's billing (GET /api/me/billing): the current subscription
 * (the newest live one, else the newest) with its plan, renewal or cancellation date and trial end, and the open
 * grace period (the dunning case's deadline) when a payment failed. Scoped by user id in SQL.
 */
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { customers, plans, subscriptions } from '../billing.tables.js';
import { dunningCases } from '../../dunning/dunning.tables.js';

export const myBilling = z.object({
  customerId: z.string().nullable(),
  subscription: z
    .object({
      id: z.string(),
      planKey: z.string().nullable(),
      planName: z.string().nullable(),
      grantsRole: z.string().nullable(),
      status: z.string(),
      currentPeriodEnd: z.iso.datetime().nullable(),
      cancelAtPeriodEnd: z.boolean(),
      cancelAt: z.iso.datetime().nullable(),
      trialEnd: z.iso.datetime().nullable(),
    })
    .nullable(),
  grace: z.object({ until: z.iso.datetime(), planName: z.string().nullable() }).nullable(),
});
export type MyBilling = z.infer<typeof myBilling>;

const LIVE = new Set(['trialing', 'active', 'past_due', 'unpaid', 'paused', 'incomplete']);

export async function getMyBilling(db: Executor, userId: string): Promise<MyBilling> {
  const [customer] = await db
    .select({ id: customers.id, stripeCustomerId: customers.stripeCustomerId })
    .from(customers)
    .where(eq(customers.userId, userId));
  if (!customer) return { customerId: null, subscription: null, grace: null };
  const rows = await db
    .select({ s: subscriptions, p: plans })
    .from(subscriptions)
    .leftJoin(plans, eq(plans.id, subscriptions.planId))
    .where(eq(subscriptions.customerId, customer.id))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id));
  const current = rows.find((r) => LIVE.has(r.s.status)) ?? rows[0];
  const [open] = await db
    .select({ graceUntil: dunningCases.graceUntil, subscriptionId: dunningCases.subscriptionId })
    .from(dunningCases)
    .where(and(eq(dunningCases.userId, userId), eq(dunningCases.status, 'open')))
    .orderBy(desc(dunningCases.graceUntil))
    .limit(1);
  return {
    customerId: customer.stripeCustomerId,
    subscription: current
      ? {
          id: current.s.stripeSubscriptionId,
          planKey: current.p?.key ?? null,
          planName: current.p?.name ?? null,
          grantsRole: current.p?.grantsRole ?? null,
          status: current.s.status,
          currentPeriodEnd: current.s.currentPeriodEnd?.toISOString() ?? null,
          cancelAtPeriodEnd: current.s.cancelAtPeriodEnd,
          cancelAt: current.s.cancelAt?.toISOString() ?? null,
          trialEnd: current.s.trialEnd?.toISOString() ?? null,
        }
      : null,
    grace: open
      ? {
          until: open.graceUntil.toISOString(),
          planName: rows.find((r) => r.s.id === open.subscriptionId)?.p?.name ?? current?.p?.name ?? null,
        }
      : null,
  };
}
