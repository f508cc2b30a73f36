/** An admin names a price by our uuid or Stripe's `price_…` id; only prices in our catalogue are accepted. */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { invalid } from '../../errors.js';
import { planPrices, plans } from '../billing.tables.js';
import { isUuid } from '../plans/plan-views.js';

export async function findCataloguePrice(db: Executor, ref: string, opts: { activeOnly: boolean }) {
  const where = isUuid(ref) ? eq(planPrices.id, ref) : eq(planPrices.stripePriceId, ref);
  const [row] = await db
    .select({ price: planPrices, plan: plans })
    .from(planPrices)
    .innerJoin(plans, eq(plans.id, planPrices.planId))
    .where(where);
  if (!row) throw invalid('price_not_in_catalogue', `Price ${ref} is not in the catalogue`);
  if (opts.activeOnly && (!row.price.active || !row.plan.active)) {
    throw invalid('price_not_available', `Price ${ref} is archived or its plan is inactive`);
  }
  return row;
}
