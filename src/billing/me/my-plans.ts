/**
 * The active catalogue as a customer sees it (GET /api/me/plans): each active plan with its active monthly and
 * yearly prices per currency, cheapest first. What Checkout accepts is exactly this (create-checkout-session.ts).
 */
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { planPrices, plans } from '../billing.tables.js';

export const myPlans = z.object({
  data: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      grantsRole: z.string(),
      features: z.array(z.string()),
      trialDays: z.number().int(),
      prices: z.array(
        z.object({
          interval: z.enum(['month', 'year']),
          currency: z.string(),
          /** Minor units of the currency. */
          unitAmount: z.number().int(),
        }),
      ),
    }),
  ),
});

export async function listMyPlans(db: Executor): Promise<z.infer<typeof myPlans>> {
  const rows = await db
    .select({ p: plans, price: planPrices })
    .from(plans)
    .innerJoin(planPrices, eq(planPrices.planId, plans.id))
    .where(and(eq(plans.active, true), eq(planPrices.active, true), eq(planPrices.intervalCount, 1)))
    .orderBy(asc(planPrices.unitAmountMinor), asc(plans.key), asc(planPrices.currency));
  const byKey = new Map<string, z.infer<typeof myPlans>['data'][number]>();
  for (const { p, price } of rows) {
    if (price.interval !== 'month' && price.interval !== 'year') continue;
    const plan =
      byKey.get(p.key) ??
      byKey
        .set(p.key, {
          key: p.key,
          name: p.name,
          description: p.description,
          grantsRole: p.grantsRole,
          features: p.features,
          trialDays: p.trialDays,
          prices: [],
        })
        .get(p.key)!;
    plan.prices.push({
      interval: price.interval,
      currency: price.currency,
      unitAmount: Number(price.unitAmountMinor),
    });
  }
  return { data: [...byKey.values()] };
}
