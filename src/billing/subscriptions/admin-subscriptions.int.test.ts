/**
 * Admin subscription and list operations through the HTTP API, against the sandbox and the real webhook endpoint:
 * create for a customer, pause/resume, cancel now, the error codes, list filtering/sorting/search/paging, and
 * docs/RELIABILITY.md 17 (the app creates a subscription while its webhook races in: exactly one row, one movement).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../accounts/accounts.tables.js';
import { auditLog } from '../../audit/audit.tables.js';
import { fromUnix } from '../../clock.js';
import { billingStack, type BillingStack } from '../../../test/helpers/billing-stack.js';
import { browserHeaders, type Session } from '../../../test/helpers/auth.js';
import { mrrMovements, subscriptions } from '../billing.tables.js';
import { ensureCustomer } from '../customers/ensure-customer.js';
import { listPlans, type PlanView } from '../plans/plan-views.js';
import { seedDemo } from '../seed/seed-demo.js';
import { createSubscription } from './create-subscription.js';
import { upsertSubscription } from './subscriptions.repo.js';
import { createSubscriptionRoles, ensureCustomerRoles } from '../../accounts/roles/operation-roles.js';

let s: BillingStack;
let admin: Session;
let catalogue: PlanView[];

const price = (key: string, interval: string) =>
  catalogue.find((p) => p.key === key)!.prices.find((p) => p.interval === interval && p.active)!
    .stripePriceId;

async function customer(id: string, email: string) {
  await s.h.deps.db.insert(users).values({ id, name: id, email, emailVerified: true });
  const c = await ensureCustomer(s.h.deps, { id, email, name: id }, ensureCustomerRoles(s.h.deps));
  const pm = await s.h.deps.stripe.paymentMethods.attach('pm_card_visa', { customer: c.stripeCustomerId });
  await s.h.deps.stripe.customers.update(c.stripeCustomerId, {
    invoice_settings: { default_payment_method: pm.id },
  });
  return c;
}

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  s.h.app.inject({ method, url, headers: browserHeaders(admin), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'admin-subscriptions' });
  await seedDemo(s.h.deps, { customers: false });
  catalogue = await listPlans(s.h.deps.db);
  admin = await s.admin();
});
afterAll(() => s.close());

describe('admin subscription operations', () => {
  let subId: string;

  it('POST /api/admin/subscriptions creates it on an active catalogue price; audited', async () => {
    const c = await customer('u_dan', 'dan@example.com');
    const res = await call('POST', '/api/admin/subscriptions', {
      customerId: c.stripeCustomerId,
      priceId: price('enterprise', 'month'),
    });
    expect(res.statusCode).toBe(201);
    subId = res.json().id;
    expect(res.json()).toMatchObject({
      status: 'active',
      planKey: 'enterprise',
      mrr: 9900,
      currency: 'usd',
      quantity: 1,
    });
    await s.settle();
    const audit = await s.h.deps.db
      .select({ actorType: auditLog.actorType, actorId: auditLog.actorId, subjectId: auditLog.subjectId })
      .from(auditLog)
      .where(eq(auditLog.action, 'subscription.created'));
    expect(audit).toEqual([{ actorType: 'user', actorId: admin.userId, subjectId: subId }]);
    const bad = await call('POST', '/api/admin/subscriptions', {
      customerId: c.stripeCustomerId,
      priceId: 'price_not_ours',
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([422, 'price_not_in_catalogue']);
    const none = await call('POST', '/api/admin/subscriptions', {
      customerId: 'cus_nobody',
      priceId: price('starter', 'month'),
    });
    expect([none.statusCode, none.json().error.code]).toEqual([404, 'customer_not_found']);
  });

  it('pause and resume collection; pausing twice is 409', async () => {
    await s.advance({ seconds: 1 }); // its own second: same-second events are ordered by status rank and id only
    const paused = await call('POST', `/api/admin/subscriptions/${subId}/pause`, { behavior: 'void' });
    expect([paused.statusCode, paused.json().pauseCollection]).toEqual([
      200,
      { behavior: 'void', resumesAt: null },
    ]);
    const again = await call('POST', `/api/admin/subscriptions/${subId}/pause`, {});
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'subscription_already_paused']);
    await s.settle();
    expect((await call('GET', `/api/admin/subscriptions/${subId}`)).json().pauseCollection).toEqual({
      behavior: 'void',
      resumes_at: null,
    });
    const resumed = await call('POST', `/api/admin/subscriptions/${subId}/resume`);
    expect([resumed.statusCode, resumed.json().pauseCollection]).toEqual([200, null]);
    const notPaused = await call('POST', `/api/admin/subscriptions/${subId}/resume`);
    expect([notPaused.statusCode, notPaused.json().error.code]).toEqual([409, 'subscription_not_paused']);
  });

  it('cancel now ends it in Stripe and locally (churn movement); cancelling again is 409', async () => {
    await s.advance({ seconds: 1 });
    const res = await call('POST', `/api/admin/subscriptions/${subId}/cancel`, {
      at: 'now',
      reason: 'fraud',
    });
    expect([res.statusCode, res.json().status]).toEqual([200, 'canceled']);
    await s.settle();
    const detail = (await call('GET', `/api/admin/subscriptions/${subId}`)).json();
    expect([detail.status, detail.mrr]).toEqual(['canceled', 0]);
    const moves = await s.h.deps.db.select().from(mrrMovements).where(eq(mrrMovements.subscriptionId, subId));
    expect(moves.map((m) => [m.kind, m.mrrBeforeMinor, m.mrrAfterMinor])).toEqual([
      ['new', 0, 9900],
      ['churn', 9900, 0],
    ]);
    const again = await call('POST', `/api/admin/subscriptions/${subId}/cancel`, { at: 'now' });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'subscription_ended']);
    const missing = await call(
      'POST',
      `/api/admin/subscriptions/00000000-0000-4000-8000-000000000000/cancel`,
      { at: 'now' },
    );
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'subscription_not_found']);
    const badBody = await call('POST', `/api/admin/subscriptions/${subId}/cancel`, { at: 'tomorrow' });
    expect([badBody.statusCode, badBody.json().error.code]).toEqual([422, 'invalid_request']);
  });
});

describe('docs/RELIABILITY.md 17: the app creates a subscription while its webhook races in', () => {
  it('five customers, create and webhook delivery concurrently: one row and one movement each', async () => {
    for (let i = 0; i < 5; i++) {
      const c = await customer(`u_race${i}`, `race${i}@example.com`);
      const [created] = await Promise.all([
        createSubscription(
          s.h.deps,
          { type: 'user', id: 'admin', requestId: `race-${i}`, operationId: `race-${i}` },
          {
            customerId: c.id,
            priceId: price('starter', 'month'),
            quantity: 1,
          },
          createSubscriptionRoles(s.h.deps),
        ),
        s.settle(),
      ]);
      await s.settle();
      const rows = await s.h.deps.db.select().from(subscriptions).where(eq(subscriptions.customerId, c.id));
      expect(rows.map((r) => [r.stripeSubscriptionId, r.status, r.mrrMinor])).toEqual([
        [created.stripeSubscriptionId, 'active', 900],
      ]);
      const moves = await s.h.deps.db.select().from(mrrMovements).where(eq(mrrMovements.customerId, c.id));
      expect(moves.map((m) => [m.kind, m.mrrAfterMinor])).toEqual([['new', 900]]);
    }
  });

  it('webhook first, then the app writes the same object: still one row, nothing changed', async () => {
    const c = await customer('u_late', 'late@example.com');
    const sub = await s.h.deps.stripe.subscriptions.create({
      customer: c.stripeCustomerId,
      items: [{ price: price('starter', 'month') }],
    });
    await s.settle();
    const r = await s.h.deps.db.transaction((tx) => upsertSubscription(tx, sub, fromUnix(sub.created), null));
    expect(r.outcome).toBe('stale');
    expect(
      await s.h.deps.db.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, sub.id)),
    ).toHaveLength(1);
  });
});

describe('admin lists', () => {
  it('subscriptions: filter by status and plan, sort, search by email, page with total', async () => {
    const all = (await call('GET', '/api/admin/subscriptions?limit=3&sort=created_at&order=asc')).json();
    expect([all.total, all.items.length, all.page, all.limit]).toEqual([7, 3, 1, 3]);
    const page3 = (
      await call('GET', '/api/admin/subscriptions?limit=3&page=3&sort=created_at&order=asc')
    ).json();
    expect(page3.items).toHaveLength(1);
    const canceled = (await call('GET', '/api/admin/subscriptions?status=canceled')).json();
    expect(
      canceled.items.map((x: { planKey: string; customer: { email: string } }) => [
        x.planKey,
        x.customer.email,
      ]),
    ).toEqual([['enterprise', 'dan@example.com']]);
    const starters = (
      await call('GET', '/api/admin/subscriptions?plan=starter&status=active,trialing')
    ).json();
    expect(starters.total).toBe(6);
    const byEmail = (await call('GET', '/api/admin/subscriptions?q=race3%40example')).json();
    expect(byEmail.items.map((x: { customer: { email: string } }) => x.customer.email)).toEqual([
      'race3@example.com',
    ]);
    const byMrr = (await call('GET', '/api/admin/subscriptions?sort=mrr&order=desc&limit=1')).json();
    expect(byMrr.items[0].mrr).toBe(900);
    const bad = await call('GET', '/api/admin/subscriptions?sort=password');
    expect([bad.statusCode, bad.json().error.code]).toEqual([422, 'invalid_request']);
  });

  it('customers, invoices and payments: search, filters, created range, currency', async () => {
    const cs = (await call('GET', '/api/admin/customers?q=race&sort=email&order=asc')).json();
    expect(cs.items.map((c: { email: string }) => c.email)).toEqual([
      'race0@example.com',
      'race1@example.com',
      'race2@example.com',
      'race3@example.com',
      'race4@example.com',
    ]);
    expect(cs.items[0].card).toEqual({ brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 });
    const inv = (await call('GET', '/api/admin/invoices?status=paid&currency=usd&plan=enterprise')).json();
    expect(
      inv.items.map((i: { total: number; customer: { email: string } }) => [i.total, i.customer.email]),
    ).toEqual([[9900, 'dan@example.com']]);
    const future = (await call('GET', '/api/admin/invoices?createdFrom=2030-01-01')).json();
    expect(future.total).toBe(0);
    const pays = (
      await call('GET', '/api/admin/payments?status=succeeded&sort=amount&order=desc&limit=2')
    ).json();
    expect(pays.items.map((p: { amount: number }) => p.amount)).toEqual([9900, 900]);
    expect(pays.total).toBe(7);
    const eur = (await call('GET', '/api/admin/payments?currency=eur')).json();
    expect(eur.total).toBe(0);
  });
});
