/**
 * Issue 4's scenario acceptance: one customer's story through time, through the real stack — the app's own routes,
 * the sandbox's hosted Checkout and portal pages in a real Chromium, signed webhooks delivered by the sandbox to the
 * app's real /webhooks/stripe, the dispatcher applying them with the real handlers, and the sandbox clock moving
 * (never sleeping). Each step asserts the rows, the mrr_movements and the audit rows it caused, literally.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../audit/audit.tables.js';
import { billingStack, type BillingStack } from '../../../test/helpers/billing-stack.js';
import { browserHeaders, memberSession, type Session } from '../../../test/helpers/auth.js';
import {
  customers,
  disputes,
  invoices,
  mrrMovements,
  payments,
  refunds,
  subscriptions,
} from '../billing.tables.js';
import { listPlans, type PlanView } from '../plans/plan-views.js';
import { seedDemo } from '../seed/seed-demo.js';

let s: BillingStack;
let browser: Browser;
let page: Page;
let ann: Session;
let admin: Session;
let catalogue: PlanView[];
let auditMark = 0;

const price = (key: string, interval: string) =>
  catalogue.find((p) => p.key === key)!.prices.find((p) => p.interval === interval && p.active)!
    .stripePriceId;

async function annCustomer() {
  const [c] = await s.h.deps.db.select().from(customers).where(eq(customers.userId, ann.userId));
  return c!;
}

async function story() {
  const c = await annCustomer();
  const [sub] = await s.h.deps.db.select().from(subscriptions).where(eq(subscriptions.customerId, c.id));
  const inv = await s.h.deps.db
    .select()
    .from(invoices)
    .where(eq(invoices.customerId, c.id))
    .orderBy(asc(invoices.createdAt), asc(invoices.number));
  const pays = await s.h.deps.db
    .select()
    .from(payments)
    .where(eq(payments.customerId, c.id))
    .orderBy(asc(payments.createdAt));
  const moves = await s.h.deps.db
    .select()
    .from(mrrMovements)
    .where(eq(mrrMovements.customerId, c.id))
    .orderBy(asc(mrrMovements.id));
  return {
    customer: { card: `${c.defaultPmBrand} ${c.defaultPmLast4}`, delinquent: c.delinquent },
    subscription: sub && {
      status: sub.status,
      price: sub.stripePriceId,
      mrr: sub.mrrMinor,
      periodStart: sub.currentPeriodStart?.toISOString(),
      periodEnd: sub.currentPeriodEnd?.toISOString(),
      cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
      endedAt: sub.endedAt?.toISOString() ?? null,
    },
    invoices: inv.map((i) => [i.billingReason, i.status, i.totalMinor, i.amountPaidMinor, i.attemptCount]),
    payments: pays.map((p) => [p.status, p.amountMinor, p.amountRefundedMinor, p.declineCode]),
    movements: moves.map((m) => [m.kind, m.mrrBeforeMinor, m.mrrAfterMinor, m.at.toISOString()]),
  };
}

const STARTER = 'starter';

/** Which kinds of rows Stripe's events changed (an audit row each). Which event of a same-second burst applies
 *  the change depends on delivery order, so the subjects are exact and the event names are not. */
const stripeSubjects = (audits: string[][]) =>
  [...new Set(audits.filter((a) => a[0] === 'stripe').map((a) => a[2]))].sort();

/** Audit rows written since the last call: [actor type, action, subject type]. */
async function newAudits() {
  const rows = await s.h.deps.db
    .select({
      id: auditLog.id,
      actorType: auditLog.actorType,
      action: auditLog.action,
      subjectType: auditLog.subjectType,
    })
    .from(auditLog)
    .where(gt(auditLog.id, auditMark))
    .orderBy(asc(auditLog.id));
  auditMark = rows.at(-1)?.id ?? auditMark;
  return rows.map((r) => [r.actorType, r.action, r.subjectType]);
}

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'customer-story' });
  await seedDemo(s.h.deps, { customers: false });
  catalogue = await listPlans(s.h.deps.db);
  ann = await memberSession(s.h, 'ann@example.com');
  admin = await s.admin();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  // The app's own pages (success/return URLs) are not part of this test: answer them here.
  await page.route('http://app.test/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<p>back in the app</p>' }),
  );
  await newAudits();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const adminPost = (url: string, payload: object = {}) =>
  s.h.app.inject({ method: 'POST', url, headers: browserHeaders(admin), payload });

describe('a customer story', () => {
  it('checkout paid in the hosted page → subscription active locally', async () => {
    const res = await s.h.app.inject({
      method: 'POST',
      url: '/api/billing/checkout',
      headers: browserHeaders(ann),
      payload: { planKey: 'starter', interval: 'month' },
    });
    expect(res.statusCode).toBe(200);
    await page.goto(res.json().url);
    await page.getByTestId('pm_card_visa').check();
    // Paid: the page sends the browser back to APP_URL's success page (not served in this test).
    const success = /^http:\/\/app\.test\/account\?checkout=success&session_id=cs_/;
    // Wait until the redirect has ended (answered or failed), not only been requested: a later page.goto would
    // otherwise be interrupted by it.
    await Promise.all([
      Promise.race([
        page.waitForEvent('requestfinished', (r) => success.test(r.url())),
        page.waitForEvent('requestfailed', (r) => success.test(r.url())),
      ]),
      page.getByTestId('pay').click(),
    ]);
    await s.settle();
    expect(await story()).toEqual({
      customer: { card: 'visa 4242', delinquent: false },
      subscription: {
        status: 'active',
        price: price(STARTER, 'month'),
        mrr: 900,
        periodStart: '2026-01-15T12:00:00.000Z',
        periodEnd: '2026-02-15T12:00:00.000Z',
        cancelAtPeriodEnd: false,
        endedAt: null,
      },
      invoices: [['subscription_create', 'paid', 900, 900, 1]],
      payments: [['succeeded', 900, 0, null]],
      movements: [['new', 0, 900, '2026-01-15T12:00:00.000Z']],
    });
    const audits = await newAudits();
    expect(audits.filter((a) => a[0] !== 'stripe' && a[1] !== 'user.role_changed')).toEqual([]);
    expect(stripeSubjects(audits)).toEqual(
      expect.arrayContaining(['invoice', 'invoice_payment', 'payment', 'payment_method']),
    );
  });

  it('renewal paid', async () => {
    await s.advance({ days: 31, hours: 2 });
    const st = await story();
    expect(st.subscription).toEqual({
      status: 'active',
      price: price(STARTER, 'month'),
      mrr: 900,
      periodStart: '2026-02-15T12:00:00.000Z',
      periodEnd: '2026-03-15T12:00:00.000Z',
      cancelAtPeriodEnd: false,
      endedAt: null,
    });
    expect(st.invoices).toEqual([
      ['subscription_create', 'paid', 900, 900, 1],
      ['subscription_cycle', 'paid', 900, 900, 1],
    ]);
    expect(st.payments).toEqual([
      ['succeeded', 900, 0, null],
      ['succeeded', 900, 0, null],
    ]);
    expect(st.movements).toEqual([['new', 0, 900, '2026-01-15T12:00:00.000Z']]); // a renewal moves no MRR
    const audits = await newAudits();
    expect(audits.filter((a) => a[0] === 'user')).toEqual([]);
    expect(stripeSubjects(audits)).toEqual(
      expect.arrayContaining(['invoice', 'invoice_payment', 'payment', 'subscription']),
    );
  });

  it('renewal failed → past_due', async () => {
    const portal = await s.h.app.inject({
      method: 'POST',
      url: '/api/billing/portal',
      headers: browserHeaders(ann),
    });
    await page.goto(portal.json().url);
    await page.getByTestId('pm_card_chargeCustomerFail').check();
    await page.getByTestId('update-card').click();
    await page.getByTestId('card').waitFor();
    await s.settle();
    await s.advance({ days: 28, hours: 2 });
    expect(await story()).toEqual({
      customer: { card: 'visa 0341', delinquent: true },
      subscription: {
        status: 'past_due',
        price: price(STARTER, 'month'),
        mrr: 900, // past_due still counts (docs/DESIGN.md §7)
        periodStart: '2026-03-15T12:00:00.000Z',
        periodEnd: '2026-04-15T12:00:00.000Z',
        cancelAtPeriodEnd: false,
        endedAt: null,
      },
      invoices: [
        ['subscription_create', 'paid', 900, 900, 1],
        ['subscription_cycle', 'paid', 900, 900, 1],
        ['subscription_cycle', 'open', 900, 0, 1],
      ],
      payments: [
        ['succeeded', 900, 0, null],
        ['succeeded', 900, 0, null],
        ['requires_payment_method', 900, 0, 'generic_decline'],
      ],
      movements: [['new', 0, 900, '2026-01-15T12:00:00.000Z']],
    });
    const audits = await newAudits();
    expect(audits.filter((a) => a[0] === 'user')).toEqual([]);
    expect(stripeSubjects(audits)).toEqual([
      'customer',
      'invoice',
      'payment',
      'payment_method',
      'subscription',
    ]);
  });

  it('card updated → active', async () => {
    // A working card becomes the default (as the app's own card form would do it); Stripe's next scheduled retry
    // (3 days after the failure) pays the open invoice and the subscription recovers.
    const c = await annCustomer();
    const pm = await s.h.deps.stripe.paymentMethods.attach('pm_card_visa', { customer: c.stripeCustomerId });
    await s.h.deps.stripe.customers.update(c.stripeCustomerId, {
      invoice_settings: { default_payment_method: pm.id },
    });
    const [sub] = await s.h.deps.db.select().from(subscriptions).where(eq(subscriptions.customerId, c.id));
    await s.h.deps.stripe.subscriptions.update(sub!.stripeSubscriptionId, { default_payment_method: pm.id });
    await s.settle();
    await s.advance({ days: 3 });
    const st = await story();
    expect([st.customer, st.subscription?.status, st.subscription?.mrr]).toEqual([
      { card: 'visa 4242', delinquent: false },
      'active',
      900,
    ]);
    expect(st.invoices[2]).toEqual(['subscription_cycle', 'paid', 900, 900, 2]);
    expect(st.payments[2]).toEqual(['succeeded', 900, 0, null]);
    expect(st.movements).toEqual([['new', 0, 900, '2026-01-15T12:00:00.000Z']]);
    expect(stripeSubjects(await newAudits())).toEqual(
      expect.arrayContaining(['invoice', 'payment', 'subscription']),
    );
  });

  it('plan change with proration', async () => {
    await s.advance({ days: 14 });
    const sub = (await story()).subscription!;
    const [row] = await s.h.deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.stripePriceId, sub.price!));
    const preview = await s.h.app.inject({
      method: 'GET',
      url: `/api/admin/subscriptions/${row!.id}/change-preview?priceId=${price('professional', 'month')}&prorationBehavior=always_invoice`,
      headers: browserHeaders(admin),
    });
    expect(preview.statusCode).toBe(200);
    // 31-day period, 13 days 20 hours left on 1 Apr 16:00: 900 × 1195200/2678400 = 401.6 → −402; 2900 × … = 1294.1 → 1294.
    expect(preview.json()).toMatchObject({
      fromPriceId: price(STARTER, 'month'),
      toPriceId: price('professional', 'month'),
      prorationDate: 1775059200,
      currency: 'usd',
      total: 892,
      amountDue: 892,
      prorationAmount: 892,
      lines: [
        { description: 'Unused time on 1 × Starter after 1 Apr 2026', amount: -402, proration: true },
        { description: 'Remaining time on 1 × Professional after 1 Apr 2026', amount: 1294, proration: true },
      ],
    });
    const applied = await adminPost(`/api/admin/subscriptions/${row!.id}/change-plan`, {
      priceId: price('professional', 'month'),
      prorationBehavior: 'always_invoice',
      prorationDate: preview.json().prorationDate,
    });
    expect([applied.statusCode, applied.json().priceId, applied.json().status]).toEqual([
      200,
      price('professional', 'month'),
      'active',
    ]);
    await s.settle();
    const st = await story();
    expect([st.subscription?.price, st.subscription?.mrr]).toEqual([price('professional', 'month'), 2900]);
    expect(st.invoices[3]).toEqual(['subscription_update', 'paid', 892, 892, 1]); // the previewed amount, charged
    expect(st.payments[3]).toEqual(['succeeded', 892, 0, null]);
    expect(st.movements).toEqual([
      ['new', 0, 900, '2026-01-15T12:00:00.000Z'],
      ['expansion', 900, 2900, '2026-04-01T16:00:00.000Z'],
    ]);
    const audits = await newAudits();
    expect(audits.filter((a) => a[0] === 'user')).toEqual([
      ['user', 'subscription.plan_changed', 'subscription'],
    ]);
    expect(audits).toEqual(
      expect.arrayContaining([['stripe', 'customer.subscription.updated', 'subscription']]),
    );
  });

  it('refund', async () => {
    const [pay] = await s.h.deps.db
      .select()
      .from(payments)
      .where(and(eq(payments.customerId, (await annCustomer()).id), eq(payments.status, 'succeeded')))
      .orderBy(asc(payments.createdAt));
    const res = await adminPost(`/api/admin/payments/${pay!.id}/refund`, {
      amountMinor: 400,
      reason: 'requested_by_customer',
    });
    expect([res.statusCode, res.json().amount, res.json().refundedTotal, res.json().remaining]).toEqual([
      201, 400, 400, 500,
    ]);
    await s.settle();
    const rs = await s.h.deps.db.select().from(refunds);
    expect(rs.map((r) => [r.paymentId, r.amountMinor, r.currency, r.status, r.reason])).toEqual([
      [pay!.id, 400, 'usd', 'succeeded', 'requested_by_customer'],
    ]);
    expect((await story()).payments[0]).toEqual(['succeeded', 900, 400, null]);
    expect((await story()).movements).toHaveLength(2); // a refund is not an MRR movement
    const audits = await newAudits();
    expect(audits.filter((a) => a[0] === 'user')).toEqual([['user', 'payment.refunded', 'payment']]);
    expect(audits).toEqual(expect.arrayContaining([['stripe', 'charge.refunded', 'payment']]));
  });

  it('dispute', async () => {
    const [pay] = await s.h.deps.db
      .select()
      .from(payments)
      .where(and(eq(payments.customerId, (await annCustomer()).id), eq(payments.status, 'succeeded')))
      .orderBy(asc(payments.createdAt));
    await s.sandbox.control.createDispute(pay!.stripeChargeId!, { reason: 'fraudulent' });
    await s.settle();
    const ds = await s.h.deps.db.select().from(disputes);
    expect(ds.map((d) => [d.paymentId, d.amountMinor, d.currency, d.status, d.reason])).toEqual([
      [pay!.id, 500, 'usd', 'needs_response', 'fraudulent'], // what was left after the 400 refund
    ]);
    const audits = await newAudits();
    expect(audits.length).toBeGreaterThan(0);
    expect(audits.every((a) => a[0] === 'stripe' && a[2] === 'dispute')).toBe(true);
  });

  it('cancel at period end → canceled at the end', async () => {
    const sub = (await story()).subscription!;
    const [row] = await s.h.deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.stripePriceId, sub.price!));
    await s.advance({ hours: 1 }); // later that day (events of one second are ordered by status rank only)
    const res = await adminPost(`/api/admin/subscriptions/${row!.id}/cancel`, {
      at: 'period_end',
      reason: 'customer asked',
    });
    expect([res.statusCode, res.json().cancelAtPeriodEnd, res.json().cancelAt]).toEqual([
      200,
      true,
      '2026-04-15T12:00:00.000Z',
    ]);
    await s.settle();
    const scheduled = await story();
    expect([
      scheduled.subscription?.status,
      scheduled.subscription?.cancelAtPeriodEnd,
      scheduled.subscription?.mrr,
    ]).toEqual(['active', true, 2900]);
    const audits = await newAudits();
    expect(audits.filter((a) => a[0] === 'user')).toEqual([
      ['user', 'subscription.cancel_scheduled', 'subscription'],
    ]);
    expect(audits).toEqual(
      expect.arrayContaining([['stripe', 'customer.subscription.updated', 'subscription']]),
    );

    await s.advance({ days: 14 }); // past 15 Apr 12:00
    const ended = await story();
    expect(ended.subscription).toEqual({
      status: 'canceled',
      price: price('professional', 'month'),
      mrr: 0,
      periodStart: '2026-03-15T12:00:00.000Z',
      periodEnd: '2026-04-15T12:00:00.000Z',
      cancelAtPeriodEnd: true,
      endedAt: '2026-04-15T12:00:00.000Z',
    });
    expect(ended.invoices).toHaveLength(4); // no renewal invoice after the end
    expect(ended.movements).toEqual([
      ['new', 0, 900, '2026-01-15T12:00:00.000Z'],
      ['expansion', 900, 2900, '2026-04-01T16:00:00.000Z'],
      ['churn', 2900, 0, '2026-04-15T12:00:00.000Z'],
    ]);
    expect(await newAudits()).toEqual(
      expect.arrayContaining([['stripe', 'customer.subscription.deleted', 'subscription']]),
    );
  });
});
