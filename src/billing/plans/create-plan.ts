/**
 * createPlan: POST /api/admin/plans. Creates the Stripe product and one Stripe price per (currency, interval), then
 * the plan and plan_prices rows and an audit row in one transaction.
 * Idempotent: each Stripe call has a stored key derived from the plan key, so a retried request (or a crash between
 * the Stripe calls and the commit) reuses the same product and prices instead of creating new ones.
 * Invariant: a plan key is unique (409 plan_key_taken).
 */
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { appendAudit } from '../../audit/append-audit.js';
import { fromUnix } from '../../clock.js';
import type { Deps } from '../../deps.js';
import { conflict } from '../../errors.js';
import { plans } from '../billing.tables.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { savePlanRow, savePriceRow } from './catalogue-rows.js';
import type { CreatePlanInput, PriceInput } from './plan-input.js';
import { productParamsOf } from './plan-product.js';
import { getPlan, type PlanView } from './plan-views.js';

export const priceParamsOf = (productId: string, planKey: string, p: PriceInput) => ({
  product: productId,
  currency: p.currency,
  unit_amount: p.unitAmount,
  recurring: { interval: p.interval, interval_count: p.intervalCount },
  metadata: { plan_key: planKey },
});

export async function createPlan(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  input: CreatePlanInput,
): Promise<PlanView> {
  const { db, stripe } = deps;
  const [taken] = await db.select({ id: plans.id }).from(plans).where(eq(plans.key, input.key));
  if (taken) throw conflict('plan_key_taken', `A plan with key "${input.key}" already exists`);

  const fields = {
    key: input.key,
    name: input.name,
    description: input.description ?? null,
    grantsRole: input.grantsRole,
    trialDays: input.trialDays,
    features: input.features,
  };
  const product = await withOperationKey(db, 'plan.create', input.key, (idempotencyKey) =>
    stripe.products.create(productParamsOf(fields), { idempotencyKey }),
  );
  const prices: Stripe.Price[] = [];
  for (const p of input.prices) {
    const natural = `${input.key}:${p.currency}:${p.interval}:${p.intervalCount}:${p.unitAmount}`;
    prices.push(
      await withOperationKey(db, 'plan.price', natural, (idempotencyKey) =>
        stripe.prices.create(priceParamsOf(product.id, input.key, p), { idempotencyKey }),
      ),
    );
  }

  const planId = await db.transaction(async (tx) => {
    const plan = await savePlanRow(tx, product, fromUnix(product.updated));
    for (const price of prices) await savePriceRow(tx, plan.id, price, fromUnix(price.created));
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'plan.created',
      subjectType: 'plan',
      subjectId: plan.id,
      after: { ...fields, stripeProductId: product.id, prices: prices.map((p) => p.id) },
      requestId: actor.requestId,
    });
    return plan.id;
  });
  return getPlan(db, planId);
}
