/**
 * Issue 15: the console's card and coupon actions through the admin API, against the sandbox and the real webhook
 * endpoint. Cards: set the default, detach (never silently leaving a customer whose subscription will charge
 * without a default card), idempotency keys, audit, 404s for another customer's card, members refused. Coupons:
 * apply and remove on a subscription; MRR follows the discount through the webhook mirror.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../accounts/accounts.tables.js';
import { auditLog } from '../../audit/audit.tables.js';
import { billingStack, type BillingStack } from '../../../test/helpers/billing-stack.js';
import { browserHeaders, memberSession, type Session } from '../../../test/helpers/auth.js';
import { mrrMovements } from '../billing.tables.js';
import { ensureCustomer } from '../customers/ensure-customer.js';
import { listPlans } from '../plans/plan-views.js';
import { seedDemo } from '../seed/seed-demo.js';
import { ensureCustomerRoles } from '../../accounts/roles/operation-roles.js';

let s: BillingStack;
let admin: Session;
let cus: string; // Stripe id of Carla's customer
let customerId: string;
let visa: string;
let mastercard: string;
let subId: string;

const call = (url: string, payload: object = {}, headers: Record<string, string> = {}) =>
  s.h.app.inject({ method: 'POST', url, headers: { ...browserHeaders(admin), ...headers }, payload });
const detail = async () =>
  (
    await s.h.app.inject({
      method: 'GET',
      url: `/api/admin/customers/${customerId}`,
      headers: browserHeaders(admin),
    })
  ).json() as {
    paymentMethods: { stripePaymentMethodId: string; isDefault: boolean; detachedAt: string | null }[];
    subscriptions: { id: string; mrr: number }[];
  };
const cards = async () =>
  (await detail()).paymentMethods
    .map((m) => [m.stripePaymentMethodId, m.isDefault, m.detachedAt !== null] as const)
    .sort((a, b) => a[0].localeCompare(b[0]));

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'cards-and-coupons' });
  await seedDemo(s.h.deps, { customers: false });
  admin = await s.admin();
  const { stripe } = s.h.deps;
  await s.h.deps.db
    .insert(users)
    .values({ id: 'u_carla', name: 'Carla', email: 'carla@example.com', emailVerified: true });
  const c = await ensureCustomer(
    s.h.deps,
    { id: 'u_carla', email: 'carla@example.com', name: 'Carla' },
    ensureCustomerRoles(s.h.deps),
  );
  cus = c.stripeCustomerId;
  customerId = c.id;
  visa = (await stripe.paymentMethods.attach('pm_card_visa', { customer: cus })).id;
  mastercard = (await stripe.paymentMethods.attach('pm_card_mastercard', { customer: cus })).id;
  await stripe.customers.update(cus, { invoice_settings: { default_payment_method: visa } });
  const enterprise = (await listPlans(s.h.deps.db))
    .find((p) => p.key === 'enterprise')!
    .prices.find((p) => p.interval === 'month')!.stripePriceId;
  await s.settle();
  const created = await call('/api/admin/subscriptions', { customerId: cus, priceId: enterprise });
  expect(created.statusCode).toBe(201);
  subId = created.json().id;
  await stripe.coupons.create({ id: 'QUARTER', percent_off: 25, duration: 'forever' });
  await s.settle();
}, 120_000);
afterAll(() => s.close());

describe('cards on the customer page', () => {
  it('sets another card as the default (once; again changes nothing); audited', async () => {
    expect(await cards()).toEqual(
      [
        [visa, true, false],
        [mastercard, false, false],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const url = `/api/admin/customers/${customerId}/payment-methods/${mastercard}/default`;
    const res = await call(url, { reason: 'customer asked' }, { 'idempotency-key': 'set-default-1' });
    expect([res.statusCode, res.json()]).toEqual([
      200,
      { stripeCustomerId: cus, defaultPaymentMethodId: mastercard, changed: true },
    ]);
    // A retry of the same request (same Idempotency-Key) answers the same, before the webhook has landed.
    const retry = await call(url, { reason: 'customer asked' }, { 'idempotency-key': 'set-default-1' });
    expect([retry.statusCode, retry.json().defaultPaymentMethodId]).toEqual([200, mastercard]);
    await s.settle();
    expect((await cards()).find((c) => c[0] === mastercard)).toEqual([mastercard, true, false]);
    expect((await cards()).find((c) => c[0] === visa)).toEqual([visa, false, false]);
    const again = await call(url);
    expect(again.json()).toEqual({
      stripeCustomerId: cus,
      defaultPaymentMethodId: mastercard,
      changed: false,
    });

    const audit = await s.h.deps.db
      .select({ actorId: auditLog.actorId, after: auditLog.after, reason: auditLog.reason })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'customer.default_card_set'), eq(auditLog.subjectId, customerId)));
    expect(audit[0]).toMatchObject({
      actorId: admin.userId,
      reason: 'customer asked',
      after: { defaultPaymentMethodId: mastercard },
    });
  });

  it('detaching the default card of a customer with a live subscription needs confirmation (409 first)', async () => {
    const url = `/api/admin/customers/${customerId}/payment-methods/${mastercard}/detach`;
    const refused = await call(url, {});
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'default_card_in_use']);
    expect(refused.json().error.message).toContain('1 subscription that will charge it');
    await s.settle();
    expect((await cards()).find((c) => c[0] === mastercard)).toEqual([mastercard, true, false]);

    // A card that is not the default goes without a question.
    const other = await call(`/api/admin/customers/${customerId}/payment-methods/${visa}/detach`, {});
    expect([other.statusCode, other.json()]).toEqual([
      200,
      { stripePaymentMethodId: visa, detached: true, leftWithoutDefault: false },
    ]);
    const confirmed = await call(url, { confirmNoDefault: true, reason: 'card reported stolen' });
    expect([confirmed.statusCode, confirmed.json()]).toEqual([
      200,
      { stripePaymentMethodId: mastercard, detached: true, leftWithoutDefault: true },
    ]);
    await s.settle();
    expect(await cards()).toEqual(
      [
        [visa, false, true],
        [mastercard, false, true],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const [row] = await s.h.deps.db
      .select({ cause: auditLog.cause })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'customer.card_detached'), eq(auditLog.reason, 'card reported stolen')));
    expect(row?.cause).toEqual({ confirmedNoDefault: true, chargingSubscriptions: 1 });
  });

  it('a detached card, another customer’s card, an unknown customer: 404; bad input 4xx; members refused', async () => {
    const gone = await call(`/api/admin/customers/${customerId}/payment-methods/${visa}/default`);
    expect([gone.statusCode, gone.json().error.code]).toEqual([404, 'payment_method_not_found']);
    const { stripe } = s.h.deps;
    const other = await stripe.customers.create({ email: 'other@example.com' });
    const theirs = (await stripe.paymentMethods.attach('pm_card_visa', { customer: other.id })).id;
    await s.settle();
    const notHers = await call(`/api/admin/customers/${customerId}/payment-methods/${theirs}/detach`, {});
    expect([notHers.statusCode, notHers.json().error.code]).toEqual([404, 'payment_method_not_found']);
    const nobody = await call(`/api/admin/customers/cus_nobody/payment-methods/${theirs}/default`);
    expect([nobody.statusCode, nobody.json().error.code]).toEqual([404, 'customer_not_found']);
    const bad = await call(`/api/admin/customers/${other.id}/payment-methods/${theirs}/detach`, {
      confirmNoDefault: 'yes',
    });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    expect(bad.json().error.code).toBe('invalid_request');

    const member = await memberSession(s.h, 'mallory@example.com');
    const refused = await s.h.app.inject({
      method: 'POST',
      url: `/api/admin/customers/${other.id}/payment-methods/${theirs}/detach`,
      headers: browserHeaders(member),
      payload: {},
    });
    expect(refused.statusCode).toBe(403);
    await s.settle();
    expect((await stripe.paymentMethods.retrieve(theirs)).customer).toBe(other.id);
  });
});

describe('a coupon on a subscription', () => {
  it('applies a 25% coupon: MRR 9,900 → 7,425 cents once the webhook is applied; removing it brings 9,900 back', async () => {
    await s.advance({ seconds: 1 });
    const applied = await call(`/api/admin/subscriptions/${subId}/coupon`, { coupon: 'QUARTER' });
    expect([applied.statusCode, applied.json().couponIds]).toEqual([200, ['QUARTER']]);
    await s.settle();
    expect((await detail()).subscriptions.find((x) => x.id === subId)?.mrr).toBe(7425);

    await s.advance({ seconds: 1 });
    const removed = await call(`/api/admin/subscriptions/${subId}/coupon/remove`, { reason: 'promo over' });
    expect([removed.statusCode, removed.json().couponIds]).toEqual([200, []]);
    await s.settle();
    expect((await detail()).subscriptions.find((x) => x.id === subId)?.mrr).toBe(9900);
    const moves = await s.h.deps.db.select().from(mrrMovements).where(eq(mrrMovements.subscriptionId, subId));
    expect(moves.map((m) => [m.kind, m.mrrBeforeMinor, m.mrrAfterMinor])).toEqual([
      ['new', 0, 9900],
      ['contraction', 9900, 7425],
      ['expansion', 7425, 9900],
    ]);
    const audit = await s.h.deps.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.subjectId, subId));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['subscription.coupon_applied', 'subscription.coupon_removed']),
    );
  });

  it('an unknown coupon is 404, removing none is 409, a bad id 4xx', async () => {
    const unknown = await call(`/api/admin/subscriptions/${subId}/coupon`, { coupon: 'NOPE' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'coupon_not_found']);
    const none = await call(`/api/admin/subscriptions/${subId}/coupon/remove`, {});
    expect([none.statusCode, none.json().error.code]).toEqual([409, 'no_coupon']);
    const bad = await call(`/api/admin/subscriptions/${subId}/coupon`, { coupon: 'has spaces' });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    expect(bad.json().error.code).toBe('invalid_request');
  });

  it('lists the coupons still redeemable and the active promotion codes, and applies one by its promotion code', async () => {
    const { stripe } = s.h.deps;
    await stripe.coupons.create({
      id: 'TENOFF',
      name: 'Ten off',
      amount_off: 1000,
      currency: 'usd',
      duration: 'repeating',
      duration_in_months: 3,
    });
    await stripe.coupons.create({ id: 'GONE', percent_off: 10, duration: 'once', max_redemptions: 1 });
    await stripe.coupons.del('GONE'); // deleted: not offered
    const promo = await stripe.promotionCodes.create({
      code: 'WELCOME10',
      promotion: { type: 'coupon', coupon: 'TENOFF' },
    });
    const off = await stripe.promotionCodes.create({
      code: 'OLD',
      promotion: { type: 'coupon', coupon: 'QUARTER' },
    });
    await stripe.promotionCodes.update(off.id, { active: false }); // inactive: not offered
    const listed = await s.h.app.inject({
      method: 'GET',
      url: '/api/admin/coupons',
      headers: browserHeaders(admin),
    });
    expect(listed.statusCode).toBe(200);
    const body = listed.json();
    expect(body.coupons.map((c: { id: string }) => c.id).sort()).toEqual(['QUARTER', 'TENOFF']);
    expect(body.coupons.find((c: { id: string }) => c.id === 'TENOFF')).toEqual({
      id: 'TENOFF',
      name: 'Ten off',
      percentOff: null,
      amountOff: 1000,
      currency: 'usd',
      duration: 'repeating',
      durationInMonths: 3,
      timesRedeemed: 0,
      maxRedemptions: null,
      redeemBy: null,
    });
    expect(body.promotionCodes).toEqual([
      { id: promo.id, code: 'WELCOME10', couponId: 'TENOFF', expiresAt: null },
    ]);
    expect(body.more).toBe(false);

    await s.advance({ seconds: 1 });
    const applied = await call(`/api/admin/subscriptions/${subId}/coupon`, { promotionCode: promo.id });
    expect([applied.statusCode, applied.json().couponIds]).toEqual([200, ['TENOFF']]);
    await s.settle();
    // 99.00 a month less 10.00 for three months: 8,900
    expect((await detail()).subscriptions.find((x) => x.id === subId)?.mrr).toBe(8900);
    expect((await stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(1);

    const unknown = await call(`/api/admin/subscriptions/${subId}/coupon`, { promotionCode: 'promo_nope' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'promotion_code_not_found']);
    const both = await call(`/api/admin/subscriptions/${subId}/coupon`, {
      coupon: 'QUARTER',
      promotionCode: promo.id,
    });
    expect([both.statusCode, both.json().error.code]).toEqual([422, 'invalid_request']);
    const neither = await call(`/api/admin/subscriptions/${subId}/coupon`, {});
    expect([neither.statusCode, neither.json().error.code]).toEqual([422, 'invalid_request']);
  });
});
