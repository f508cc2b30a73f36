/**
 * Plans admin API against the Stripe sandbox: create (product + prices in Stripe, rows locally), list/get,
 * edit, a new price archiving the old one, activate/deactivate, the stable error codes, and the audit rows.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { auditLog } from '../../audit/audit.tables.js';
import { billingStack, type BillingStack } from '../../../test/helpers/billing-stack.js';
import { browserHeaders, type Session } from '../../../test/helpers/auth.js';
import { planPrices } from '../billing.tables.js';

const AUDIT = {
  action: auditLog.action,
  actorType: auditLog.actorType,
  actorId: auditLog.actorId,
  subjectType: auditLog.subjectType,
  subjectId: auditLog.subjectId,
  before: auditLog.before,
  after: auditLog.after,
};

let s: BillingStack;
let admin: Session;
let stripe: Stripe;

const PRO = {
  key: 'professional',
  name: 'Professional',
  description: 'For professionals',
  grantsRole: 'professional',
  trialDays: 14,
  features: ['Reports', 'Priority support'],
  prices: [
    { currency: 'USD', unitAmount: 2900, interval: 'month' },
    { currency: 'usd', unitAmount: 29000, interval: 'year' },
  ],
};

beforeAll(async () => {
  s = await billingStack({ label: 'plans' });
  admin = await s.admin();
  stripe = s.h.deps.stripe;
});
afterAll(() => s.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  s.h.app.inject({
    method: 'POST',
    url,
    headers: { ...browserHeaders(admin), ...headers },
    payload: payload as object,
  });

describe('plans admin API', () => {
  let planId: string;
  let monthly: string;
  let yearly: string;

  it('POST /api/admin/plans creates the Stripe product and prices and returns them', async () => {
    const res = await post('/api/admin/plans', PRO);
    expect(res.statusCode).toBe(201);
    const plan = res.json();
    planId = plan.id;
    expect(plan).toMatchObject({
      key: 'professional',
      name: 'Professional',
      description: 'For professionals',
      grantsRole: 'professional',
      trialDays: 14,
      features: ['Reports', 'Priority support'],
      active: true,
    });
    expect(
      plan.prices.map(
        (p: {
          currency: string;
          unitAmount: number;
          interval: string;
          intervalCount: number;
          active: boolean;
        }) => [p.currency, p.unitAmount, p.interval, p.intervalCount, p.active],
      ),
    ).toEqual([
      ['usd', 2900, 'month', 1, true],
      ['usd', 29000, 'year', 1, true],
    ]);
    monthly = plan.prices[0].stripePriceId;
    yearly = plan.prices[1].stripePriceId;
    expect(monthly).toMatch(/^price_/);

    const product = await stripe.products.retrieve(plan.stripeProductId);
    expect(product.name).toBe('Professional');
    expect(product.metadata).toEqual({
      plan_key: 'professional',
      grants_role: 'professional',
      trial_days: '14',
    });
    expect(product.marketing_features.map((f) => f.name)).toEqual(['Reports', 'Priority support']);
    const price = await stripe.prices.retrieve(monthly);
    expect([price.product, price.unit_amount, price.currency, price.recurring?.interval]).toEqual([
      plan.stripeProductId,
      2900,
      'usd',
      'month',
    ]);

    const audits = await s.h.deps.db.select(AUDIT).from(auditLog).where(eq(auditLog.action, 'plan.created'));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorType: 'user',
      actorId: admin.userId,
      subjectType: 'plan',
      subjectId: planId,
    });
  });

  it('a second plan with the same key is 409 plan_key_taken, and nothing is created in Stripe', async () => {
    const before = (await stripe.products.list({ limit: 100 })).data.length;
    const res = await post('/api/admin/plans', PRO);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('plan_key_taken');
    expect((await stripe.products.list({ limit: 100 })).data.length).toBe(before);
  });

  it('invalid bodies are 422 invalid_request', async () => {
    for (const bad of [
      { ...PRO, key: 'Bad Key' },
      { ...PRO, key: 'x1', prices: [] },
      { ...PRO, key: 'x2', grantsRole: 'admin' },
      { ...PRO, key: 'x3', prices: [{ currency: 'usd', unitAmount: -1, interval: 'month' }] },
      { ...PRO, key: 'x4', prices: [{ currency: 'usd', unitAmount: 10.5, interval: 'month' }] },
      { ...PRO, key: 'x5', prices: [PRO.prices[0], PRO.prices[0]] },
    ]) {
      const res = await post('/api/admin/plans', bad);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('invalid_request');
    }
  });

  it('GET list and by id; unknown id is 404 plan_not_found', async () => {
    const list = await s.h.app.inject({
      method: 'GET',
      url: '/api/admin/plans',
      headers: browserHeaders(admin),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((p: { key: string }) => p.key)).toEqual(['professional']);
    const one = await s.h.app.inject({
      method: 'GET',
      url: `/api/admin/plans/${planId}`,
      headers: browserHeaders(admin),
    });
    expect(one.json().prices).toHaveLength(2);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await s.h.app.inject({
        method: 'GET',
        url: `/api/admin/plans/${id}`,
        headers: browserHeaders(admin),
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('plan_not_found');
    }
  });

  it('PATCH changes the product in Stripe and the row, audited before → after', async () => {
    const res = await s.h.app.inject({
      method: 'PATCH',
      url: `/api/admin/plans/${planId}`,
      headers: browserHeaders(admin),
      payload: { name: 'Pro', trialDays: 7 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Pro', trialDays: 7, description: 'For professionals' });
    const product = await stripe.products.retrieve(res.json().stripeProductId);
    expect([product.name, product.metadata.trial_days]).toEqual(['Pro', '7']);
    const [audit] = await s.h.deps.db.select(AUDIT).from(auditLog).where(eq(auditLog.action, 'plan.updated'));
    expect(audit?.before).toMatchObject({ name: 'Professional', trialDays: 14 });
    expect(audit?.after).toMatchObject({ name: 'Pro', trialDays: 7 });
  });

  it('POST /:id/prices makes a new Stripe price and archives the one it replaces (Stripe and locally)', async () => {
    const res = await post(`/api/admin/plans/${planId}/prices`, {
      currency: 'usd',
      unitAmount: 3900,
      interval: 'month',
    });
    expect(res.statusCode).toBe(201);
    const prices = res.json().prices as {
      stripePriceId: string;
      unitAmount: number;
      interval: string;
      active: boolean;
    }[];
    expect(prices.map((p) => [p.unitAmount, p.interval, p.active])).toEqual([
      [2900, 'month', false],
      [3900, 'month', true],
      [29000, 'year', true],
    ]);
    expect((await stripe.prices.retrieve(monthly)).active).toBe(false);
    expect((await stripe.prices.retrieve(yearly)).active).toBe(true);
    const fresh = prices[1]!.stripePriceId;
    expect((await stripe.prices.retrieve(fresh)).unit_amount).toBe(3900);
    const [old] = await s.h.deps.db.select().from(planPrices).where(eq(planPrices.stripePriceId, monthly));
    expect(old?.active).toBe(false);
    const audits = await s.h.deps.db
      .select(AUDIT)
      .from(auditLog)
      .where(and(eq(auditLog.action, 'plan.price_added'), eq(auditLog.subjectId, planId)));
    expect(audits).toHaveLength(1);
    expect(audits[0]?.after).toMatchObject({ stripePriceId: fresh, unitAmount: 3900, archived: [monthly] });
  });

  it('deactivate / activate set active on the product and the plan; repeating is a no-op without audit', async () => {
    const off = await post(`/api/admin/plans/${planId}/deactivate`, {});
    expect(off.statusCode).toBe(200);
    expect(off.json().active).toBe(false);
    expect((await stripe.products.retrieve(off.json().stripeProductId)).active).toBe(false);
    await post(`/api/admin/plans/${planId}/deactivate`, {});
    const on = await post(`/api/admin/plans/${planId}/activate`, {});
    expect(on.json().active).toBe(true);
    const actions = (
      await s.h.deps.db.select(AUDIT).from(auditLog).where(eq(auditLog.subjectId, planId))
    ).map((a) => a.action);
    expect(actions).toEqual([
      'plan.created',
      'plan.updated',
      'plan.price_added',
      'plan.deactivated',
      'plan.activated',
    ]);
  });
});
