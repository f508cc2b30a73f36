/**
 * Issue 14's reconciliation: MRR recomputed straight from the Stripe objects — the sandbox's own subscription list,
 * read through the SDK, its coupons fetched — equals ours to the cent: each mirrored subscription's `mrr_minor`, the
 * summary report per currency, and the mrr report's ending MRR. The history is made in the sandbox and reaches the
 * app only by its signed webhooks while the sandbox clock moves 45 days: usd and eur, monthly and yearly prices,
 * quantities, a percent and an amount coupon, a trial that converts, an upgrade, a cancel at period end, an
 * immediate cancellation, a renewal that fails and stays failing, one that fails and is paid after a card update.
 *
 * The recomputation is Stripe's arithmetic written out here, not the app's: the year's amount of every item
 * (monthly × 12), less the percent, less the amount off times the invoices a year, divided by 12 and rounded half
 * up once per subscription; counted while active or past_due.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { users } from '../../../src/accounts/accounts.tables.js';
import { ensureCustomer } from '../../../src/billing/customers/ensure-customer.js';
import { systemActor } from '../../../src/billing/operations/actor.js';
import { createPlan } from '../../../src/billing/plans/create-plan.js';
import type { PlanView } from '../../../src/billing/plans/plan-views.js';
import { billingStack, type BillingStack } from '../../helpers/billing-stack.js';
import { mrrFromStripe } from '../../helpers/stripe-mrr.js';
import { ensureCustomerRoles } from '../../../src/accounts/roles/operation-roles.js';

const ADMIN_KEY = 'analytics-reconcile-key-0123456789abcdefg';
let s: BillingStack;
let stripe: Stripe;
let solo: PlanView;
let team: PlanView;
const subs: Record<string, string> = {};

const priceOf = (plan: PlanView, currency: string, interval: 'month' | 'year') =>
  plan.prices.find((p) => p.currency === currency && p.interval === interval)!.stripePriceId;

async function customer(key: string, card = 'pm_card_visa'): Promise<string> {
  const id = `user_rc_${key}`;
  await s.h.deps.db.insert(users).values({ id, name: key, email: `${key}@reconcile.example.com` });
  const c = await ensureCustomer(
    s.h.deps,
    { id, email: `${key}@reconcile.example.com`, name: key },
    ensureCustomerRoles(s.h.deps),
  );
  await useCard(c.stripeCustomerId, card);
  return c.stripeCustomerId;
}

async function useCard(customerId: string, card: string): Promise<void> {
  const pm = await stripe.paymentMethods.attach(card, { customer: customerId });
  await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: pm.id } });
}

beforeAll(async () => {
  s = await billingStack({
    webhooks: true,
    label: 'analytics-reconcile',
    env: { ADMIN_API_KEYS: ADMIN_KEY },
  });
  stripe = s.h.deps.stripe;
  const actor = systemActor('reconcile-test');
  solo = await createPlan(s.h.deps, actor, {
    key: 'solo',
    name: 'Solo',
    grantsRole: 'professional',
    trialDays: 0,
    features: [],
    prices: [
      { currency: 'usd', unitAmount: 2900, interval: 'month', intervalCount: 1 },
      { currency: 'usd', unitAmount: 29000, interval: 'year', intervalCount: 1 },
      { currency: 'eur', unitAmount: 2700, interval: 'month', intervalCount: 1 },
      { currency: 'eur', unitAmount: 27000, interval: 'year', intervalCount: 1 },
    ],
  });
  team = await createPlan(s.h.deps, actor, {
    key: 'team',
    name: 'Team',
    grantsRole: 'enterprise',
    trialDays: 0,
    features: [],
    prices: [
      { currency: 'usd', unitAmount: 9900, interval: 'month', intervalCount: 1 },
      { currency: 'eur', unitAmount: 8900, interval: 'month', intervalCount: 1 },
    ],
  });
  const percent = await stripe.coupons.create({ percent_off: 20, duration: 'forever' });
  const amount = await stripe.coupons.create({ amount_off: 1200, currency: 'eur', duration: 'forever' });

  const subscribe = async (
    key: string,
    params: Omit<Stripe.SubscriptionCreateParams, 'customer'>,
    card?: string,
  ) => {
    const created = await stripe.subscriptions.create({ customer: await customer(key, card), ...params });
    subs[key] = created.id;
  };
  await subscribe('u1', { items: [{ price: priceOf(solo, 'usd', 'month') }] });
  await subscribe('u2', { items: [{ price: priceOf(solo, 'usd', 'year'), quantity: 2 }] });
  await subscribe('e1', { items: [{ price: priceOf(solo, 'eur', 'month'), quantity: 3 }], discounts: [{ coupon: percent.id }] }); // prettier-ignore
  await subscribe('e2', {
    items: [{ price: priceOf(solo, 'eur', 'year') }],
    discounts: [{ coupon: amount.id }],
  });
  await subscribe('u3', { items: [{ price: priceOf(solo, 'usd', 'month') }], trial_period_days: 14 });
  await subscribe('u4', { items: [{ price: priceOf(solo, 'usd', 'month') }] });
  await subscribe('u5', { items: [{ price: priceOf(solo, 'usd', 'month') }] });
  await subscribe('u6', { items: [{ price: priceOf(solo, 'usd', 'month') }] });
  await subscribe('u7', { items: [{ price: priceOf(solo, 'usd', 'month') }] });
  await subscribe('e3', { items: [{ price: priceOf(team, 'eur', 'month') }] });
  await s.settle();

  await s.advance({ days: 5 });
  await stripe.subscriptions.update(subs.u5!, { cancel_at_period_end: true });
  const u4 = await stripe.subscriptions.retrieve(subs.u4!);
  await stripe.subscriptions.update(subs.u4!, {
    items: [{ id: u4.items.data[0]!.id, price: priceOf(team, 'usd', 'month') }],
  });
  // u6's and u7's renewals will fail: their only card now declines
  for (const key of ['u6', 'u7']) {
    const sub = await stripe.subscriptions.retrieve(subs[key]!);
    await useCard(sub.customer as string, 'pm_card_chargeCustomerFail');
  }
  await s.settle();
  await s.advance({ days: 15 });
  await stripe.subscriptions.cancel(subs.e3!);
  await s.settle();
  for (let i = 0; i < 3; i++) await s.advance({ days: 5 }); // past the renewals of 15 Feb
  // u7 updates its card and pays the open invoice
  const u7 = await stripe.subscriptions.retrieve(subs.u7!);
  await useCard(u7.customer as string, 'pm_card_visa');
  await stripe.invoices.pay(u7.latest_invoice as string);
  await s.settle();
  for (let i = 0; i < 2; i++) await s.advance({ days: 5 });
}, 300_000);
afterAll(() => s?.close());

const get = async (url: string) => {
  const res = await s.h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('reconciliation with Stripe', () => {
  it('each subscription: the mirror’s MRR equals Stripe’s, to the cent', async () => {
    const stripeMrr = await mrrFromStripe(stripe);
    expect(stripeMrr.size).toBe(10);
    const { rows } = await s.h.t.pool.query<{ id: string; currency: string; mrr: number; status: string }>(
      `SELECT stripe_subscription_id AS id, currency, mrr_minor::int AS mrr, status FROM subscriptions`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.currency, r.mrr]]))).toEqual(
      Object.fromEntries(stripeMrr),
    );
    const byKey = Object.fromEntries(
      Object.entries(subs).map(([key, id]) => [key, rows.find((r) => r.id === id)]),
    );
    // by hand: u1 2900; u2 29000 × 2 ÷ 12 = 4833.33 → 4833; e1 2700 × 3 × 0.8 = 6480; e2 (27000 − 1200) ÷ 12 = 2150;
    // u3 trial over → 2900; u4 upgraded → 9900; u5 ended at its period end → 0; e3 cancelled → 0; u6 still
    // failing → past_due, counted 2900; u7 paid after its card update → 2900
    expect(Object.fromEntries(Object.entries(byKey).map(([k, r]) => [k, [r!.status, r!.mrr]]))).toMatchObject(
      {
        u1: ['active', 2900],
        u2: ['active', 4833],
        e1: ['active', 6480],
        e2: ['active', 2150],
        u3: ['active', 2900],
        u4: ['active', 9900],
        u5: ['canceled', 0],
        u6: ['past_due', 2900],
        e3: ['canceled', 0],
        u7: ['active', 2900],
      },
    );
  });

  it('per currency: the summary now and the mrr report’s ending MRR equal Stripe’s sum', async () => {
    const stripeMrr = await mrrFromStripe(stripe);
    const sums: Record<string, number> = {};
    for (const [currency, mrr] of stripeMrr.values()) sums[currency] = (sums[currency] ?? 0) + mrr;
    // by hand: usd 2900 + 4833 + 2900 + 9900 + 0 + 2900 + 2900 = 26333; eur 6480 + 2150 + 0 = 8630
    expect(sums).toEqual({ usd: 26333, eur: 8630 });
    const summary = await get('/api/admin/reports/summary');
    expect(
      Object.fromEntries(summary.series.map((x: { currency: string; mrr: number }) => [x.currency, x.mrr])),
    ).toEqual(sums);
    const month = s.clock.now().toISOString().slice(0, 7);
    const mrr = await get(`/api/admin/reports/mrr?from=${month}&to=${month}`);
    expect(
      Object.fromEntries(
        mrr.series.map((x: { currency: string; months: Array<{ endMrr: number }> }) => [
          x.currency,
          x.months[0]!.endMrr,
        ]),
      ),
    ).toEqual(sums);
  });
});
