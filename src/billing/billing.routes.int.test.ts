/**
 * Self-service billing against the sandbox, through the real webhook endpoint: checkout from the active catalogue
 * only (docs/RELIABILITY.md 29), the portal, the caller's own invoices (IDOR: never another user's), and /api/me's
 * `billing` field.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingStack, type BillingStack } from '../../test/helpers/billing-stack.js';
import { browserHeaders, memberSession, type Session } from '../../test/helpers/auth.js';
import { customers, plans } from './billing.tables.js';
import { seedDemo } from './seed/seed-demo.js';
import type { PlanView } from './plans/plan-views.js';
import { listPlans } from './plans/plan-views.js';

let s: BillingStack;
let ann: Session;
let bob: Session;
let catalogue: PlanView[];

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'self-service' });
  await seedDemo(s.h.deps, { customers: false });
  catalogue = await listPlans(s.h.deps.db);
  ann = await memberSession(s.h, 'ann@example.com');
  bob = await memberSession(s.h, 'bob@example.com');
});
afterAll(() => s.close());

const post = (who: Session, url: string, payload: object = {}) =>
  s.h.app.inject({ method: 'POST', url, headers: browserHeaders(who), payload });
const get = (who: Session, url: string) =>
  s.h.app.inject({ method: 'GET', url, headers: browserHeaders(who) });
const priceOf = (key: string, interval: string) =>
  catalogue.find((p) => p.key === key)!.prices.find((p) => p.interval === interval && p.active)!
    .stripePriceId;

describe('POST /api/billing/checkout', () => {
  it('creates a subscription Checkout Session for the active catalogue price, trial from the plan, URLs from APP_URL', async () => {
    const res = await post(ann, '/api/billing/checkout', { planKey: 'professional', interval: 'month' });
    expect(res.statusCode).toBe(200);
    const { url } = res.json() as { url: string };
    expect(url).toMatch(new RegExp(`^${s.sandbox.url}/checkout/cs_`));
    const id = url.split('/').at(-1)!;
    const session = await s.h.deps.stripe.checkout.sessions.retrieve(id, { expand: ['line_items'] });
    const [customer] = await s.h.deps.db.select().from(customers).where(eq(customers.userId, ann.userId));
    expect({
      mode: session.mode,
      customer: session.customer,
      clientReferenceId: session.client_reference_id,
      successUrl: session.success_url,
      cancelUrl: session.cancel_url,
      metadata: session.metadata,
      lines: session.line_items?.data.map((l) => [l.price?.id, l.quantity]),
      amountTotal: session.amount_total,
    }).toEqual({
      mode: 'subscription',
      customer: customer!.stripeCustomerId,
      clientReferenceId: ann.userId,
      successUrl: 'http://app.test/account?checkout=success&session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'http://app.test/account?checkout=canceled',
      metadata: { user_id: ann.userId, plan_key: 'professional' },
      lines: [[priceOf('professional', 'month'), 1]],
      amountTotal: 2900,
    });
    const raw = session as unknown as {
      allow_promotion_codes?: boolean;
      subscription_data?: { trial_period_days?: number };
    };
    expect(raw.allow_promotion_codes).toBe(true);
    const stripeCustomer = await s.h.deps.stripe.customers.retrieve(customer!.stripeCustomerId);
    expect('metadata' in stripeCustomer && stripeCustomer.metadata).toEqual({ user_id: ann.userId });
  });

  it('docs/RELIABILITY.md 29: no client-chosen price or amount; unknown or inactive plans are refused', async () => {
    for (const body of [
      { planKey: 'starter', interval: 'month', price: priceOf('starter', 'month') },
      { planKey: 'starter', interval: 'month', unitAmount: 1 },
      { planKey: 'starter', interval: 'week' },
      {},
    ]) {
      const res = await post(ann, '/api/billing/checkout', body);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('invalid_request');
    }
    const unknown = await post(ann, '/api/billing/checkout', { planKey: 'gold', interval: 'month' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([422, 'plan_not_available']);
    const noYearly = await post(ann, '/api/billing/checkout', { planKey: 'enterprise', interval: 'year' });
    expect([noYearly.statusCode, noYearly.json().error.code]).toEqual([422, 'price_not_available']);
    await s.h.deps.db.update(plans).set({ active: false }).where(eq(plans.key, 'enterprise'));
    const inactive = await post(ann, '/api/billing/checkout', { planKey: 'enterprise', interval: 'month' });
    expect([inactive.statusCode, inactive.json().error.code]).toEqual([422, 'plan_not_available']);
    await s.h.deps.db.update(plans).set({ active: true }).where(eq(plans.key, 'enterprise'));
  });

  it('anonymous 401; a session without the CSRF token 403', async () => {
    const anon = await s.h.app.inject({
      method: 'POST',
      url: '/api/billing/checkout',
      payload: { planKey: 'starter', interval: 'month' },
    });
    expect(anon.statusCode).toBe(401);
    const noCsrf = await s.h.app.inject({
      method: 'POST',
      url: '/api/billing/checkout',
      headers: { cookie: ann.cookie, origin: 'http://app.test' },
      payload: { planKey: 'starter', interval: 'month' },
    });
    expect([noCsrf.statusCode, noCsrf.json().error.code]).toEqual([403, 'csrf_invalid']);
  });
});

describe('POST /api/billing/portal', () => {
  it("opens the portal for the caller's own customer (reused, not a second one)", async () => {
    const res = await post(ann, '/api/billing/portal');
    expect(res.statusCode).toBe(200);
    expect(res.json().url).toMatch(new RegExp(`^${s.sandbox.url}/portal/`));
    const rows = await s.h.deps.db.select().from(customers).where(eq(customers.userId, ann.userId));
    expect(rows).toHaveLength(1);
    expect((await s.h.deps.stripe.customers.list({ email: 'ann@example.com' })).data).toHaveLength(1);
  });
});

describe('a paid subscription: /api/me billing and GET /api/billing/invoices', () => {
  beforeAll(async () => {
    const [customer] = await s.h.deps.db.select().from(customers).where(eq(customers.userId, ann.userId));
    const pm = await s.h.deps.stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer!.stripeCustomerId,
    });
    await s.h.deps.stripe.customers.update(customer!.stripeCustomerId, {
      invoice_settings: { default_payment_method: pm.id },
    });
    const admin = await s.admin();
    const res = await s.h.app.inject({
      method: 'POST',
      url: '/api/admin/subscriptions',
      headers: browserHeaders(admin),
      payload: { userId: ann.userId, priceId: priceOf('starter', 'month') },
    });
    expect(res.statusCode).toBe(201);
    await s.settle();
  });

  it('GET /api/me carries billing.customerId and the subscriptions', async () => {
    const me = (await get(ann, '/api/me')).json();
    const [customer] = await s.h.deps.db.select().from(customers).where(eq(customers.userId, ann.userId));
    expect(me.billing.customerId).toBe(customer!.stripeCustomerId);
    expect(me.billing.subscriptions).toEqual([
      {
        id: expect.stringMatching(/^sub_/),
        planKey: 'starter',
        status: 'active',
        currentPeriodEnd: '2026-02-15T12:00:00.000Z',
        cancelAtPeriodEnd: false,
        cancelAt: null,
      },
    ]);
    expect((await get(bob, '/api/me')).json().billing).toEqual({ customerId: null, subscriptions: [] });
  });

  it("lists only the caller's invoices; another user's ids cannot be asked for (IDOR)", async () => {
    const mine = await get(ann, '/api/billing/invoices');
    expect(mine.statusCode).toBe(200);
    expect(mine.json().total).toBe(1);
    expect(
      mine
        .json()
        .items.map((i: { status: string; total: number; currency: string; billingReason: string }) => [
          i.status,
          i.total,
          i.currency,
          i.billingReason,
        ]),
    ).toEqual([['paid', 900, 'usd', 'subscription_create']]);
    const [customer] = await s.h.deps.db.select().from(customers).where(eq(customers.userId, ann.userId));
    const theirs = await get(bob, '/api/billing/invoices');
    expect(theirs.json()).toEqual({ items: [], page: 1, limit: 20, total: 0, totalExact: true });
    for (const q of [
      `customerId=${customer!.stripeCustomerId}`,
      `userId=${ann.userId}`,
      `customer=${customer!.id}`,
    ]) {
      const res = await get(bob, `/api/billing/invoices?${q}`);
      expect(res.statusCode).toBe(422);
    }
  });

  it('checkout while subscribed is 409 already_subscribed (change plans in the portal)', async () => {
    const res = await post(ann, '/api/billing/checkout', { planKey: 'professional', interval: 'year' });
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'already_subscribed']);
  });
});
