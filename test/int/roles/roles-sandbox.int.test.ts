/**
 * Issue 5 through the whole stack: the Stripe sandbox with its test clock, signed webhooks delivered to the app's
 * real /webhooks/stripe, the dispatcher with the real handlers, and the dunning job's work at the app clock (which
 * moves with the sandbox's). Ann pays → professional; her renewal fails → still professional with an open case and
 * "payment failed", then the reminder; she fixes her card and the invoice is paid → recovered by card_update.
 * Bob's renewal fails and his grace runs out → member, case lost, "downgraded" once.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingStack, type BillingStack } from '../../helpers/billing-stack.js';
import { browserHeaders, memberSession, type Session } from '../../helpers/auth.js';
import { seedDemo } from '../../../src/billing/seed/seed-demo.js';
import { listPlans } from '../../../src/billing/plans/plan-views.js';
import { ensureCustomer } from '../../../src/billing/customers/ensure-customer.js';
import { runDunningSweep } from '../../../src/dunning/dunning.jobs.js';
import { customers } from '../../../src/billing/billing.tables.js';
import { ensureCustomerRoles } from '../../../src/accounts/roles/operation-roles.js';

let s: BillingStack;
let ann: Session;
let bob: Session;
let starterMonthly: string;
let enterpriseMonthly: string;

async function subscribe(session: Session, email: string, card: string) {
  const c = await ensureCustomer(
    s.h.deps,
    { id: session.userId, email, name: email.split('@')[0]! },
    ensureCustomerRoles(s.h.deps),
  );
  const pm = await s.h.deps.stripe.paymentMethods.attach(card, { customer: c.stripeCustomerId });
  await s.h.deps.stripe.customers.update(c.stripeCustomerId, {
    invoice_settings: { default_payment_method: pm.id },
  });
  const sub = await s.h.deps.stripe.subscriptions.create({
    customer: c.stripeCustomerId,
    items: [{ price: starterMonthly }],
  });
  await s.settle();
  return { customer: c.stripeCustomerId, subscription: sub.id };
}

async function useCard(customer: string, subscription: string, card: string) {
  const pm = await s.h.deps.stripe.paymentMethods.attach(card, { customer });
  await s.h.deps.stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
  await s.h.deps.stripe.subscriptions.update(subscription, { default_payment_method: pm.id });
  await s.settle();
}

const roleOf = async (session: Session) =>
  (await s.h.app.inject({ method: 'GET', url: '/api/me', headers: browserHeaders(session) })).json()
    .role as string;
const caseOf = async (userId: string) =>
  (await s.h.t.pool.query(`SELECT * FROM dunning_cases WHERE user_id = $1 ORDER BY opened_at`, [userId]))
    .rows;
const mailOf = async (userId: string) =>
  // Billing's notifications only: sign-up also queues the account's verification email (issue 16).
  (
    await s.h.t.pool.query(
      `SELECT template FROM outbox WHERE user_id = $1 AND template NOT IN ('verify_email', 'reset_password')
       ORDER BY created_at, key`,
      [userId],
    )
  ).rows.map((r) => r.template as string);
const sweep = () => runDunningSweep(s.h.deps, s.clock.now());

let annIds: { customer: string; subscription: string };
let bobIds: { customer: string; subscription: string };

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'roles-sandbox' });
  await seedDemo(s.h.deps, { customers: false });
  const plans = await listPlans(s.h.deps.db);
  starterMonthly = plans
    .find((p) => p.key === 'starter')!
    .prices.find((p) => p.interval === 'month' && p.active)!.stripePriceId;
  enterpriseMonthly = plans
    .find((p) => p.key === 'enterprise')!
    .prices.find((p) => p.interval === 'month' && p.active)!.stripePriceId;
  ann = await memberSession(s.h, 'ann@example.com');
  bob = await memberSession(s.h, 'bob@example.com');
});
afterAll(() => s?.close());

describe('roles from billing through the sandbox', () => {
  it('pay → professional', async () => {
    annIds = await subscribe(ann, 'ann@example.com', 'pm_card_visa');
    bobIds = await subscribe(bob, 'bob@example.com', 'pm_card_visa');
    expect(await roleOf(ann)).toBe('professional');
    expect(await roleOf(bob)).toBe('professional');
  });

  it('renewal fails → still professional during grace; "payment failed" queued; then the reminder', async () => {
    await useCard(annIds.customer, annIds.subscription, 'pm_card_chargeCustomerFail');
    await useCard(bobIds.customer, bobIds.subscription, 'pm_card_chargeCustomerFail');
    await s.advance({ days: 31, hours: 1 });
    expect(await sweep()).toEqual({ reminded: 0, lost: 0, recovered: 0, downgraded: 0 });
    expect(await roleOf(ann)).toBe('professional');
    const [c] = await caseOf(ann.userId);
    expect(c).toMatchObject({ status: 'open', grace_days: 7, amount_due_minor: 900, currency: 'usd' });
    expect(c.grace_until.getTime() - c.opened_at.getTime()).toBe(7 * 86400_000);
    expect(await mailOf(ann.userId)).toEqual(['receipt', 'payment_failed']);

    await s.advance({ days: 5 });
    expect((await sweep()).reminded).toBe(2);
    expect(await roleOf(ann)).toBe('professional');
    expect(await mailOf(ann.userId)).toEqual(['receipt', 'payment_failed', 'grace_ending']);
  });

  it('card fixed, invoice paid → case recovered by card_update → professional', async () => {
    await useCard(annIds.customer, annIds.subscription, 'pm_card_visa');
    const [c] = await caseOf(ann.userId);
    await s.h.deps.stripe.invoices.pay(c.stripe_invoice_id);
    await s.settle();
    const [after] = await caseOf(ann.userId);
    expect(after).toMatchObject({
      status: 'recovered',
      recovered_by: 'card_update',
      recovered_amount_minor: 900,
    });
    expect(after.time_to_recover_seconds).toBe(432000); // failed at the renewal run, paid 5 days later on the frozen clock
    expect(await roleOf(ann)).toBe('professional');
    const [cus] = await s.h.deps.db.select().from(customers).where(eq(customers.userId, ann.userId));
    expect(cus!.defaultPmLast4).toBe('4242');
  });

  it('renewal fails and grace expires → member, case lost, "downgraded" sent once', async () => {
    await s.advance({ days: 2 });
    const r = await sweep();
    expect(r).toMatchObject({ lost: 1, downgraded: 1 });
    expect(await roleOf(bob)).toBe('member');
    expect(await roleOf(ann)).toBe('professional');
    const [c] = await caseOf(bob.userId);
    expect(c).toMatchObject({ status: 'lost', lost_reason: 'grace_expired' });
    await s.advance({ days: 30 });
    await sweep();
    expect(await roleOf(bob)).toBe('member');
    expect((await mailOf(bob.userId)).filter((t) => t === 'downgraded')).toEqual(['downgraded']);
    expect(await caseOf(bob.userId)).toHaveLength(1);
  });

  it('a second subscription on a higher plan → enterprise; canceling it → professional again', async () => {
    const ent = await s.h.deps.stripe.subscriptions.create({
      customer: annIds.customer,
      items: [{ price: enterpriseMonthly }],
    });
    await s.settle();
    expect(await roleOf(ann)).toBe('enterprise');
    await s.h.deps.stripe.subscriptions.cancel(ent.id);
    await s.settle();
    expect(await roleOf(ann)).toBe('professional');
  });

  it('cancel at period end → professional until the end, member after', async () => {
    await s.h.deps.stripe.subscriptions.update(annIds.subscription, { cancel_at_period_end: true });
    await s.settle();
    expect(await roleOf(ann)).toBe('professional');
    await s.advance({ days: 32 });
    expect(await roleOf(ann)).toBe('member');
    const history = await s.h.t.pool.query(
      `SELECT before->>'role' AS b, after->>'role' AS a FROM audit_log WHERE action = 'user.role_changed' AND subject_id = $1 ORDER BY id`,
      [ann.userId],
    );
    expect(history.rows.map((r) => `${r.b}→${r.a}`)).toEqual([
      'member→professional',
      'professional→enterprise',
      'enterprise→professional',
      'professional→member',
    ]);
  });
});
