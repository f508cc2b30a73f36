/**
 * Stored idempotency keys against the Stripe sandbox's API faults.
 * docs/RELIABILITY.md 22: Stripe answering 500, 429 (with and without Stripe-Should-Retry) or timing out AFTER applying the
 * change: the operation is retried with the same key and leaves exactly one customer / subscription / refund.
 * Plus: ten concurrent first calls of ensureCustomer make one Stripe customer and one row.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { users } from '../../accounts/accounts.tables.js';
import { fromUnix } from '../../clock.js';
import { createStripe } from '../stripe/client.js';
import { customers, payments, subscriptions } from '../billing.tables.js';
import { ensureCustomer } from '../customers/ensure-customer.js';
import { upsertCharge } from '../payments/payments.repo.js';
import { refundPayment } from '../payments/refund-payment.js';
import { createPlan } from '../plans/create-plan.js';
import { createSubscription } from '../subscriptions/create-subscription.js';
import { billingStack, type BillingStack } from '../../../test/helpers/billing-stack.js';
import { operationKeys } from '../operation-keys.tables.js';
import type { Actor } from './actor.js';
import { withOperationKey } from './with-operation-key.js';
import { createSubscriptionRoles, ensureCustomerRoles } from '../../accounts/roles/operation-roles.js';

let s: BillingStack;
let stripe: Stripe;
let n = 0;

const actor = (operationId: string): Actor => ({
  type: 'user',
  id: 'admin-1',
  requestId: operationId,
  operationId,
});

async function user(email: string) {
  const id = `u_${++n}_${email.split('@')[0]}`;
  await s.h.deps.db.insert(users).values({ id, name: email.split('@')[0]!, email, emailVerified: true });
  return { id, email, name: email.split('@')[0]! };
}

const customersWithEmail = async (email: string) =>
  (await stripe.customers.list({ limit: 100 })).data.filter((c) => c.email === email);

beforeAll(async () => {
  s = await billingStack({ label: 'operation-keys' });
  stripe = s.h.deps.stripe;
});
afterEach(() => s.sandbox.control.clearApiFaults());
afterAll(() => s.close());

describe('ensureCustomer', () => {
  it('ten concurrent first calls: one Stripe customer (metadata.user_id), one row', async () => {
    const u = await user('ten@example.com');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => ensureCustomer(s.h.deps, u, ensureCustomerRoles(s.h.deps))),
    );
    const ids = new Set(results.map((r) => r.stripeCustomerId));
    expect(ids.size).toBe(1);
    const inStripe = await customersWithEmail('ten@example.com');
    expect(inStripe).toHaveLength(1);
    expect(inStripe[0]!.metadata).toEqual({ user_id: u.id });
    const rows = await s.h.deps.db.select().from(customers).where(eq(customers.userId, u.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.stripeCustomerId).toBe(inStripe[0]!.id);
    const keys = await s.h.deps.db.select().from(operationKeys).where(eq(operationKeys.naturalKey, u.id));
    expect(keys.map((k) => [k.scope, k.idempotencyKey, k.status, k.resultId])).toEqual([
      ['customer', `customer:${u.id}`, 'succeeded', inStripe[0]!.id],
    ]);
    // Reused afterwards: no new Stripe call.
    expect((await ensureCustomer(s.h.deps, u, ensureCustomerRoles(s.h.deps))).created).toBe(false);
  });
});

describe('docs/RELIABILITY.md 22: Stripe faults are retried with the same stored idempotency key', () => {
  it.each([
    ['500', { mode: '500' as const, count: 2 }],
    ['429 with Stripe-Should-Retry: true', { mode: '429' as const, shouldRetry: true, count: 2 }],
    [
      '429 without Stripe-Should-Retry (the SDK does not retry it; withOperationKey does)',
      { mode: '429' as const, count: 2 },
    ],
    ['429 with Stripe-Should-Retry: false', { mode: '429' as const, shouldRetry: false, count: 1 }],
  ])('POST /v1/customers answering %s: one customer', async (label, fault) => {
    const u = await user(`fault-${label.slice(0, 3)}-${n}@example.com`);
    await s.sandbox.control.apiFault({ path: '/v1/customers', method: 'POST', ...fault });
    const c = await ensureCustomer(s.h.deps, u, ensureCustomerRoles(s.h.deps));
    expect(await customersWithEmail(u.email)).toHaveLength(1);
    expect((await customersWithEmail(u.email))[0]!.id).toBe(c.stripeCustomerId);
  });

  it('timeout after Stripe applied the customer creation: the retry replays it, one customer', async () => {
    const u = await user('hang-customer@example.com');
    const quick = { ...s.h.deps, stripe: createStripe(s.h.config, { timeoutMs: 300 }) };
    await s.sandbox.control.apiFault({ path: '/v1/customers', method: 'POST', mode: 'hang', count: 1 });
    const c = await ensureCustomer(quick, u, ensureCustomerRoles(quick));
    const found = await customersWithEmail(u.email);
    expect(found.map((x) => x.id)).toEqual([c.stripeCustomerId]);
  });

  it('a process that died after Stripe applied the change: the next attempt reuses the stored key (one object)', async () => {
    const u = await user('died@example.com');
    const quick = createStripe(s.h.config, { timeoutMs: 300 });
    await s.sandbox.control.apiFault({ path: '/v1/customers', method: 'POST', mode: 'hang', count: 1 });
    const create = (client: Stripe, maxNetworkRetries: number) => (idempotencyKey: string) =>
      client.customers.create(
        { email: u.email, metadata: { user_id: u.id } },
        { idempotencyKey, maxNetworkRetries },
      );
    await expect(
      withOperationKey(s.h.deps.db, 'customer', u.id, create(quick, 0), { attempts: 1 }),
    ).rejects.toMatchObject({
      code: 'stripe_unavailable',
    });
    const [pending] = await s.h.deps.db
      .select()
      .from(operationKeys)
      .where(eq(operationKeys.naturalKey, u.id));
    expect([pending?.status, pending?.resultId]).toEqual(['pending', null]);
    expect(await customersWithEmail(u.email)).toHaveLength(1); // applied by Stripe although we never heard back
    const again = await withOperationKey(s.h.deps.db, 'customer', u.id, create(stripe, 3));
    expect((await customersWithEmail(u.email)).map((c) => c.id)).toEqual([again.id]);
    const [done] = await s.h.deps.db.select().from(operationKeys).where(eq(operationKeys.naturalKey, u.id));
    expect([done?.status, done?.resultId, done?.attempts]).toEqual(['succeeded', again.id, 2]);
  });

  describe('subscription and refund', () => {
    let priceId: string;
    let customerId: string;
    let stripeCustomerId: string;

    beforeAll(async () => {
      const plan = await createPlan(s.h.deps, actor('seed-plan'), {
        key: 'starter',
        name: 'Starter',
        grantsRole: 'professional',
        trialDays: 0,
        features: [],
        prices: [{ currency: 'usd', unitAmount: 900, interval: 'month', intervalCount: 1 }],
      });
      priceId = plan.prices[0]!.stripePriceId;
      const u = await user('subscriber@example.com');
      const c = await ensureCustomer(s.h.deps, u, ensureCustomerRoles(s.h.deps));
      customerId = c.id;
      stripeCustomerId = c.stripeCustomerId;
      const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: stripeCustomerId });
      await stripe.customers.update(stripeCustomerId, {
        invoice_settings: { default_payment_method: pm.id },
      });
    });

    it('subscription creation timing out after Stripe applied it: one subscription, one row', async () => {
      const quick = { ...s.h.deps, stripe: createStripe(s.h.config, { timeoutMs: 300 }) };
      await s.sandbox.control.apiFault({ path: '/v1/subscriptions', method: 'POST', mode: 'hang', count: 1 });
      const created = await createSubscription(
        quick,
        actor('req-sub-1'),
        {
          customerId,
          priceId,
          quantity: 1,
        },
        createSubscriptionRoles(quick),
      );
      expect(created.status).toBe('active');
      const inStripe = await stripe.subscriptions.list({ customer: stripeCustomerId, status: 'all' });
      expect(inStripe.data.map((x) => x.id)).toEqual([created.stripeSubscriptionId]);
      const rows = await s.h.deps.db
        .select()
        .from(subscriptions)
        .where(eq(subscriptions.customerId, customerId));
      expect(rows.map((r) => [r.stripeSubscriptionId, r.status, r.mrrMinor])).toEqual([
        [created.stripeSubscriptionId, 'active', 900],
      ]);
      // The same request retried (same operation id) returns the same subscription, no second one.
      const again = await createSubscription(
        s.h.deps,
        actor('req-sub-1'),
        {
          customerId,
          priceId,
          quantity: 1,
        },
        createSubscriptionRoles(s.h.deps),
      );
      expect(again.stripeSubscriptionId).toBe(created.stripeSubscriptionId);
      expect(
        (await stripe.subscriptions.list({ customer: stripeCustomerId, status: 'all' })).data,
      ).toHaveLength(1);
    });

    it('refund answering 500 then timing out after applying: one refund of the asked amount', async () => {
      const [charge] = (await stripe.charges.list({ customer: stripeCustomerId })).data;
      expect(charge?.amount).toBe(900);
      await s.h.deps.db.transaction((tx) => upsertCharge(tx, charge!, fromUnix(charge!.created)));
      const [payment] = await s.h.deps.db
        .select()
        .from(payments)
        .where(eq(payments.stripeChargeId, charge!.id));
      const quick = { ...s.h.deps, stripe: createStripe(s.h.config, { timeoutMs: 300 }) };
      await s.sandbox.control.apiFault({ path: '/v1/refunds', method: 'POST', mode: '500', count: 1 });
      await s.sandbox.control.apiFault({ path: '/v1/refunds', method: 'POST', mode: 'hang', count: 1 });
      const r = await refundPayment(quick, actor('req-refund-1'), payment!.id, { amountMinor: 300 });
      expect([r.amount, r.refundedTotal, r.remaining]).toEqual([300, 300, 600]);
      const refunds = await stripe.refunds.list({ charge: charge!.id });
      expect(refunds.data.map((x) => x.amount)).toEqual([300]);
      // The same request again: the same refund, not a second one.
      const again = await refundPayment(s.h.deps, actor('req-refund-1'), payment!.id, { amountMinor: 300 });
      expect(again.refundId).toBe(r.refundId);
      expect((await stripe.refunds.list({ charge: charge!.id })).data).toHaveLength(1);
    });

    it('a refund above the refundable remainder is 422 refund_exceeds_remaining, nothing refunded', async () => {
      const [payment] = await s.h.deps.db.select().from(payments).limit(1);
      await expect(
        refundPayment(s.h.deps, actor('req-refund-2'), payment!.id, { amountMinor: 601 }),
      ).rejects.toMatchObject({
        code: 'refund_exceeds_remaining',
        status: 422,
      });
      const full = await refundPayment(s.h.deps, actor('req-refund-3'), payment!.id, {});
      expect([full.amount, full.remaining]).toEqual([600, 0]);
      await expect(
        refundPayment(s.h.deps, actor('req-refund-4'), payment!.id, { amountMinor: 1 }),
      ).rejects.toMatchObject({
        code: 'refund_exceeds_remaining',
      });
    });
  });
});
