/**
 * Writes plan and plan_price rows from the Stripe product / price the app just created or changed. Same mapping as
 * the product.* / price.* webhook handlers (plan-product.ts), and version-guarded the same way: the row takes the
 * object only if `versionAt` is not older than the row's `stripe_version_at`, so the webhook echo of our own change
 * (an event created no later than our write) changes nothing.
 */
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Executor } from '../../db/client.js';
import { planPrices, plans } from '../billing.tables.js';
import { planFieldsOf, priceFieldsOf } from './plan-product.js';

export async function savePlanRow(tx: Executor, product: Stripe.Product, versionAt: Date) {
  const f = planFieldsOf(product);
  if (!f) throw new Error(`product ${product.id} has no metadata.plan_key`);
  const [row] = await tx
    .insert(plans)
    .values({
      key: f.key,
      name: f.name,
      description: f.description,
      grantsRole: f.grantsRole,
      trialDays: f.trialDays,
      features: f.features,
      active: f.active,
      stripeProductId: product.id,
      stripeVersionAt: versionAt,
      createdAt: versionAt,
      updatedAt: versionAt,
    })
    .onConflictDoUpdate({
      target: plans.stripeProductId,
      set: {
        key: f.key,
        name: f.name,
        description: f.description,
        grantsRole: f.grantsRole,
        trialDays: f.trialDays,
        features: f.features,
        active: f.active,
        stripeVersionAt: versionAt,
        stripeEventId: null,
        updatedAt: versionAt,
      },
      setWhere: sql`${plans.stripeVersionAt} IS NULL OR ${plans.stripeVersionAt} <= ${versionAt.toISOString()}::timestamptz`,
    })
    .returning();
  if (row) return row;
  const [current] = await tx
    .select()
    .from(plans)
    .where(sql`${plans.stripeProductId} = ${product.id}`);
  if (!current) throw new Error(`plan row for ${product.id} vanished`);
  return current;
}

export async function savePriceRow(tx: Executor, planId: string, price: Stripe.Price, versionAt: Date) {
  const f = priceFieldsOf(price);
  if (!f) throw new Error(`price ${price.id} is not a recurring price with a unit amount`);
  const [row] = await tx
    .insert(planPrices)
    .values({ planId, ...f, stripeVersionAt: versionAt, createdAt: versionAt, updatedAt: versionAt })
    .onConflictDoUpdate({
      target: planPrices.stripePriceId,
      set: {
        active: f.active,
        lookupKey: f.lookupKey,
        stripeVersionAt: versionAt,
        stripeEventId: null,
        updatedAt: versionAt,
      },
      setWhere: sql`${planPrices.stripeVersionAt} IS NULL OR ${planPrices.stripeVersionAt} <= ${versionAt.toISOString()}::timestamptz`,
    })
    .returning();
  if (row) return row;
  const [current] = await tx
    .select()
    .from(planPrices)
    .where(sql`${planPrices.stripePriceId} = ${price.id}`);
  if (!current) throw new Error(`price row for ${price.id} vanished`);
  return current;
}
