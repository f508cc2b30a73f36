/** Admin list of subscriptions: filter by status, plan key, currency, created range, customer; search; sort; page. */
import { and, count, eq, ilike, inArray, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { customers, plans, subscriptions } from '../billing.tables.js';
import {
  createdRange,
  likePattern,
  listParams,
  orderBy,
  pageOf,
  type ListParams,
  type Page,
} from '../operations/list-params.js';

export const subscriptionListParams = listParams([
  'created_at',
  'current_period_end',
  'mrr',
  'status',
] as const);

/** One row of the list (also its OpenAPI response schema). `mrr` is in the currency's minor unit. */
export const subscriptionListItem = z.object({
  id: z.string(),
  stripeSubscriptionId: z.string(),
  status: z.string(),
  planKey: z.string().nullable(),
  stripePriceId: z.string().nullable(),
  quantity: z.number().int(),
  currency: z.string(),
  mrr: z.number().int(),
  currentPeriodEnd: z.iso.datetime().nullable(),
  cancelAtPeriodEnd: z.boolean(),
  cancelAt: z.iso.datetime().nullable(),
  trialEnd: z.iso.datetime().nullable(),
  customer: z.object({
    id: z.string(),
    stripeCustomerId: z.string(),
    email: z.string().nullable(),
    userId: z.string().nullable(),
  }),
  createdAt: z.iso.datetime(),
});
export type SubscriptionListItem = z.infer<typeof subscriptionListItem>;
export const subscriptionPage = pageOf(subscriptionListItem);

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
