/**
 * Issue 5 scenarios through the real handlers (events applied as the dispatcher applies them, one transaction each)
 * and the real jobs' work functions on a FakeClock: pay → professional; a second, higher subscription → enterprise
 * and back; renewal failure with grace, reminder and recovery; grace expiry → member with one "downgraded";
 * cancel at period end; override with expiry; admins untouched; docs/RELIABILITY.md 11 and 15 with roles.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers and fixture copies, asserted literally */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDunningSweep } from '../../../src/dunning/dunning.jobs.js';
import { setRoleOverride } from '../../../src/accounts/roles/set-role-override.js';
import { expireRoleOverrides } from '../../../src/accounts/roles/expire-role-overrides.js';
import {
  customerObject,
  DAY,
  event,
  invoiceObject,
  iso,
  PRICES,
  subscriptionObject,
  T0,
} from '../../story/index.js';
import { addUser, storyWorld, type StoryWorld } from '../../story/world.js';

const outboxOf = (w: StoryWorld, userId: string) =>
  w.q<{ key: string; template: string; subject: string; body: string; to_email: string; status: string }>(
    `SELECT key, template, subject, body, to_email, status FROM outbox WHERE user_id = $1 ORDER BY created_at, key`,
    [userId],
  );
const casesOf = (w: StoryWorld, stripeSub: string) =>
  w.q<any>(
    `SELECT d.* FROM dunning_cases d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE s.stripe_subscription_id = $1 ORDER BY d.opened_at`,
    [stripeSub],
  );
const timeline = (w: StoryWorld, caseId: string) =>
  w.q<{ kind: string; at: Date; cause: string; data: any }>(
    `SELECT kind, at, cause, data FROM dunning_case_events WHERE case_id = $1 ORDER BY at, id`,
    [caseId],
  );

/** A linked customer with one paid, active pro subscription for the period [T0, T0 + 30d). */
async function payingUser(w: StoryWorld, n: string, o: { defaultPm?: string } = {}) {
  await addUser(w.deps, `u_${n}`);
  const cus = `cus_${n}`;
  await w.applyEach(
    event('customer.created', customerObject(cus, `u_${n}`, { defaultPm: o.defaultPm ?? 'pm_old' }), T0),
  );
  const sub = {
    id: `sub_${n}`,
    customer: cus,
    price: PRICES.pro,
    periodStart: T0 + 60,
    periodEnd: T0 + 60 + 30 * DAY,
  };
  await w.applyEach(
    event(
      'customer.subscription.created',
      subscriptionObject({ ...sub, status: 'active', latestInvoice: `in_${n}1` }),
      T0 + 60,
    ),
    event(
      'invoice.paid',
      invoiceObject({
        id: `in_${n}1`,
        customer: cus,
        subscription: sub.id,
        status: 'paid',
        amountDue: 2900,
        created: T0 + 60,
      }),
      T0 + 61,
    ),
  );
  return { userId: `u_${n}`, cus, sub };
}

describe('pay, upgrade with a second subscription, cancel it', () => {
  let w: StoryWorld;
  beforeAll(async () => {
    w = await storyWorld({ label: 'roles-pay', start: iso(T0), maxConnections: 8, catalogue: 'roles' });
  });
  afterAll(() => w.close());

  it('pay → professional, one audit row with the cause chain event → subscription change → role', async () => {
    const { userId } = await payingUser(w, 'a');
    expect(await w.role(userId)).toBe('professional');
    const rows = await w.roleChanges(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_type: 'system',
      actor_id: 'billing-roles',
      before: { role: 'member' },
      after: { role: 'professional', source: { kind: 'subscription', status: 'active', graceUntil: null } },
      reason: null,
    });
    expect(rows[0]!.cause.type).toBe('customer.subscription.created');
    expect(rows[0]!.cause.chain.map((c: any) => c.kind)).toEqual(['stripe_event', 'subscription_change']);
    expect(rows[0]!.cause.chain[1]).toMatchObject({ stripeId: 'sub_a', from: null, to: 'active' });
    const mail = await outboxOf(w, userId);
    expect(mail.map((m) => [m.key, m.template, m.subject, m.to_email])).toEqual([
      ['receipt:in_a1', 'receipt', 'Receipt INV-in_a1: $29.00 paid', 'u_a@example.com'],
    ]);
  });

  it('a second subscription on the enterprise plan → enterprise; canceling it → professional again', async () => {
    const sub2 = {
      id: 'sub_a2',
      customer: 'cus_a',
      price: PRICES.enterprise,
      periodStart: T0 + DAY,
      periodEnd: T0 + 31 * DAY,
    };
    await w.applyEach(
      event('customer.subscription.created', subscriptionObject({ ...sub2, status: 'active' }), T0 + DAY),
    );
    expect(await w.role('u_a')).toBe('enterprise');
    await w.applyEach(
      event(
        'customer.subscription.deleted',
        subscriptionObject({ ...sub2, status: 'canceled', canceledAt: T0 + 2 * DAY, endedAt: T0 + 2 * DAY }),
        T0 + 2 * DAY,
      ),
    );
    expect(await w.role('u_a')).toBe('professional');
    const rows = await w.roleChanges('u_a');
    expect(rows.map((r) => `${r.before.role}→${r.after.role}`)).toEqual([
      'member→professional',
      'professional→enterprise',
      'enterprise→professional',
    ]);
    expect(rows[2]!.cause.chain[1]).toMatchObject({ stripeId: 'sub_a2', from: 'active', to: 'canceled' });
  });

  it('R11: the same event applied twice changes the role once', async () => {
    await addUser(w.deps, 'u_dup');
    await w.applyEach(event('customer.created', customerObject('cus_dup', 'u_dup'), T0));
    const e = event(
      'customer.subscription.created',
      subscriptionObject({
        id: 'sub_dup',
        customer: 'cus_dup',
        price: PRICES.pro,
        status: 'active',
        periodStart: T0,
        periodEnd: T0 + 30 * DAY,
      }),
      T0 + 5,
    );
    await w.applyEach(e, e);
    expect(await w.role('u_dup')).toBe('professional');
    expect(await w.roleChanges('u_dup')).toHaveLength(1);
  });
});

describe('renewal fails: grace, reminder, card fixed, recovered', () => {
  let w: StoryWorld;
  const R = T0 + 60 + 30 * DAY; // the renewal instant
  beforeAll(async () => {
    w = await storyWorld({ label: 'roles-recover', start: iso(T0), maxConnections: 8, catalogue: 'roles' });
  });
  afterAll(() => w.close());

  it('still professional during grace; case open with grace_until = failure + 7 days; "payment failed" queued', async () => {
    const { userId, cus, sub } = await payingUser(w, 'b');
    const renewed = { ...sub, periodStart: R, periodEnd: R + 30 * DAY, latestInvoice: 'in_b2' };
    await w.applyEach(
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: 'in_b2',
          customer: cus,
          subscription: sub.id,
          status: 'open',
          amountDue: 2900,
          created: R,
        }),
        R + 10,
      ),
      event('customer.subscription.updated', subscriptionObject({ ...renewed, status: 'past_due' }), R + 11),
    );
    w.clock.set(iso(R + 3600));
    expect(await w.role(userId)).toBe('professional');
    const [c] = await casesOf(w, 'sub_b');
    expect(c).toMatchObject({
      status: 'open',
      stripe_invoice_id: 'in_b2',
      attempts: 1,
      amount_due_minor: 2900,
      currency: 'usd',
      grace_days: 7,
      payment_method_at_open: 'pm_old',
    });
    expect(c.opened_at.toISOString()).toBe('2026-10-13T00:01:10.000Z');
    expect(c.grace_until.toISOString()).toBe('2026-10-20T00:01:10.000Z');
    expect(c.reminder_at.toISOString()).toBe('2026-10-18T00:01:10.000Z');
    const mail = await outboxOf(w, userId);
    expect(mail.map((m) => m.template)).toEqual(['receipt', 'payment_failed']);
    expect(mail[1]!.subject).toBe('Your payment of $29.00 failed');
    expect(mail[1]!.body).toContain('You keep full access until 2026-10-20');
    expect(mail[1]!.body).toContain('Update your card here: http://app.test/account');
    expect(await w.roleChanges(userId)).toHaveLength(1);
  });

  it('the reminder goes once, when its instant comes, with no event arriving', async () => {
    w.clock.set('2026-10-18T00:01:09.000Z');
    expect(await runDunningSweep(w.deps, w.clock.now())).toEqual({
      reminded: 0,
      lost: 0,
      recovered: 0,
      downgraded: 0,
    });
    w.clock.set('2026-10-18T00:01:10.000Z');
    expect(await runDunningSweep(w.deps, w.clock.now())).toEqual({
      reminded: 1,
      lost: 0,
      recovered: 0,
      downgraded: 0,
    });
    expect(await runDunningSweep(w.deps, w.clock.now())).toEqual({
      reminded: 0,
      lost: 0,
      recovered: 0,
      downgraded: 0,
    });
    const mail = await outboxOf(w, 'u_b');
    expect(mail.map((m) => m.template)).toEqual(['receipt', 'payment_failed', 'grace_ending']);
    expect(mail[2]!.subject).toBe('Action needed: Pro ends on 2026-10-20');
    expect(await w.role('u_b')).toBe('professional');
  });

  it('card updated, invoice paid → case recovered by card_update with amount and time; still professional', async () => {
    const P = R + 6 * DAY;
    await w.applyEach(
      event('customer.updated', customerObject('cus_b', 'u_b', { defaultPm: 'pm_new' }), P),
      event(
        'invoice.paid',
        invoiceObject({
          id: 'in_b2',
          customer: 'cus_b',
          subscription: 'sub_b',
          status: 'paid',
          amountDue: 2900,
          attempt: 2,
          created: R,
          paidAt: P + 60,
        }),
        P + 60,
      ),
      event(
        'customer.subscription.updated',
        subscriptionObject({
          id: 'sub_b',
          customer: 'cus_b',
          price: PRICES.pro,
          periodStart: R,
          periodEnd: R + 30 * DAY,
          latestInvoice: 'in_b2',
          status: 'active',
        }),
        P + 61,
      ),
    );
    const [c] = await casesOf(w, 'sub_b');
    expect(c).toMatchObject({
      status: 'recovered',
      recovered_by: 'card_update',
      recovered_amount_minor: 2900,
      time_to_recover_seconds: 6 * 86400 + 50,
      lost_at: null,
    });
    expect((await timeline(w, c.id)).map((s) => s.kind)).toEqual([
      'opened',
      'payment_failed',
      'reminder_sent',
      'recovered',
    ]);
    expect(await w.role('u_b')).toBe('professional');
    expect(await w.roleChanges('u_b')).toHaveLength(1);
    expect((await outboxOf(w, 'u_b')).map((m) => m.key)).toEqual([
      'receipt:in_b1',
      `payment_failed:${c.id}`,
      `grace_ending:${c.id}`,
      'receipt:in_b2',
    ]);
  });

  it('a retry that succeeds on the same card is recovered by stripe_retry', async () => {
    const { cus, sub } = await payingUser(w, 'b2');
    await w.applyEach(
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: 'in_b22',
          customer: cus,
          subscription: sub.id,
          status: 'open',
          amountDue: 2900,
          created: R,
        }),
        R + 10,
      ),
      event(
        'invoice.paid',
        invoiceObject({
          id: 'in_b22',
          customer: cus,
          subscription: sub.id,
          status: 'paid',
          amountDue: 2900,
          attempt: 2,
          created: R,
          paidAt: R + 3 * DAY,
        }),
        R + 3 * DAY,
      ),
    );
    const [c] = await casesOf(w, 'sub_b2');
    expect(c).toMatchObject({
      status: 'recovered',
      recovered_by: 'stripe_retry',
      time_to_recover_seconds: 3 * 86400 - 10,
    });
  });

  it('R15: a payment_failed of an older attempt after invoice.paid opens nothing and revokes nothing', async () => {
    const { userId, cus, sub } = await payingUser(w, 'g');
    await w.applyEach(
      event(
        'invoice.paid',
        invoiceObject({
          id: 'in_g2',
          customer: cus,
          subscription: sub.id,
          status: 'paid',
          amountDue: 2900,
          attempt: 2,
          created: R,
          paidAt: R + 100,
        }),
        R + 100,
      ),
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: 'in_g2',
          customer: cus,
          subscription: sub.id,
          status: 'open',
          amountDue: 2900,
          attempt: 1,
          created: R,
        }),
        R + 10,
      ),
    );
    expect(await casesOf(w, 'sub_g')).toHaveLength(0);
    expect(await w.role(userId)).toBe('professional');
    expect((await outboxOf(w, userId)).map((m) => m.template)).toEqual(['receipt', 'receipt']);
  });
});

describe('renewal fails and the grace period runs out', () => {
  let w: StoryWorld;
  const R = T0 + 60 + 30 * DAY;
  beforeAll(async () => {
    w = await storyWorld({ label: 'roles-lost', start: iso(T0), maxConnections: 8, catalogue: 'roles' });
  });
  afterAll(() => w.close());

  it('past_due before the failure event: the case opens from past_due and the invoice fills in; professional', async () => {
    const { cus, sub } = await payingUser(w, 'c');
    const renewed = { ...sub, periodStart: R, periodEnd: R + 30 * DAY, latestInvoice: 'in_c2' };
    await w.applyEach(
      event('customer.subscription.updated', subscriptionObject({ ...renewed, status: 'past_due' }), R + 10),
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: 'in_c2',
          customer: cus,
          subscription: sub.id,
          status: 'open',
          amountDue: 2900,
          created: R,
        }),
        R + 10,
      ),
    );
    const [c] = await casesOf(w, 'sub_c');
    expect(c).toMatchObject({
      status: 'open',
      stripe_invoice_id: 'in_c2',
      amount_due_minor: 2900,
      attempts: 1,
    });
    expect(c.grace_until.toISOString()).toBe('2026-10-20T00:01:10.000Z');
    w.clock.set('2026-10-20T00:01:09.000Z');
    // One second before the end: only the (overdue) reminder is due.
    expect(await runDunningSweep(w.deps, w.clock.now())).toEqual({
      reminded: 1,
      lost: 0,
      recovered: 0,
      downgraded: 0,
    });
    expect(await w.role('u_c')).toBe('professional');
  });

  it('grace expiry with no event: member, case lost, "downgraded" queued once, audit names the job and the case', async () => {
    w.clock.set('2026-10-20T00:01:10.000Z');
    expect(await runDunningSweep(w.deps, w.clock.now())).toEqual({
      reminded: 0,
      lost: 1,
      recovered: 0,
      downgraded: 1,
    });
    expect(await w.role('u_c')).toBe('member');
    const [c] = await casesOf(w, 'sub_c');
    expect(c).toMatchObject({ status: 'lost', lost_reason: 'grace_expired', closed_by: 'job:dunning.sweep' });
    expect(c.lost_at.toISOString()).toBe('2026-10-20T00:01:10.000Z');
    const rows = await w.roleChanges('u_c');
    expect(rows.map((r) => `${r.before.role}→${r.after.role}`)).toEqual([
      'member→professional',
      'professional→member',
    ]);
    expect(rows[1]).toMatchObject({ actor_type: 'job', actor_id: 'dunning.sweep' });
    expect(rows[1]!.cause.chain).toEqual([
      { kind: 'job', name: 'dunning.sweep', jobId: null },
      { kind: 'dunning_case', id: c.id },
    ]);
    const mail = await outboxOf(w, 'u_c');
    expect(mail.map((m) => m.template)).toEqual(['receipt', 'payment_failed', 'grace_ending', 'downgraded']);
    expect(mail[3]!.subject).toBe('Your account is now on the free tier');
  });

  it('later retries of the same invoice and the subscription ending change nothing more; "downgraded" stays one', async () => {
    await w.applyEach(
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: 'in_c2',
          customer: 'cus_c',
          subscription: 'sub_c',
          status: 'open',
          amountDue: 2900,
          attempt: 2,
          created: R,
        }),
        R + 8 * DAY,
      ),
      event(
        'customer.subscription.deleted',
        subscriptionObject({
          id: 'sub_c',
          customer: 'cus_c',
          price: PRICES.pro,
          periodStart: R,
          periodEnd: R + 30 * DAY,
          status: 'canceled',
          canceledAt: R + 20 * DAY,
          endedAt: R + 20 * DAY,
          latestInvoice: 'in_c2',
        }),
        R + 20 * DAY,
      ),
    );
    await runDunningSweep(w.deps, new Date('2026-11-30T00:00:00Z'));
    expect(await w.role('u_c')).toBe('member');
    expect(await casesOf(w, 'sub_c')).toHaveLength(1);
    expect((await outboxOf(w, 'u_c')).filter((m) => m.template === 'downgraded')).toHaveLength(1);
    expect(await w.roleChanges('u_c')).toHaveLength(2);
  });
});

describe('cancel at period end, overrides, admins', () => {
  let w: StoryWorld;
  beforeAll(async () => {
    w = await storyWorld({ label: 'roles-misc', start: iso(T0), maxConnections: 8, catalogue: 'roles' });
  });
  afterAll(() => w.close());

  it('cancel at period end → professional until the end, member after; no dunning, no "downgraded"', async () => {
    const { userId, sub } = await payingUser(w, 'd');
    await w.applyEach(
      event(
        'customer.subscription.updated',
        subscriptionObject({ ...sub, status: 'active', cancelAtPeriodEnd: true }),
        T0 + 10 * DAY,
      ),
    );
    expect(await w.role(userId)).toBe('professional');
    await w.applyEach(
      event(
        'customer.subscription.deleted',
        subscriptionObject({
          ...sub,
          status: 'canceled',
          cancelAtPeriodEnd: true,
          canceledAt: T0 + 10 * DAY,
          endedAt: sub.periodEnd,
        }),
        sub.periodEnd,
      ),
    );
    expect(await w.role(userId)).toBe('member');
    expect((await w.roleChanges(userId)).map((r) => `${r.before.role}→${r.after.role}`)).toEqual([
      'member→professional',
      'professional→member',
    ]);
    expect(await casesOf(w, 'sub_d')).toHaveLength(0);
    expect((await outboxOf(w, userId)).map((m) => m.template)).toEqual(['receipt']);
  });

  it('override to professional with expiry on a member → professional; expiry passes → member', async () => {
    await addUser(w.deps, 'u_e');
    w.clock.set(iso(T0));
    const { role } = await setRoleOverride(
      w.deps,
      { actorType: 'user', actorId: 'admin_1' },
      {
        userId: 'u_e',
        role: 'professional',
        reason: 'conference speaker',
        expiresAt: new Date(iso(T0 + 3 * DAY)),
      },
    );
    expect(role).toMatchObject({ before: 'member', after: 'professional', changed: true });
    expect(await w.role('u_e')).toBe('professional');
    expect(await expireRoleOverrides(w.deps, new Date(iso(T0 + 3 * DAY - 1)))).toEqual({
      expired: 0,
      roleChanges: 0,
    });
    expect(await expireRoleOverrides(w.deps, new Date(iso(T0 + 3 * DAY)))).toEqual({
      expired: 1,
      roleChanges: 1,
    });
    expect(await expireRoleOverrides(w.deps, new Date(iso(T0 + 4 * DAY)))).toEqual({
      expired: 0,
      roleChanges: 0,
    });
    expect(await w.role('u_e')).toBe('member');
    const rows = await w.roleChanges('u_e');
    expect(rows.map((r) => [r.actor_type, r.actor_id, r.before.role, r.after.role, r.reason])).toEqual([
      ['user', 'admin_1', 'member', 'professional', 'conference speaker'],
      ['job', 'roles.override-expiry', 'professional', 'member', null],
    ]);
    const actions = await w.q<{ action: string }>(
      `SELECT action FROM audit_log WHERE subject_id = 'u_e' ORDER BY id`,
    );
    expect(actions.map((a) => a.action)).toEqual([
      'user.role_changed',
      'role_override.set',
      'user.role_changed',
      'role_override.expired',
    ]);
  });

  it('admin users are untouched by billing and cannot be overridden', async () => {
    await addUser(w.deps, 'u_f', { role: 'admin' });
    await w.applyEach(event('customer.created', customerObject('cus_f', 'u_f'), T0));
    const sub = {
      id: 'sub_f',
      customer: 'cus_f',
      price: PRICES.enterprise,
      periodStart: T0,
      periodEnd: T0 + 30 * DAY,
    };
    await w.applyEach(
      event('customer.subscription.created', subscriptionObject({ ...sub, status: 'active' }), T0 + 1),
      event(
        'customer.subscription.deleted',
        subscriptionObject({ ...sub, status: 'canceled', endedAt: T0 + 2, canceledAt: T0 + 2 }),
        T0 + 2,
      ),
    );
    expect(await w.role('u_f')).toBe('admin');
    expect(await w.roleChanges('u_f')).toHaveLength(0);
    await expect(
      setRoleOverride(
        w.deps,
        { actorType: 'user', actorId: 'admin_1' },
        { userId: 'u_f', role: 'member', reason: 'x' },
      ),
    ).rejects.toMatchObject({ code: 'staff_role', status: 409 });
  });
});
