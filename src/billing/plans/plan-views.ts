/** Read side of the catalogue: a plan with its prices, as the admin API and checkout see it. */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { planPrices, plans } from '../billing.tables.js';

/** A price as the API shows it (also its OpenAPI schema); `unitAmount` is in the currency's minor unit. */
export const priceView = z.object({
  id: z.string(),
  stripePriceId: z.string(),
  currency: z.string(),
  unitAmount: z.number().int(),
  interval: z.string(),
  intervalCount: z.number().int(),
  active: z.boolean(),
});
export type PriceView = z.infer<typeof priceView>;

export const planView = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  grantsRole: z.string(),
  trialDays: z.number().int(),
  features: z.array(z.string()),
  active: z.boolean(),
  stripeProductId: z.string().nullable(),
  prices: z.array(priceView),
  createdAt: z.iso.datetime(),
});
export type PlanView = z.infer<typeof planView>;
export const planList = z.object({ items: z.array(planView) });

type PlanRow = typeof plans.$inferSelect;
type PriceRow = typeof planPrices.$inferSelect;

export function toPlanView(plan: PlanRow, prices: PriceRow[]): PlanView {
  return {
    id: plan.id,
    key: plan.key,
    name: plan.name,
    description: plan.description,
    grantsRole: plan.grantsRole,
    trialDays: plan.trialDays,
    features: plan.features,
    active: plan.active,
    stripeProductId: plan.stripeProductId,
    prices: prices
      .filter((p) => p.planId === plan.id)
      .map((p) => ({
        id: p.id,
        stripePriceId: p.stripePriceId,
        currency: p.currency,
        unitAmount: p.unitAmountMinor,
        interval: p.interval,
        intervalCount: p.intervalCount,
        active: p.active,
      })),
    createdAt: plan.createdAt.toISOString(),
  };
}

/** Prices in a stable order: oldest first, then currency, interval (day → year), archived before active. */
const priceOrder = [
  asc(planPrices.createdAt),
  asc(planPrices.currency),
  sql`array_position(array['day','week','month','year'], ${planPrices.interval})`,
  asc(planPrices.intervalCount),
  asc(planPrices.active),
  asc(planPrices.unitAmountMinor),
  asc(planPrices.stripePriceId),
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID.test(v);

export async function findPlanRow(db: Executor, id: string): Promise<PlanRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(plans).where(eq(plans.id, id));
  return row;
}

export async function getPlan(db: Executor, id: string): Promise<PlanView> {
  const plan = await findPlanRow(db, id);
  if (!plan) throw notFound('Plan', 'plan_not_found');
  const prices = await db
    .select()
    .from(planPrices)
    .where(eq(planPrices.planId, plan.id))
    .orderBy(...priceOrder);
  return toPlanView(plan, prices);
}

export async function listPlans(db: Executor, opts: { activeOnly?: boolean } = {}): Promise<PlanView[]> {
  const rows = await db
    .select()
    .from(plans)
    .where(opts.activeOnly ? eq(plans.active, true) : undefined)
    .orderBy(asc(plans.createdAt), asc(plans.key));
  if (rows.length === 0) return [];
  const prices = await db
    .select()
    .from(planPrices)
    .where(
      inArray(
        planPrices.planId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(...priceOrder);
  return rows.map((r) => toPlanView(r, prices));
}
