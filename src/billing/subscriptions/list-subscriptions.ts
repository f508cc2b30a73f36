/** Admin list of subscriptions: filter by status, plan key, currency, created range, customer; search; sort; page. */
import { and, count, eq, ilike, inArray, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { customers, plans, subscriptions } from '../billing.tables.js';
import {
  createdRange,
  likePattern,
  listParams,
  orderBy,
  type ListParams,
  type Page,
} from '../operations/list-params.js';

export const subscriptionListParams = listParams([
  'created_at',
  'current_period_end',
  'mrr',
  'status',
] as const);

export interface SubscriptionListItem {
  id: string;
  stripeSubscriptionId: string;
  status: string;
  planKey: string | null;
  stripePriceId: string | null;
  quantity: number;
  currency: string;
  mrr: number;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: string | null;
  trialEnd: string | null;
  customer: { id: string; stripeCustomerId: string; email: string | null; userId: string | null };
  createdAt: string;
}

export async function listSubscriptions(
  db: Executor,
  p: ListParams<'created_at' | 'current_period_end' | 'mrr' | 'status'>,
): Promise<Page<SubscriptionListItem>> {
  const where = and(
    p.status ? inArray(subscriptions.status, p.status as never[]) : undefined,
    p.plan ? inArray(plans.key, p.plan) : undefined,
    p.currency ? eq(subscriptions.currency, p.currency) : undefined,
    createdRange(subscriptions.createdAt, p),
    p.customerId
      ? or(eq(customers.stripeCustomerId, p.customerId), eq(customers.userId, p.customerId))
      : undefined,
    p.q
      ? or(
          ilike(customers.email, likePattern(p.q)),
          eq(subscriptions.stripeSubscriptionId, p.q),
          eq(customers.stripeCustomerId, p.q),
        )
      : undefined,
  );
  const sortColumn = {
    created_at: subscriptions.createdAt,
    current_period_end: subscriptions.currentPeriodEnd,
    mrr: subscriptions.mrrMinor,
    status: subscriptions.status,
  }[p.sort];
  const base = () =>
    db
      .select({ s: subscriptions, planKey: plans.key, c: customers })
      .from(subscriptions)
      .innerJoin(customers, eq(customers.id, subscriptions.customerId))
      .leftJoin(plans, eq(plans.id, subscriptions.planId));
  const [rows, [total]] = await Promise.all([
    base()
      .where(where)
      .orderBy(...orderBy(sortColumn, subscriptions.id, p))
      .limit(p.limit)
      .offset((p.page - 1) * p.limit),
    db
      .select({ n: count() })
      .from(subscriptions)
      .innerJoin(customers, eq(customers.id, subscriptions.customerId))
      .leftJoin(plans, eq(plans.id, subscriptions.planId))
      .where(where),
  ]);
  return {
    items: rows.map(({ s, planKey, c }) => ({
      id: s.id,
      stripeSubscriptionId: s.stripeSubscriptionId,
      status: s.status,
      planKey,
      stripePriceId: s.stripePriceId,
      quantity: s.quantity,
      currency: s.currency,
      mrr: s.mrrMinor,
      currentPeriodEnd: s.currentPeriodEnd?.toISOString() ?? null,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      cancelAt: s.cancelAt?.toISOString() ?? null,
      trialEnd: s.trialEnd?.toISOString() ?? null,
      customer: { id: c.id, stripeCustomerId: c.stripeCustomerId, email: c.email, userId: c.userId },
      createdAt: s.createdAt.toISOString(),
    })),
    page: p.page,
    limit: p.limit,
    total: total?.n ?? 0,
  };
}
