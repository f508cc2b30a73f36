/**
 * docs/RELIABILITY.md 23 / issue 4's sync acceptance: the sandbox drops every webhook for a period (a renewal, a card
 * change, a cancellation, a customer created elsewhere), then `runSync` repairs every row and the drift report
 * lists exactly what it repaired. Also: a second run finds no drift; a row corrupted locally is repaired from the
 * object lists; an interrupted run resumes from its stored cursor; requests respect the rate budget.
 */
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { users } from '../../accounts/accounts.tables.js';
import { auditLog } from '../../audit/audit.tables.js';
import { billingStack, type BillingStack } from '../../../test/helpers/billing-stack.js';
import { customers, invoices, mrrMovements, subscriptions } from '../../billing/billing.tables.js';
import { stripeEvents } from '../inbox.tables.js';
import { ensureCustomer } from '../../billing/customers/ensure-customer.js';
import { listPlans } from '../../billing/plans/plan-views.js';
import { seedDemo } from '../../billing/seed/seed-demo.js';
import { createSubscription } from '../../billing/subscriptions/create-subscription.js';
import { handlers } from '../webhooks/handlers/index.js';
import { formatDriftReport } from './drift-report.js';
import { runSync, SyncInterrupted } from './run-sync.js';
import { syncRuns } from './reconcile.tables.js';
import { TokenBucket } from './token-bucket.js';
import { createSubscriptionRoles, ensureCustomerRoles } from '../../accounts/roles/operation-roles.js';

let s: BillingStack;
let stripe: Stripe;
let annCustomer: string;
let annSub: string;
let starterMonthly: string;
let proMonthly: string;
const SINCE = new Date('2026-01-01T00:00:00Z');

async function user(id: string, email: string) {
  await s.h.deps.db.insert(users).values({ id, name: id, email, emailVerified: true });
  return { id, email, name: id };
}

async function withCard(stripeCustomerId: string, card = 'pm_card_visa') {
  const pm = await stripe.paymentMethods.attach(card, { customer: stripeCustomerId });
  await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: pm.id } });
}

const sync = (extra: Partial<Parameters<typeof runSync>[1]> = {}) =>
  runSync(s.h.deps, { since: SINCE, handlers, trigger: 'test', resume: true, ...extra });

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'sync' });
  stripe = s.h.deps.stripe;
  await seedDemo(s.h.deps, { customers: false });
  const plans = await listPlans(s.h.deps.db);
  starterMonthly = plans
    .find((p) => p.key === 'starter')!
    .prices.find((p) => p.interval === 'month')!.stripePriceId;
  proMonthly = plans
    .find((p) => p.key === 'professional')!
    .prices.find((p) => p.interval === 'month')!.stripePriceId;
  const ann = await user('user_ann', 'ann@example.com');
  await user('user_cat', 'cat@example.com');
  // One step per second: Stripe orders same-second events only by status rank and id, so the story keeps them apart.
  const c = await ensureCustomer(s.h.deps, ann, ensureCustomerRoles(s.h.deps));
  annCustomer = c.stripeCustomerId;
  await s.advance({ seconds: 1 });
  await withCard(annCustomer);
  await s.advance({ seconds: 1 });
  const sub = await createSubscription(
    s.h.deps,
    { type: 'system', id: null, requestId: 'setup', operationId: 'setup' },
    { customerId: c.id, priceId: starterMonthly, quantity: 1 },
    createSubscriptionRoles(s.h.deps),
  );
  annSub = sub.stripeSubscriptionId;
  await s.settle();
  // Baseline: the first sync finds nothing to repair.
  const first = await sync();
  expect(first.corrections).toEqual([]);
});
afterAll(() => s.close());

describe('sertantai sync', () => {
  it('docs/RELIABILITY.md 23: webhooks dropped for a month are repaired from the events list; the report lists exactly that', async () => {
    await s.sandbox.control.webhookFaults([{ mode: 'drop', count: 10_000 }]);
    await stripe.customers.update(annCustomer, { name: 'Ann Renamed' });
    await s.advance({ days: 31, hours: 2 }); // renewal on 2026-02-15: invoice created, finalized an hour later, paid
    await stripe.subscriptions.update(annSub, { cancel_at_period_end: true });
    await s.advance({ seconds: 1 });
    // A customer created outside the app (dashboard) for a known user, subscribed there.
    const cat = await stripe.customers.create({
      email: 'cat@example.com',
      name: 'Cat',
      metadata: { user_id: 'user_cat' },
    });
    await s.advance({ seconds: 1 });
    await withCard(cat.id);
    await s.advance({ seconds: 1 });
    const catSub = await stripe.subscriptions.create({ customer: cat.id, items: [{ price: proMonthly }] });
    await s.sandbox.control.flush();
    await s.sandbox.control.webhookFaults([]);

    // Nothing of that reached us.
    const [sub0] = await s.h.deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.stripeSubscriptionId, annSub));
    expect([sub0?.cancelAtPeriodEnd, sub0?.currentPeriodEnd?.toISOString()]).toEqual([
      false,
      '2026-02-15T12:00:02.000Z',
    ]);
    expect(await s.h.deps.db.select().from(customers).where(eq(customers.stripeCustomerId, cat.id))).toEqual(
      [],
    );

    const report = await sync();
    expect(report.finished).toBe(true);
    expect(report.unlinkable).toEqual([]);

    // Every row now says what Stripe says.
    const [ann] = await s.h.deps.db
      .select()
      .from(customers)
      .where(eq(customers.stripeCustomerId, annCustomer));
    expect(ann?.name).toBe('Ann Renamed');
    const [sub] = await s.h.deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.stripeSubscriptionId, annSub));
    expect([
      sub?.status,
      sub?.cancelAtPeriodEnd,
      sub?.currentPeriodStart?.toISOString(),
      sub?.currentPeriodEnd?.toISOString(),
      sub?.mrrMinor,
    ]).toEqual(['active', true, '2026-02-15T12:00:02.000Z', '2026-03-15T12:00:02.000Z', 900]);
    const annInvoices = await s.h.deps.db
      .select()
      .from(invoices)
      .where(eq(invoices.stripeSubscriptionId, annSub))
      .orderBy(invoices.createdAt);
    expect(annInvoices.map((i) => [i.status, i.totalMinor, i.billingReason])).toEqual([
      ['paid', 900, 'subscription_create'],
      ['paid', 900, 'subscription_cycle'],
    ]);
    const [catRow] = await s.h.deps.db.select().from(customers).where(eq(customers.stripeCustomerId, cat.id));
    expect(catRow?.userId).toBe('user_cat');
    const [catSubRow] = await s.h.deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.stripeSubscriptionId, catSub.id));
    expect([catSubRow?.status, catSubRow?.mrrMinor]).toEqual(['active', 2900]);
    const catMovements = await s.h.deps.db
      .select()
      .from(mrrMovements)
      .where(eq(mrrMovements.customerId, catRow!.id));
    expect(catMovements.map((m) => [m.kind, m.mrrBeforeMinor, m.mrrAfterMinor])).toEqual([['new', 0, 2900]]);

    // The drift report: exactly what was repaired, per object, before → after.
    const label = (id: string) =>
      ({ [annCustomer]: 'ann', [annSub]: 'ann-sub', [cat.id]: 'cat', [catSub.id]: 'cat-sub' })[id] ??
      id.split('_')[0]!;
    const summary = report.corrections
      .map((c) => [
        c.kind,
        label(c.stripeId),
        c.action,
        c.via,
        c.changes
          .map((x) => x.field)
          .sort()
          .join(','),
      ])
      .sort((a, b) => (a.join('|') < b.join('|') ? -1 : 1));
    const PAYMENT =
      'amount_minor,amount_refunded_minor,card_brand,card_country,card_last4,charge_status,created_at,currency,customer_id,invoice_id,status,stripe_charge_id,stripe_customer_id,stripe_invoice_id,stripe_payment_intent_id';
    const INVOICE =
      'amount_due_minor,amount_paid_minor,amount_remaining_minor,attempt_count,billing_reason,created_at,currency,customer_id,finalized_at,hosted_invoice_url,lines,number,paid_at,period_end,period_start,status,stripe_invoice_id,stripe_subscription_id,subscription_id,subtotal_minor,total_minor';
    expect(summary).toEqual([
      ['customer', 'ann', 'updated', 'event', 'name'],
      [
        'customer',
        'cat',
        'inserted',
        'event',
        'created_at,default_payment_method_id,default_pm_brand,default_pm_exp_month,default_pm_exp_year,default_pm_last4,delinquent,email,metadata,name,stripe_customer_id,user_id',
      ],
      ['invoice', 'in', 'inserted', 'event', INVOICE],
      ['invoice', 'in', 'inserted', 'event', INVOICE],
      [
        'payment_method',
        'pm',
        'inserted',
        'event',
        'brand,created_at,exp_month,exp_year,last4,stripe_customer_id,stripe_payment_method_id,type',
      ],
      ['payment', 'pi', 'inserted', 'event', PAYMENT],
      ['payment', 'pi', 'inserted', 'event', PAYMENT],
      [
        'subscription',
        'ann-sub',
        'updated',
        'event',
        'cancel_at,cancel_at_period_end,canceled_at,current_period_end,current_period_start',
      ],
      [
        'subscription',
        'cat-sub',
        'inserted',
        'event',
        'cancel_at_period_end,created_at,currency,current_period_end,current_period_start,customer_id,metadata,mrr_minor,plan_id,quantity,status,stripe_price_id,stripe_subscription_id',
      ],
    ]);
    const annSubChange = report.corrections.find((c) => c.stripeId === annSub)!.changes;
    expect(Object.fromEntries(annSubChange.map((c) => [c.field, [c.before, c.after]]))).toEqual({
      cancel_at: [null, '2026-03-15T12:00:02+00:00'],
      cancel_at_period_end: [false, true],
      canceled_at: [null, '2026-02-15T14:00:02+00:00'],
      current_period_start: ['2026-01-15T12:00:02+00:00', '2026-02-15T12:00:02+00:00'],
      current_period_end: ['2026-02-15T12:00:02+00:00', '2026-03-15T12:00:02+00:00'],
    });
    const nameChange = report.corrections.find((c) => c.stripeId === annCustomer)!.changes;
    expect(nameChange).toEqual([{ field: 'name', before: 'user_ann', after: 'Ann Renamed' }]);
    // Exactly the deliveries the sandbox dropped (of types we handle) were recovered, and all got applied.
    const dropped = (await s.sandbox.control.deliveries())
      .filter((d) => d.error === 'dropped by fault injection' && d.type in handlers)
      .map((d) => d.eventId);
    expect(report.eventsRecovered).toBe(new Set(dropped).size);
    const stored = await s.h.deps.db
      .select({ id: stripeEvents.id, status: stripeEvents.status })
      .from(stripeEvents)
      .where(inArray(stripeEvents.id, dropped));
    expect(stored.filter((e) => e.status === 'processed' || e.status === 'stale')).toHaveLength(
      new Set(dropped).size,
    );
    // One audit row per correction.
    const audits = await s.h.deps.db
      .select({ cause: auditLog.cause })
      .from(auditLog)
      .where(eq(auditLog.action, 'sync.repaired'));
    expect(audits).toHaveLength(report.corrections.length);
    expect(audits.every((a) => (a.cause as { syncRunId: string }).syncRunId === report.runId)).toBe(true);
    const text = formatDriftReport(report);
    expect(text).toContain(`    name: user_ann → Ann Renamed`);
    expect(text).toContain(`    cancel_at_period_end: false → true`);

    // Run again: nothing left to repair.
    const again = await sync();
    expect([again.corrections, again.eventsRecovered]).toEqual([[], 0]);
  });

  it('a row changed behind our back (no event to replay) is repaired from the object list', async () => {
    await s.h.deps.db
      .update(subscriptions)
      .set({ status: 'canceled', mrrMinor: 0 })
      .where(eq(subscriptions.stripeSubscriptionId, annSub));
    const report = await sync();
    expect(report.corrections.map((c) => [c.kind, c.stripeId, c.via, c.action, c.changes])).toEqual([
      [
        'subscription',
        annSub,
        'object',
        'updated',
        [
          { field: 'status', before: 'canceled', after: 'active' },
          { field: 'mrr_minor', before: 0, after: 900 },
        ],
      ],
    ]);
  });

  it('an interrupted run resumes from its cursor and reports the whole run', async () => {
    await s.sandbox.control.webhookFaults([{ mode: 'drop', count: 10_000 }]);
    await stripe.customers.update(annCustomer, { name: 'Ann Again' });
    await s.sandbox.control.flush();
    await s.sandbox.control.webhookFaults([]);
    await expect(sync({ stopAfterPages: 1, pageSize: 1 })).rejects.toBeInstanceOf(SyncInterrupted);
    const [failed] = await s.h.deps.db.select().from(syncRuns).where(eq(syncRuns.status, 'failed'));
    expect(failed).toBeDefined();
    const resumed = await sync({ pageSize: 1 });
    expect([resumed.runId, resumed.resumed, resumed.finished]).toEqual([failed!.id, true, true]);
    expect(resumed.corrections.map((c) => [c.kind, c.stripeId, c.changes])).toEqual([
      ['customer', annCustomer, [{ field: 'name', before: 'Ann Renamed', after: 'Ann Again' }]],
    ]);
  });

  it('spends at most the rate budget: every Stripe request takes a token', async () => {
    const bucket = new TokenBucket(1000, 1000);
    const report = await sync({ resume: false, bucket, pageSize: 2 });
    expect(bucket.taken).toBe(report.requests);
    expect(report.requests).toBeGreaterThan(5);
  });

  it("Stripe's rate limit (429 rate_limit, which the SDK does not retry) is retried after a backoff: the run finishes, each retry a request", async () => {
    const clean = await sync({ resume: false });
    await s.sandbox.control.apiFault({ path: '/v1/subscriptions', method: 'GET', mode: '429', count: 2 });
    const report = await sync({ resume: false });
    expect([report.finished, report.throttled, report.requests]).toEqual([true, 2, clean.requests + 2]);
    expect(report.seen).toEqual(clean.seen);
    expect(report.corrections).toEqual([]);
  });

  it('a budget above the sandbox limit (100/s at most there, 2/s here): every 429 is retried, nothing missed, and one writer or three mirror the same', async () => {
    const limited = async (writers: number) => {
      const before = (await s.sandbox.control.rateLimited()).count;
      await s.sandbox.control.settings({ rateLimitPerSecond: 2 });
      try {
        const report = await sync({
          resume: false,
          bucket: new TokenBucket(1000, 1000),
          pageSize: 10,
          writers,
        });
        return { report, limited: (await s.sandbox.control.rateLimited()).count - before };
      } finally {
        await s.sandbox.control.settings({ rateLimitPerSecond: null });
      }
    };
    const one = await limited(1);
    expect(one.report.finished).toBe(true);
    expect(one.limited).toBeGreaterThan(0);
    expect(one.report.throttled).toBe(one.limited);
    expect(one.report.corrections).toEqual([]);
    const three = await limited(3);
    expect(three.report.seen).toEqual(one.report.seen);
    expect(three.report.corrections).toEqual([]);
  });
});
