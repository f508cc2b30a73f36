/** The `billing` part of GET /api/me: the user's Stripe customer id and subscriptions (newest first). */
import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { customers, plans, subscriptions } from '../billing.tables.js';

export interface BillingSummary {
  customerId: string | null;
  subscriptions: {
    id: string;
    planKey: string | null;
    status: string;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    cancelAt: string | null;
  }[];
}

export async function billingSummary(db: Executor, userId: string): Promise<BillingSummary> {
  const [customer] = await db
    .select({ id: customers.id, stripeCustomerId: customers.stripeCustomerId })
    .from(customers)
    .where(eq(customers.userId, userId));
  if (!customer) return { customerId: null, subscriptions: [] };
  const rows = await db
    .select({ s: subscriptions, planKey: plans.key })
    .from(subscriptions)
    .leftJoin(plans, eq(plans.id, subscriptions.planId))
    .where(eq(subscriptions.customerId, customer.id))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id));
  return {
    customerId: customer.stripeCustomerId,
    subscriptions: rows.map(({ s, planKey }) => ({
      id: s.stripeSubscriptionId,
      planKey,
      status: s.status,
      currentPeriodEnd: s.currentPeriodEnd?.toISOString() ?? null,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      cancelAt: s.cancelAt?.toISOString() ?? null,
    })),
  };
}
