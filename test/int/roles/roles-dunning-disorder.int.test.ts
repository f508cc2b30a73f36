/**
 * Issue 5 regressions found by the shuffled-delivery property (shuffled-delivery-converges.int.test.ts) with roles (test/helpers/roles-oracle.ts): dunning under events
 * applied out of order must never leave a past_due subscription without an open case — the loader then grants a
 * provisional grace that no sweep ever ends, and the user keeps a paid role forever. Each test replays the exact
 * order in which the dispatcher applied a failing sample, then lets every grace run out.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers, asserted literally */
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
    label: 'roles-dunning-disorder',
    start: iso(T0),
    maxConnections: 8,
    catalogue: 'roles',
  });
});
afterAll(() => w.close());

const casesOf = (stripeSub: string) =>
  w.q<any>(
    `SELECT d.status, d.opened_at, d.grace_until, d.stripe_invoice_id, d.recovered_by, d.lost_reason
     FROM dunning_cases d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE s.stripe_subscription_id = $1 ORDER BY d.opened_at`,
    [stripeSub],
  );

function story(n: string) {
  const cus = `cus_${n}`;
  const sub = (status: 'active' | 'past_due', latestInvoice: string | null = null) =>
    subscriptionObject({
      id: `sub_${n}`,
      customer: cus,
      price: PRICES.pro,
      status,
      created: T0 + 100,
      periodStart: T0 + 100,
      periodEnd: T0 + 100 + 30 * DAY,
      latestInvoice,
    });
  const invoice = (id: string, status: 'open' | 'paid', created: number, paidAt?: number) =>
    invoiceObject({
      id: `in_${n}${id}`,
      customer: cus,
      subscription: `sub_${n}`,
      status,
      amountDue: 2900,
      created,
      paidAt,
    });
  return { cus, sub, invoice, user: `u_${n}` };
}

describe('roles under dunning with events out of order (regressions the shuffled-delivery property found)', () => {
  it('an older invoice paid late does not recover the case opened from a later past_due (seed 2147483634, path 77)', async () => {
    // The sample: active from T0+101 (invoice 0 paid), renewal invoice 1 fails at T0+189421, past_due at T0+189422.
    // Chunk 1 held the failure and the past_due (both before the subscription was known); chunk 2 the first payment.
    const s = story('late_paid');
    await addUser(w.deps, s.user);
    const failAt = T0 + 189_421;
    await w.applyEach(
      event('customer.created', customerObject(s.cus, s.user), T0),
      event('invoice.payment_failed', s.invoice('1', 'open', failAt - 1), failAt),
      event('customer.subscription.updated', s.sub('past_due'), failAt + 1),
    );
    expect(await w.role(s.user)).toBe('professional');
    const second = await w.applyEach(
      event('invoice.paid', s.invoice('0', 'paid', T0 + 100, T0 + 101), T0 + 101),
      event('customer.subscription.created', s.sub('active'), T0 + 101),
    );
    expect(second.map((r) => r.status)).toEqual(['processed', 'stale']);
    // Invoice 0 was paid before this episode began: the case is still open, its grace from the past_due.
    expect(await casesOf(`sub_${s.cus.slice(4)}`)).toEqual([
      {
        status: 'open',
        opened_at: new Date(iso(failAt + 1)),
        grace_until: new Date(iso(failAt + 1 + 7 * DAY)),
        stripe_invoice_id: null,
        recovered_by: null,
        lost_reason: null,
      },
    ]);
    expect(await w.role(s.user)).toBe('professional');

    await runDunningSweep(w.deps, new Date(iso(failAt + 1 + 7 * DAY)), { stripeCustomerIds: [s.cus] });
    expect(await w.role(s.user)).toBe('member');
    expect((await casesOf(`sub_${s.cus.slice(4)}`)).map((c: any) => [c.status, c.lost_reason])).toEqual([
      ['lost', 'grace_expired'],
    ]);
    expect((await w.roleChanges(s.user)).map((r) => [r.b, r.a])).toEqual([
      ['member', 'professional'],
      ['professional', 'member'],
    ]);
  });

  it('a later failure noted on the open case gets its own case when the earlier invoice is paid late', async () => {
    // Stripe's order: invoice 1 fails (T1), past_due; invoice 1 paid (T2), active; invoice 2 fails (T3), past_due.
    // Applied: both failures and the final past_due first, then invoice 1's payment and the stale active.
    const s = story('refail');
    await addUser(w.deps, s.user);
    const t1 = T0 + 30 * DAY;
    const t2 = t1 + 2 * DAY;
    const t3 = t2 + 20 * DAY;
    await w.applyEach(
      event('customer.created', customerObject(s.cus, s.user), T0),
      event('customer.subscription.created', s.sub('active'), T0 + 100),
      event('invoice.payment_failed', s.invoice('1', 'open', t1 - 1), t1),
      event('invoice.payment_failed', s.invoice('2', 'open', t3 - 1), t3),
      event('customer.subscription.updated', s.sub('past_due'), t3 + 1),
    );
    const late = await w.applyEach(
      event('invoice.paid', s.invoice('1', 'paid', t1 - 1, t2), t2),
      event('customer.subscription.updated', s.sub('active'), t2 + 1),
    );
    expect(late.map((r) => r.status)).toEqual(['processed', 'stale']);
    expect(await casesOf('sub_refail')).toEqual([
      {
        status: 'recovered',
        opened_at: new Date(iso(t1)),
        grace_until: new Date(iso(t1 + 7 * DAY)),
        stripe_invoice_id: 'in_refail1',
        recovered_by: 'stripe_retry',
        lost_reason: null,
      },
      {
        status: 'open',
        opened_at: new Date(iso(t3)),
        grace_until: new Date(iso(t3 + 7 * DAY)),
        stripe_invoice_id: 'in_refail2',
        recovered_by: null,
        lost_reason: null,
      },
    ]);
    expect(await w.role(s.user)).toBe('professional');

    await runDunningSweep(w.deps, new Date(iso(t3 + 7 * DAY)), { stripeCustomerIds: [s.cus] });
    expect(await w.role(s.user)).toBe('member');
    // The history tells what was known when: at the past_due after the second failure (T3 + 1) the first failure's grace had run out as
    // far as anyone knew → member; the late payment shows T3 began a new episode, still in grace → professional;
    // that grace runs out → member. Each row a real change, each from a different cause.
    expect((await w.roleChanges(s.user)).map((r) => [r.b, r.a, r.by])).toEqual([
      ['member', 'professional', 'customer.subscription.created'],
      ['professional', 'member', 'customer.subscription.updated'],
      ['member', 'professional', 'invoice.paid'],
      ['professional', 'member', 'dunning.sweep'],
    ]);
  });
});
