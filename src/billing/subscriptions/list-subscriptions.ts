/** Admin list of subscriptions: filter by status, plan key, currency, created range, customer; search; sort; page. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { anyOf, equals, listTable, offsetPage, within } from '../../db/list-query.js';
import {
  customerIs,
  customersMatching,
  listParams,
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

type Sort = 'created_at' | 'current_period_end' | 'mrr' | 'status';

const SUBSCRIPTIONS = listTable<Sort>({
  select: sql`s.id, s.stripe_subscription_id, s.status, p.key AS plan_key, s.stripe_price_id, s.quantity, s.currency,
    s.mrr_minor, s.current_period_end, s.cancel_at_period_end, s.cancel_at, s.trial_end, s.created_at,
    c.id AS customer_id, c.stripe_customer_id, c.email AS customer_email, c.user_id`,
  // LEFT JOIN customers: the same rows as an inner join (customer_id is NOT NULL and references customers), but a
  // left join to a unique key that nothing else names is one PostgreSQL drops — the capped count then reads
  // subscriptions alone instead of merge-joining 10k of them to customers (0.5-1.4 s at 100k, bench/RESULTS.md).
  from: sql`subscriptions s LEFT JOIN customers c ON c.id = s.customer_id LEFT JOIN plans p ON p.id = s.plan_id`,
  sort: {
    created_at: sql`s.created_at`,
    current_period_end: sql`s.current_period_end`,
    mrr: sql`s.mrr_minor`,
    status: sql`s.status`,
  },
  tieBreak: sql`s.id`,
  nullable: ['current_period_end'],
  search: {
    equals: [sql`s.stripe_subscription_id`],
    through: { key: sql`s.customer_id`, ids: customersMatching, type: 'uuid' },
  },
});

interface Row {
  id: string;
  stripe_subscription_id: string;
  status: string;
  plan_key: string | null;
  stripe_price_id: string | null;
  quantity: number;
  currency: string;
  mrr_minor: number;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  cancel_at: Date | null;
  trial_end: Date | null;
  created_at: Date;
  customer_id: string;
  stripe_customer_id: string;
  customer_email: string | null;
  user_id: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function listSubscriptions(
  db: Executor,
  p: ListParams<Sort>,
): Promise<Page<SubscriptionListItem>> {
  const { rows, total, totalExact } = await offsetPage<Row, Sort>(db, SUBSCRIPTIONS, p, [
    anyOf(sql`s.status`, p.status),
    anyOf(sql`p.key`, p.plan),
    equals(sql`s.currency`, p.currency),
    ...within(sql`s.created_at`, p.createdFrom, p.createdTo),
    customerIs(p.customerId),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      stripeSubscriptionId: r.stripe_subscription_id,
      status: r.status,
      planKey: r.plan_key,
      stripePriceId: r.stripe_price_id,
      quantity: r.quantity,
      currency: r.currency,
      mrr: r.mrr_minor,
      currentPeriodEnd: iso(r.current_period_end),
      cancelAtPeriodEnd: r.cancel_at_period_end,
      cancelAt: iso(r.cancel_at),
      trialEnd: iso(r.trial_end),
      customer: {
        id: r.customer_id,
        stripeCustomerId: r.stripe_customer_id,
        email: r.customer_email,
        userId: r.user_id,
      },
      createdAt: new Date(r.created_at).toISOString(),
    })),
    page: p.page,
    limit: p.limit,
    total,
    totalExact,
  };
}
