/**
 * Issue 5, docs/DESIGN.md §6 — grace periods that no event ends:
 * 1. The sweep's backstop: a past_due subscription with no open dunning case holds the user's role on a provisional
 *    grace (its last change + grace days). Here the renewal's payment recovered the case but the subscription's
 *    `active` update never arrived: once the provisional grace runs out the sweep lowers the role (audited, cause
 *    the job), opens no case and sends nothing; it does not touch a user whose role another subscription grants.
 * 2. A case opened from the subscription's past_due whose invoice's failure arrives later with an EARLIER failure
 *    time moves back to that failure: opened_at and grace_until = failure + 7 days, never forward; a reminder
 *    already sent stays sent (one "grace ending" mail).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped rows, asserted literally */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDunningSweep } from '../../../src/dunning/dunning.jobs.js';
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

let w: StoryWorld;
beforeAll(async () => {
  w = await storyWorld({
    label: 'dunning-grace-backstop',
    start: iso(T0),
    maxConnections: 8,
    catalogue: 'roles',
  });
});
afterAll(() => w.close());

const R = T0 + 60 + 30 * DAY; // the renewal instant
const NOTHING = { reminded: 0, lost: 0, recovered: 0, downgraded: 0 };

/** A paying user (first invoice paid, active) and builders for the renewal's events. */
async function payingUser(n: string, latestInvoice: boolean) {
  const userId = `u_${n}`;
  const cus = `cus_${n}`;
  const subId = `sub_${n}`;
  const renewal = `in_${n}2`;
  await addUser(w.deps, userId);
  const sub = (status: Stripe.Subscription.Status, periodStart: number, inv: string) =>
    subscriptionObject({
      id: subId,
      customer: cus,
      price: PRICES.pro,
      status,
      created: T0 + 60,
      periodStart,
      periodEnd: periodStart + 30 * DAY,
      latestInvoice: latestInvoice ? inv : null,
    });
  const invoice = (status: 'open' | 'paid', attempt: number, paidAt?: number) =>
    invoiceObject({
      id: renewal,
      customer: cus,
      subscription: subId,
      status,
      amountDue: 2900,
      attempt,
      created: R,
      paidAt,
    });
  await w.applyEach(
    event('customer.created', customerObject(cus, userId, { defaultPm: 'pm_1' }), T0),
    event('customer.subscription.created', sub('active', T0 + 60, `in_${n}1`), T0 + 60),
    event(
      'invoice.paid',
      invoiceObject({
        id: `in_${n}1`,
        customer: cus,
        subscription: subId,
        status: 'paid',
        amountDue: 2900,
        created: T0 + 60,
      }),
      T0 + 61,
    ),
  );
  return {
    userId,
    cus,
    subId,
    renewal,
    failed: (at: number, attempt = 1) => event('invoice.payment_failed', invoice('open', attempt), at),
    pastDue: (at: number) => event('customer.subscription.updated', sub('past_due', R, renewal), at),
    paid: (at: number) => event('invoice.paid', invoice('paid', 2, at), at),
  };
}

const casesOf = (stripeSub: string) =>
  w.q<any>(
    `SELECT d.* FROM dunning_cases d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE s.stripe_subscription_id = $1 ORDER BY d.opened_at`,
    [stripeSub],
  );
const templatesOf = async (userId: string) =>
  (
    await w.q<{ template: string }>(`SELECT template FROM outbox WHERE user_id = $1 ORDER BY created_at`, [
      userId,
    ])
  ).map((m) => m.template);
const sweep = (at: number, cus: string[]) =>
  runDunningSweep(w.deps, new Date(at * 1000), { stripeCustomerIds: cus });

describe('backstop: past_due with no open case, provisional grace over', () => {
  it('lowers the role when the provisional grace runs out, once, with the job as cause; no case, no mail', async () => {
    const s = await payingUser('bk', true);
    // The failure and past_due, then the retry pays: the case is recovered; the `active` update is lost.
    await w.applyEach(s.failed(R + 10), s.pastDue(R + 11), s.paid(R + 3 * DAY));
    const [c] = await casesOf(s.subId);
    expect(c.status).toBe('recovered');
    const [sub] = await w.q<any>(`SELECT status FROM subscriptions WHERE stripe_subscription_id = $1`, [
      s.subId,
    ]);
    expect(sub.status).toBe('past_due');
    expect(await w.role(s.userId)).toBe('professional');
    const mailBefore = await templatesOf(s.userId);

    // The provisional grace is the subscription's last change (R + 11) + 7 days, exclusive.
    expect(await sweep(R + 11 + 7 * DAY - 1, [s.cus])).toEqual(NOTHING);
    expect(await w.role(s.userId)).toBe('professional');
    const r = await sweep(R + 11 + 7 * DAY, [s.cus]);
    expect(r).toEqual({ ...NOTHING, backstop: 1 });
    expect(r.backstop).toBe(1);
    expect(await w.role(s.userId)).toBe('member');
    // Found once: the role is right now, the next run finds nothing.
    const again = await sweep(R + 11 + 8 * DAY, [s.cus]);
    expect(again).toEqual(NOTHING);
    expect(again.backstop).toBeUndefined();

    const rows = await w.roleChanges(s.userId);
    expect(rows.map((x) => [x.b, x.a])).toEqual([
      ['member', 'professional'],
      ['professional', 'member'],
    ]);
    expect(JSON.stringify(rows[1]!.cause)).toContain('dunning.sweep');
    expect(await casesOf(s.subId)).toHaveLength(1);
    expect(await templatesOf(s.userId)).toEqual(mailBefore);
  });

  it('leaves a user whose role another active subscription grants', async () => {
    const s = await payingUser('bk2', true);
    await w.applyEach(
      event(
        'customer.subscription.created',
        subscriptionObject({
          id: 'sub_bk2b',
          customer: s.cus,
          price: PRICES.pro,
          status: 'active',
          created: T0 + 120,
          periodStart: T0 + 120,
          periodEnd: T0 + 120 + 30 * DAY,
        }),
        T0 + 120,
      ),
    );
    await w.applyEach(s.failed(R + 10), s.pastDue(R + 11), s.paid(R + 3 * DAY));
    const r = await sweep(R + 11 + 7 * DAY, [s.cus]);
    expect(r.backstop).toBeUndefined();
    expect(await w.role(s.userId)).toBe('professional');
    expect((await w.roleChanges(s.userId)).map((x) => [x.b, x.a])).toEqual([['member', 'professional']]);
  });
});

describe("a case opened from past_due moves back to its invoice's earlier failure", () => {
  for (const latestInvoice of [true, false]) {
    it(`${latestInvoice ? 'with' : 'without'} latest_invoice: grace from the failure, never forward, reminder kept`, async () => {
      const s = await payingUser(latestInvoice ? 'mvl' : 'mvn', latestInvoice);
      const FAIL = R + 10;
      const PAST_DUE = R + 3600;
      await w.applyEach(s.pastDue(PAST_DUE));
      let [c] = await casesOf(s.subId);
      expect(c.opened_at.toISOString()).toBe(iso(PAST_DUE));
      expect(c.grace_until.toISOString()).toBe(iso(PAST_DUE + 7 * DAY));

      // The reminder goes (5 days after the past_due), before the failure event has arrived.
      const REMINDED = PAST_DUE + 5 * DAY;
      expect(await sweep(REMINDED, [s.cus])).toEqual({ ...NOTHING, reminded: 1 });

      // The first failure arrives now, saying it happened an hour before the past_due.
      w.clock.set(iso(REMINDED + 60));
      await w.applyEach(s.failed(FAIL));
      [c] = await casesOf(s.subId);
      expect(c.status).toBe('open');
      expect(c.stripe_invoice_id).toBe(s.renewal);
      expect(Number(c.amount_due_minor)).toBe(2900);
      expect(c.opened_at.toISOString()).toBe(iso(FAIL));
      expect(c.grace_until.toISOString()).toBe(iso(FAIL + 7 * DAY));
      expect(c.reminder_at.toISOString()).toBe(iso(FAIL + 5 * DAY));
      expect(c.reminder_sent_at.toISOString()).toBe(iso(REMINDED));

      // A later attempt's failure never moves it forward.
      await w.applyEach(s.failed(R + 2 * DAY, 2));
      [c] = await casesOf(s.subId);
      expect(c.opened_at.toISOString()).toBe(iso(FAIL));
      expect(c.grace_until.toISOString()).toBe(iso(FAIL + 7 * DAY));
      expect(await w.role(s.userId)).toBe('professional');

      // Grace ends 7 days after the failure (not after the past_due): lost, downgraded, told once.
      expect(await sweep(FAIL + 7 * DAY - 1, [s.cus])).toEqual(NOTHING);
      expect(await sweep(FAIL + 7 * DAY, [s.cus])).toEqual({ ...NOTHING, lost: 1, downgraded: 1 });
      expect(await w.role(s.userId)).toBe('member');
      [c] = await casesOf(s.subId);
      expect(c.status).toBe('lost');
      expect(c.lost_at.toISOString()).toBe(iso(FAIL + 7 * DAY));
      expect(await templatesOf(s.userId)).toEqual([
        'receipt',
        'payment_failed',
        'grace_ending',
        'downgraded',
      ]);
      w.clock.set(iso(T0));
    });
  }

  it('a failure that moves the grace into the past loses the case at once: role down, "downgraded" sent', async () => {
    const s = await payingUser('mvx', true);
    const FAIL = R + 10;
    const PAST_DUE = R + 3600;
    await w.applyEach(s.pastDue(PAST_DUE));
    // Arrives after the failure's grace (FAIL + 7 days) but inside the past_due's.
    w.clock.set(iso(FAIL + 7 * DAY + 100));
    await w.applyEach(s.failed(FAIL));
    const [c] = await casesOf(s.subId);
    expect(c.status).toBe('lost');
    expect(c.lost_reason).toBe('grace_expired');
    expect(c.grace_until.toISOString()).toBe(iso(FAIL + 7 * DAY));
    expect(c.lost_at.toISOString()).toBe(iso(FAIL + 7 * DAY + 100));
    expect(await w.role(s.userId)).toBe('member');
    expect(await templatesOf(s.userId)).toEqual(['receipt', 'payment_failed', 'downgraded']);
    expect(await sweep(FAIL + 7 * DAY + 200, [s.cus])).toEqual(NOTHING);
    expect((await w.roleChanges(s.userId)).map((x) => [x.b, x.a])).toEqual([
      ['member', 'professional'],
      ['professional', 'member'],
    ]);
    w.clock.set(iso(T0));
  });
});
