/**
 * The console's detail endpoints against the sandbox and the real webhook endpoint: GET /api/admin/customers/:id
 * (billing history: cards, subscriptions, invoices, payments, refunds) and GET /api/admin/subscriptions/:id/history
 * (items, invoices, MRR movements, the timeline of Stripe events and admin actions), with their error codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../accounts/accounts.tables.js';
import { billingStack, type BillingStack } from '../../../test/helpers/billing-stack.js';
import { browserHeaders, memberSession, type Session } from '../../../test/helpers/auth.js';
import { listPlans } from '../plans/plan-views.js';
import { seedDemo } from '../seed/seed-demo.js';
import { ensureCustomer } from './ensure-customer.js';
import { ensureCustomerRoles } from '../../accounts/roles/operation-roles.js';

let s: BillingStack;
let admin: Session;
let customerId: string;
let stripeCustomerId: string;
let subId: string;

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  s.h.app.inject({ method, url, headers: browserHeaders(admin), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'customer-detail' });
  await seedDemo(s.h.deps, { customers: false });
  admin = await s.admin();
  const plans = await listPlans(s.h.deps.db);
  const enterprise = plans.find((p) => p.key === 'enterprise')!.prices.find((p) => p.interval === 'month')!;
  await s.h.deps.db
    .insert(users)
    .values({ id: 'u_erin', name: 'Erin', email: 'erin@example.com', emailVerified: true });
  const c = await ensureCustomer(
    s.h.deps,
    { id: 'u_erin', email: 'erin@example.com', name: 'Erin' },
    ensureCustomerRoles(s.h.deps),
  );
  customerId = c.id;
  stripeCustomerId = c.stripeCustomerId;
  const pm = await s.h.deps.stripe.paymentMethods.attach('pm_card_visa', { customer: c.stripeCustomerId });
  await s.h.deps.stripe.customers.update(c.stripeCustomerId, {
    invoice_settings: { default_payment_method: pm.id },
  });
  const created = await call('POST', '/api/admin/subscriptions', {
    customerId: c.stripeCustomerId,
    priceId: enterprise.stripePriceId,
  });
  expect(created.statusCode).toBe(201);
  subId = created.json().id;
  await s.settle();
});
afterAll(() => s.close());

describe('GET /api/admin/customers/:id', () => {
  it("answers the customer's card, subscription, invoice and payment, then the refund made on it", async () => {
    const res = await call('GET', `/api/admin/customers/${customerId}`);
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect([d.userId, d.email, d.stripeCustomerId]).toEqual(['u_erin', 'erin@example.com', stripeCustomerId]);
    expect(
      d.paymentMethods.map((m: { brand: string; last4: string; isDefault: boolean }) => [
        m.brand,
        m.last4,
        m.isDefault,
      ]),
    ).toEqual([['visa', '4242', true]]);
    expect(d.subscriptions).toHaveLength(1);
    expect(d.subscriptions[0]).toMatchObject({
      id: subId,
      planKey: 'enterprise',
      mrr: 9900,
      currency: 'usd',
    });
    expect(d.invoices.map((i: { total: number; status: string }) => [i.total, i.status])).toEqual([
      [9900, 'paid'],
    ]);
    expect(d.payments.map((p: { amount: number; status: string }) => [p.amount, p.status])).toEqual([
      [9900, 'succeeded'],
    ]);
    expect([d.refunds, d.disputes]).toEqual([[], []]);

    const refund = await call('POST', `/api/admin/payments/${d.payments[0].id}/refund`, {
      amountMinor: 1500,
    });
    expect([refund.statusCode, refund.json().amount, refund.json().remaining]).toEqual([201, 1500, 8400]);
    await s.settle();
    const after = (await call('GET', `/api/admin/customers/${stripeCustomerId}`)).json();
    expect(after.refunds.map((r: { amount: number; currency: string }) => [r.amount, r.currency])).toEqual([
      [1500, 'usd'],
    ]);
    expect(after.payments[0].amountRefunded).toBe(1500);
  });

  it('answers 404 customer_not_found for an unknown uuid, Stripe id or a malformed id', async () => {
    for (const ref of ['00000000-0000-4000-8000-000000000000', 'cus_nobody', 'not an id']) {
      const res = await call('GET', `/api/admin/customers/${encodeURIComponent(ref)}`);
      expect([res.statusCode, res.json().error.code]).toEqual([404, 'customer_not_found']);
    }
  });

  it('refuses a member (403) and an anonymous caller (401)', async () => {
    const member = await memberSession(s.h, 'detail-member@example.com');
    const asMember = await s.h.app.inject({
      method: 'GET',
      url: `/api/admin/customers/${customerId}`,
      headers: browserHeaders(member),
    });
    expect(asMember.statusCode).toBe(403);
    const anon = await s.h.app.inject({ method: 'GET', url: `/api/admin/customers/${customerId}` });
    expect(anon.statusCode).toBe(401);
  });
});

describe('GET /api/admin/subscriptions/:id/history', () => {
  it('answers the item, invoice, MRR movement and a timeline with the events and the admin action', async () => {
    const res = await call('GET', `/api/admin/subscriptions/${subId}/history`);
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h.items).toHaveLength(1);
    expect(h.items[0]).toMatchObject({
      planKey: 'enterprise',
      unitAmount: 9900,
      currency: 'usd',
      interval: 'month',
      quantity: 1,
    });
    expect(h.discount).toBeNull();
    expect(
      h.invoices.map((i: { total: number; billingReason: string }) => [i.total, i.billingReason]),
    ).toEqual([[9900, 'subscription_create']]);
    expect(
      h.mrrMovements.map((m: { kind: string; before: number; after: number }) => [m.kind, m.before, m.after]),
    ).toEqual([['new', 0, 9900]]);
    const types = h.timeline.map((t: { source: string; type?: string; action?: string }) =>
      t.source === 'stripe' ? t.type : `audit:${t.action}`,
    );
    expect(types).toContain('customer.subscription.created');
    expect(types).toContain('invoice.paid');
    expect(types).toContain('audit:subscription.created');
  });

  it('answers 404 subscription_not_found for an unknown id', async () => {
    const res = await call('GET', '/api/admin/subscriptions/sub_nothing_here/history');
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'subscription_not_found']);
  });
});
