/**
 * seedDemo: the demo data of a fresh install, created through the app's own operations against whatever Stripe
 * is configured (the local sandbox by default): the three plans of demo-catalogue.ts, then (optionally) demo users
 * with a test card and a subscription. Idempotent: a plan whose key exists, a user whose email exists or a customer
 * that already has a subscription is left alone, and every Stripe call carries a stored key derived from the seed
 * item, so a seed interrupted half-way and run again completes without duplicates.
 */
import { and, eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { users } from '../../accounts/accounts.tables.js';
import type { Auth } from '../../accounts/auth.js';
import { createSubscriptionRoles, ensureCustomerRoles } from '../../accounts/roles/operation-roles.js';
import type { Deps } from '../../deps.js';
import { planPrices, plans, subscriptions } from '../billing.tables.js';
import { ensureCustomer } from '../customers/ensure-customer.js';
import { systemActor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { createPlan } from '../plans/create-plan.js';
import { createSubscription } from '../subscriptions/create-subscription.js';
import { DEMO_CUSTOMERS, DEMO_PLANS } from './demo-catalogue.js';

export interface SeedReport {
  plansCreated: string[];
  plansExisting: string[];
  customersCreated: string[];
  subscriptionsCreated: string[];
}

export async function seedDemo(
  deps: Pick<Deps, 'db' | 'stripe' | 'logger' | 'clock' | 'config'>,
  opts: { auth?: Auth; customers?: boolean } = {},
): Promise<SeedReport> {
  const report: SeedReport = {
    plansCreated: [],
    plansExisting: [],
    customersCreated: [],
    subscriptionsCreated: [],
  };
  for (const plan of DEMO_PLANS) {
    const [existing] = await deps.db.select({ id: plans.id }).from(plans).where(eq(plans.key, plan.key));
    if (existing) {
      report.plansExisting.push(plan.key);
      continue;
    }
    await createPlan(deps, systemActor(`seed:plan:${plan.key}`), plan);
    report.plansCreated.push(plan.key);
  }
  if (opts.customers === false || !opts.auth) return report;

  const authCtx = await opts.auth.$context;
  for (const demo of DEMO_CUSTOMERS) {
    let [user] = await deps.db.select().from(users).where(eq(users.email, demo.email));
    if (!user) {
      await authCtx.internalAdapter.createUser(
        { email: demo.email, name: demo.name, emailVerified: true },
        { method: 'seed' },
      );
      [user] = await deps.db.select().from(users).where(eq(users.email, demo.email));
      if (!user) throw new Error(`could not create demo user ${demo.email}`);
      report.customersCreated.push(demo.email);
    }
    const customer = await ensureCustomer(
      deps,
      { id: user.id, email: user.email, name: user.name },
      ensureCustomerRoles(deps),
    );
    const [hasSub] = await deps.db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(eq(subscriptions.customerId, customer.id));
    if (hasSub) continue;

    // A test card as the default payment method, so the subscription is paid right away.
    const pm: Stripe.PaymentMethod = await withOperationKey(deps.db, 'seed.card', user.id, (idempotencyKey) =>
      deps.stripe.paymentMethods.attach(
        'pm_card_visa',
        { customer: customer.stripeCustomerId },
        { idempotencyKey },
      ),
    );
    await withOperationKey(deps.db, 'seed.default_card', user.id, (idempotencyKey) =>
      deps.stripe.customers.update(
        customer.stripeCustomerId,
        { invoice_settings: { default_payment_method: pm.id } },
        { idempotencyKey },
      ),
    );
    const [price] = await deps.db
      .select({ stripePriceId: planPrices.stripePriceId })
      .from(planPrices)
      .innerJoin(plans, eq(plans.id, planPrices.planId))
      .where(
        and(eq(plans.key, demo.planKey), eq(planPrices.interval, demo.interval), eq(planPrices.active, true)),
      );
    if (!price) throw new Error(`demo plan ${demo.planKey} has no active ${demo.interval}ly price`);
    await createSubscription(
      deps,
      systemActor(`seed:subscription:${user.id}`),
      {
        customerId: customer.id,
        priceId: price.stripePriceId,
        quantity: 1,
        trialDays: 0,
      },
      createSubscriptionRoles(deps),
    );
    report.subscriptionsCreated.push(`${demo.email} → ${demo.planKey}/${demo.interval}`);
  }
  deps.logger.info(report, 'demo data seeded');
  return report;
}
