/**
 * createCheckoutSession: POST /api/billing/checkout { planKey, interval, currency? } → { url } of a Stripe Checkout
 * Session (mode subscription) for the signed-in user. The client names a plan and an interval only: the price is
 * looked up in our ACTIVE catalogue (docs/RELIABILITY.md 29 — no client-chosen price or amount), the trial comes from the
 * plan, promotion codes are allowed. Idempotent per request (stored key `checkout:<user>:<request>`).
 */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { conflict, invalid } from '../../errors.js';
import { customers, planPrices, plans, subscriptions } from '../billing.tables.js';
import { ensureCustomer, type CustomerUser } from '../customers/ensure-customer.js';
import type { OnCustomerLinked } from '../customers/customers.repo.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { appUrl } from './app-url.js';

export const checkoutInput = z
  .object({
    planKey: z.string().min(1).max(64),
    interval: z.enum(['month', 'year']),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/)
      .transform((c) => c.toLowerCase())
      .optional(),
  })
  .strict();
export type CheckoutInput = z.infer<typeof checkoutInput>;

/** Statuses in which the user already has a subscription to manage (through the portal) rather than buy. */
const LIVE = ['trialing', 'active', 'past_due', 'unpaid', 'paused', 'incomplete'] as const;

export async function createCheckoutSession(
  deps: Pick<Deps, 'db' | 'stripe' | 'config' | 'clock'>,
  user: CustomerUser,
  operationId: string,
  input: CheckoutInput,
  /** The edge's role step for the customer ensureCustomer may link. */
  onLinked: OnCustomerLinked,
): Promise<{ url: string; sessionId: string }> {
  const { db, stripe } = deps;
  const [plan] = await db
    .select()
    .from(plans)
    .where(and(eq(plans.key, input.planKey), eq(plans.active, true)));
  if (!plan) throw invalid('plan_not_available', `There is no active plan "${input.planKey}"`);
  const prices = await db
    .select()
    .from(planPrices)
    .where(
      and(
        eq(planPrices.planId, plan.id),
        eq(planPrices.interval, input.interval),
        eq(planPrices.intervalCount, 1),
        eq(planPrices.active, true),
      ),
    );
  const price =
    prices.find((p) => p.currency === (input.currency ?? 'usd')) ?? (input.currency ? undefined : prices[0]);
  if (!price)
    throw invalid('price_not_available', `Plan "${plan.key}" has no active ${input.interval}ly price`);

  const [live] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(and(eq(customers.userId, user.id), inArray(subscriptions.status, [...LIVE])));
  if (live)
    throw conflict('already_subscribed', 'You already have a subscription: manage it in the billing portal');

  const customer = await ensureCustomer(deps, user, onLinked);
  const base = appUrl(deps.config);
  const session = await withOperationKey(db, 'checkout', `${user.id}:${operationId}`, (idempotencyKey) =>
    stripe.checkout.sessions.create(
      {
        mode: 'subscription',
        customer: customer.stripeCustomerId,
        client_reference_id: user.id,
        line_items: [{ price: price.stripePriceId, quantity: 1 }],
        allow_promotion_codes: true,
        subscription_data: {
          ...(plan.trialDays > 0 ? { trial_period_days: plan.trialDays } : {}),
          metadata: { user_id: user.id, plan_key: plan.key },
        },
        metadata: { user_id: user.id, plan_key: plan.key },
        success_url: `${base}/account?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${base}/account?checkout=canceled`,
      },
      { idempotencyKey },
    ),
  );
  if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
  return { url: session.url, sessionId: session.id };
}
