/**
 * How a plan travels in Stripe: the product carries the plan's own fields in `metadata` (plan_key, grants_role,
 * trial_days) and its features as `marketing_features`, so a product edited in Stripe's dashboard (product.updated)
 * and a product the app created map to the same plan row. Pure functions, no I/O.
 */
import type Stripe from 'stripe';

export interface PlanFields {
  key: string;
  name: string;
  description: string | null;
  grantsRole: 'member' | 'professional' | 'enterprise';
  trialDays: number;
  features: string[];
  active: boolean;
}

export function productParamsOf(plan: Omit<PlanFields, 'active'>): Stripe.ProductCreateParams {
  return {
    name: plan.name,
    ...(plan.description ? { description: plan.description } : {}),
    metadata: { plan_key: plan.key, grants_role: plan.grantsRole, trial_days: String(plan.trialDays) },
    marketing_features: plan.features.map((name) => ({ name })),
  };
}

const ROLES = ['member', 'professional', 'enterprise'] as const;

/** The plan fields a Stripe product describes; null when the product is not one of our plans (no plan_key). */
export function planFieldsOf(product: Stripe.Product): PlanFields | null {
  const key = product.metadata?.plan_key;
  if (!key) return null;
  const role = product.metadata.grants_role;
  const trial = Number(product.metadata.trial_days ?? '0');
  return {
    key,
    name: product.name,
    description: product.description ?? null,
    grantsRole: (ROLES as readonly string[]).includes(role ?? '')
      ? (role as PlanFields['grantsRole'])
      : 'member',
    trialDays: Number.isInteger(trial) && trial >= 0 ? trial : 0,
    features: (product.marketing_features ?? []).map((f) => f.name ?? '').filter((n) => n.length > 0),
    active: product.active,
  };
}

/** The plan_prices fields of a Stripe price (recurring prices only). */
export function priceFieldsOf(price: Stripe.Price) {
  if (!price.recurring || price.unit_amount === null) return null;
  return {
    stripePriceId: price.id,
    currency: price.currency,
    unitAmountMinor: price.unit_amount,
    interval: price.recurring.interval as 'day' | 'week' | 'month' | 'year',
    intervalCount: price.recurring.interval_count,
    active: price.active,
    lookupKey: price.lookup_key ?? null,
  };
}
