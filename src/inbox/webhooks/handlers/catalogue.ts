/**
 * product.created / updated / deleted and price.created / updated / deleted — catalogue edits, made by the app
 * (echoes of its own writes) or in Stripe's dashboard. A product is one of our plans only if it carries
 * `metadata.plan_key` (with `grants_role` member|professional|enterprise and optional `trial_days`; features from
 * `marketing_features`) — the same mapping the app writes (plans/plan-product.ts); other products and their prices
 * are ignored. Safe twice and out of order: rows are version-guarded; a price whose product is not mirrored yet
 * fetches that product (the missing object) once; deletion deactivates, never deletes.
 */
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { eventAt } from '../../../billing/mirror/event-time.js';
import { fromUnix } from '../../../clock.js';
import { planPrices, plans } from '../../../billing/billing.tables.js';
import { planFieldsOf, priceFieldsOf } from '../../../billing/plans/plan-product.js';
import { savePlanRow, savePriceRow } from '../../../billing/plans/catalogue-rows.js';
import { linkSubscriptionsToPrice } from '../../../billing/subscriptions/subscriptions.repo.js';
import { differs } from '../../../billing/mirror/stripe-refs.js';
import type { EventContext, HandlerResult } from '../types.js';
import { auditEvent } from './handler-kit.js';
import type { FamilyHandler } from './handler-kit.js';

const PLAN_FIELDS = ['key', 'name', 'description', 'grantsRole', 'features', 'trialDays', 'active'] as const;
const PRICE_FIELDS = [
  'active',
  'lookupKey',
  'unitAmountMinor',
  'currency',
  'interval',
  'intervalCount',
] as const;

async function planOf(ctx: EventContext, productId: string) {
  const [row] = await ctx.tx.select().from(plans).where(eq(plans.stripeProductId, productId));
  return row ?? null;
}

export const productChanged: FamilyHandler<
  'product.created' | 'product.updated' | 'product.deleted'
> = async (ctx) => {
  const product: Stripe.Product = {
    ...ctx.event.data.object,
    ...(ctx.event.type === 'product.deleted' ? { active: false } : {}),
  };
  if (!planFieldsOf(product)) return { outcome: 'ignored', note: 'product has no metadata.plan_key' };
  const before = await planOf(ctx, product.id);
  const row = await savePlanRow(ctx.tx, product, eventAt(ctx.event));
  if (!differs(before, row, PLAN_FIELDS))
    return { outcome: before ? 'stale' : 'applied', note: 'plan unchanged' };
  await auditEvent(ctx, { subjectType: 'plan', subjectId: row.id, before, after: row });
  return { outcome: 'applied' };
};

export const priceChanged: FamilyHandler<'price.created' | 'price.updated' | 'price.deleted'> = async (
  ctx,
): Promise<HandlerResult> => {
  const price: Stripe.Price = {
    ...ctx.event.data.object,
    ...(ctx.event.type === 'price.deleted' ? { active: false } : {}),
  };
  if (!priceFieldsOf(price)) return { outcome: 'ignored', note: 'not a recurring price with a unit amount' };
  const productId = typeof price.product === 'string' ? price.product : price.product.id;
  let plan = await planOf(ctx, productId);
  if (!plan) {
    const product =
      typeof price.product === 'object' && !price.product.deleted
        ? price.product
        : await ctx.deps.stripe.products.retrieve(productId);
    if (!planFieldsOf(product)) return { outcome: 'ignored', note: 'product is not a plan' };
    plan = await savePlanRow(ctx.tx, product, fromUnix(product.updated));
  }
  const [before] = await ctx.tx.select().from(planPrices).where(eq(planPrices.stripePriceId, price.id));
  const row = await savePriceRow(ctx.tx, plan.id, price, eventAt(ctx.event));
  const linked = await linkSubscriptionsToPrice(ctx.tx, price.id);
  if (!differs(before ?? null, row, PRICE_FIELDS) && linked === 0) {
    return { outcome: before ? 'stale' : 'applied', note: 'price unchanged' };
  }
  await auditEvent(ctx, {
    subjectType: 'plan_price',
    subjectId: row.id,
    before: before ?? null,
    after: row,
    ...(linked ? { extra: { subscriptionsLinked: linked } } : {}),
  });
  return { outcome: 'applied' };
};
