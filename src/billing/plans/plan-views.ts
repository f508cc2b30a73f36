/** Read side of the catalogue: a plan with its prices, as the admin API and checkout see it. */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { planPrices, plans } from '../billing.tables.js';

export interface PriceView {
  id: string;
  stripePriceId: string;
  currency: string;
  unitAmount: number;
  interval: string;
  intervalCount: number;
  active: boolean;
}

export interface PlanView {
  id: string;
  key: string;
  name: string;
  description: string | null;
  grantsRole: string;
  trialDays: number;
  features: string[];
  active: boolean;
  stripeProductId: string | null;
  prices: PriceView[];
  createdAt: string;
}

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
