/**
 * Issue 5, the remaining pieces on the roles side (real Postgres, real handlers through the dispatcher's applyEvent):
 * - relinking a customer to another user — a newer customer.* event whose metadata.user_id names another user,
 *   reconciliation finding the same, a customer whose user was deleted linked again — recomputes the roles of BOTH users in the transaction that moves the customer,
 *   the relink in each audit row's cause chain; refused targets, stale and duplicate events change nothing;
 * - time travel judges same-second events by the mirror's rule (succession before status rank), so it agrees with
 *   the live mirror where rank alone would pick the wrong object;
 * - the migration: time_to_recover_seconds is bigint, and time travel's history scan uses its index.
 * Stripe is substituted (reconciliation) by an account answering with the objects given here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import {
  customerObject,
  DAY,
  event,
  eventId,
  invoiceObject,
  iso,
  PRICES,
  subscriptionObject,
  T0,
} from '../../story/index.js';
import { addUser, storyWorld, type StoryWorld } from '../../story/world.js';
import { billingStateAt } from '../../../src/accounts/roles/billing-state-at.js';
import { runDunningSweep } from '../../../src/dunning/dunning.jobs.js';
import { runSync } from '../../../src/inbox/reconcile/run-sync.js';
import { handlers } from '../../../src/inbox/webhooks/handlers/index.js';

let w: StoryWorld;
const R = T0 + 60 + 30 * DAY;

beforeAll(async () => {
  w = await storyWorld({
    label: 'relink-time-travel',
    start: iso(T0),
    maxConnections: 8,
    catalogue: 'roles',
  });
  w.clock.set(iso(T0 + 3600));
});
afterAll(() => w.close());

async function payingUser(userId: string, cus: string, sub: string) {
  await addUser(w.deps, userId);
  await w.applyEach(
    event('customer.created', customerObject(cus, userId), T0),
    event(
      'customer.subscription.created',
      subscriptionObject({
        id: sub,
        customer: cus,
        price: PRICES.pro,
        status: 'active',
        periodStart: T0 + 60,
        periodEnd: R,
      }),
      T0 + 60,
    ),
  );
}

/** customer.updated: the customer now names `userId` (the previous name in previous_attributes). */
const renamed = (cus: string, from: string, to: string, created: number, id?: string) =>
  event('customer.updated', customerObject(cus, to), created, {
    id: id ?? eventId('customer.updated'),
    previous_attributes: { metadata: { user_id: from } },
  });

const linkOf = async (cus: string) =>
  (
    await w.q<{ user_id: string | null }>(`SELECT user_id FROM customers WHERE stripe_customer_id = $1`, [
      cus,
    ])
  )[0]!.user_id;

/** A Stripe account for reconciliation: its lists, one page each. */
function stripeAccount(o: { customers?: object[] }): Stripe {
  const page = (data: object[]) => async () => ({ object: 'list', data, has_more: false });
  return {
    events: { list: page([]) },
    customers: { list: page(o.customers ?? []) },
    subscriptions: { list: page([]) },
    invoices: { list: page([]) },
  } as unknown as Stripe;
}

describe('relinking a customer recomputes both users in the same transaction', () => {
  it('customer.updated naming another user: old → member, new → professional, one audit row each, one transaction', async () => {
    await payingUser('u_old', 'cus_rl', 'sub_rl');
    await addUser(w.deps, 'u_new');
    // An open dunning case follows the customer to its new user.
    await w.applyEach(
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: 'in_rl2',
          customer: 'cus_rl',
          subscription: 'sub_rl',
          status: 'open',
          amountDue: 2900,
          created: T0 + 90,
        }),
        T0 + 90,
      ),
    );
    expect([await w.role('u_old'), await w.role('u_new')]).toEqual(['professional', 'member']);

    const move = renamed('cus_rl', 'u_old', 'u_new', T0 + 100, 'evt_relink_1');
    expect(await w.applyEach(move)).toMatchObject([{ status: 'processed' }]);
    expect(await linkOf('cus_rl')).toBe('u_new');
    expect([await w.role('u_old'), await w.role('u_new')]).toEqual(['member', 'professional']);

    const [customerId] = (
      await w.q<{ id: string }>(`SELECT id FROM customers WHERE stripe_customer_id = 'cus_rl'`)
    ).map((r) => r.id);
    const relink = {
      kind: 'customer_relink',
      customerId,
      stripeCustomerId: 'cus_rl',
      fromUserId: 'u_old',
      toUserId: 'u_new',
    };
    const old = await w.roleChanges('u_old');
    const fresh = await w.roleChanges('u_new');
    expect(old.map((r) => [r.b, r.a])).toEqual([
      ['member', 'professional'],
      ['professional', 'member'],
    ]);
    expect(fresh.map((r) => [r.b, r.a])).toEqual([['member', 'professional']]);
    for (const row of [old[1]!, fresh[0]!]) {
      expect(row.cause).toMatchObject({
        kind: 'stripe_event',
        eventId: 'evt_relink_1',
        type: 'customer.updated',
        chain: [{ kind: 'stripe_event', id: 'evt_relink_1', type: 'customer.updated' }, relink],
      });
    }
    // Both role changes and the event's own audit row were committed by one transaction.
    const [eventRow] = await w.q<{ xid: string }>(
      `SELECT xmin::text AS xid FROM audit_log WHERE actor_type = 'stripe' AND actor_id = 'evt_relink_1'`,
    );
    expect(new Set([old[1]!.xid, fresh[0]!.xid, eventRow!.xid]).size).toBe(1);
    expect(await w.q(`SELECT user_id, status FROM dunning_cases WHERE stripe_invoice_id = 'in_rl2'`)).toEqual(
      [{ user_id: 'u_new', status: 'open' }],
    );

    // The same event again, and an older one naming the first user: nothing moves, no audit row.
    await w.applyEach(move, renamed('cus_rl', 'u_new', 'u_old', T0 + 95));
    expect(await linkOf('cus_rl')).toBe('u_new');
    expect((await w.roleChanges('u_old')).length + (await w.roleChanges('u_new')).length).toBe(3);
  });

  it('a target that already has a customer, or does not exist, keeps the link (and the roles)', async () => {
    await payingUser('u_keep', 'cus_keep', 'sub_keep');
    await payingUser('u_busy', 'cus_busy', 'sub_busy');
    await w.applyEach(
      renamed('cus_keep', 'u_keep', 'u_busy', T0 + 200),
      renamed('cus_keep', 'u_keep', 'u_ghost', T0 + 201),
    );
    expect([await linkOf('cus_keep'), await linkOf('cus_busy')]).toEqual(['u_keep', 'u_busy']);
    expect([await w.role('u_keep'), await w.role('u_busy')]).toEqual(['professional', 'professional']);
    expect((await w.roleChanges('u_keep')).length + (await w.roleChanges('u_busy')).length).toBe(2);
  });

  it('reconciliation finding the customer under another user relinks it, the run in the cause chain', async () => {
    await addUser(w.deps, 'u_third');
    const listed = { ...customerObject('cus_rl', 'u_third'), created: T0 - DAY };
    const report = await runSync(
      { ...w.deps, stripe: stripeAccount({ customers: [listed] }) },
      { since: new Date((T0 - 2 * DAY) * 1000), handlers, trigger: 'test', resume: false },
    );
    expect(report.finished).toBe(true);
    expect(await linkOf('cus_rl')).toBe('u_third');
    expect([await w.role('u_new'), await w.role('u_third')]).toEqual(['member', 'professional']);
    const [lost] = (await w.roleChanges('u_new')).slice(-1);
    const [won] = await w.roleChanges('u_third');
    for (const row of [lost!, won!]) {
      expect(row.cause.chain).toEqual([
        { kind: 'job', name: 'billing.reconcile', jobId: null },
        { kind: 'reconcile_run', id: report.runId },
        expect.objectContaining({ kind: 'customer_relink', fromUserId: 'u_new', toUserId: 'u_third' }),
      ]);
    }
    expect(lost!.xid).toBe(won!.xid);
  });

  it('a customer whose user was deleted is linked again: only the new user is recomputed', async () => {
    await payingUser('u_gone', 'cus_heir', 'sub_heir');
    await w.q(`DELETE FROM users WHERE id = 'u_gone'`);
    expect(await linkOf('cus_heir')).toBe(null);
    await addUser(w.deps, 'u_heir');
    await w.applyEach(renamed('cus_heir', 'u_gone', 'u_heir', T0 + 300, 'evt_heir'));
    expect(await linkOf('cus_heir')).toBe('u_heir');
    expect(await w.role('u_heir')).toBe('professional');
    const rows = await w.roleChanges('u_heir');
    expect(rows.map((r) => [r.b, r.a, r.cause.chain[1].fromUserId, r.cause.chain[1].toUserId])).toEqual([
      ['member', 'professional', null, 'u_heir'],
    ]);
  });
});

describe('time travel and the live mirror agree on same-second events', () => {
  const S = R + 8 * DAY; // after the grace of the renewal failure: the case is lost

  /** Renewal fails at R+10, past_due at R+11, the grace runs out (member); then in ONE second S the customer
   *  updates the card (A: still past_due, the larger event id) and the retry succeeds (B: active, previous past_due). */
  async function story(u: string, order: 'A,B' | 'B,A') {
    w.clock.set(iso(T0 + 3600));
    const cus = `cus_${u}`;
    const sub = { id: `sub_${u}`, customer: cus, price: PRICES.pro, periodStart: R, periodEnd: R + 30 * DAY };
    await payingUser(u, cus, sub.id);
    await w.applyEach(
      event(
        'invoice.payment_failed',
        invoiceObject({
          id: `in_${u}2`,
          customer: cus,
          subscription: sub.id,
          status: 'open',
          amountDue: 2900,
          created: R,
        }),
        R + 10,
      ),
      event('customer.subscription.updated', subscriptionObject({ ...sub, status: 'past_due' }), R + 11),
    );
    await runDunningSweep(w.deps, new Date((R + 10 + 7 * DAY) * 1000));
    expect(await w.role(u)).toBe('member');
    const a = event('customer.subscription.updated', subscriptionObject({ ...sub, status: 'past_due' }), S, {
      id: `evt_tie_z_${u}`,
      previous_attributes: { default_payment_method: 'pm_old' },
    });
    const b = event('customer.subscription.updated', subscriptionObject({ ...sub, status: 'active' }), S, {
      id: `evt_tie_a_${u}`,
      previous_attributes: { status: 'past_due' },
    });
    w.clock.set(iso(S));
    await w.applyEach(...(order === 'A,B' ? [a, b] : [b, a]));
  }

  it.each([['A,B' as const], ['B,A' as const]])(
    'arrival order %s: both say active (rank alone says past_due)',
    async (order) => {
      const u = order === 'A,B' ? 'u_tie1' : 'u_tie2';
      await story(u, order);
      const [mirror] = await w.q<{ status: string; stripe_event_id: string }>(
        `SELECT status, stripe_event_id FROM subscriptions WHERE stripe_subscription_id = $1`,
        [`sub_${u}`],
      );
      expect(mirror).toEqual({ status: 'active', stripe_event_id: `evt_tie_a_${u}` });
      expect(await w.role(u)).toBe('professional');

      const state = await billingStateAt(w.deps, u, new Date((S + 30) * 1000));
      expect(state.entitledRole).toBe('professional');
      expect(state.subscriptions.map((s) => [s.status, s.from])).toEqual([
        ['active', { kind: 'event', eventId: `evt_tie_a_${u}`, eventCreatedAt: iso(S) }],
      ]);
      // Just before that second the subscription was past_due with its grace over.
      const before = await billingStateAt(w.deps, u, new Date((S - 1) * 1000));
      expect([before.entitledRole, before.subscriptions[0]!.status]).toEqual(['member', 'past_due']);
    },
  );
});

describe('migration', () => {
  it('time_to_recover_seconds is bigint (a span past int4 is stored)', async () => {
    const [col] = await w.q<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns
       WHERE table_name = 'dunning_cases' AND column_name = 'time_to_recover_seconds'`,
    );
    expect(col!.data_type).toBe('bigint');
    await w.q(
      `UPDATE dunning_cases SET time_to_recover_seconds = 4000000000 WHERE stripe_invoice_id = 'in_rl2'`,
    );
    const [c] = await w.q<{ t: number }>(
      `SELECT time_to_recover_seconds AS t FROM dunning_cases WHERE stripe_invoice_id = 'in_rl2'`,
    );
    expect(Number(c!.t)).toBe(4_000_000_000);
  });

  it("time travel's per-customer history scan uses stripe_events (ordering_key, created_at, id)", async () => {
    const client = await w.t.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query(
        `EXPLAIN SELECT object_id, id, created_at, payload FROM stripe_events
         WHERE ordering_key = $1 AND type LIKE 'customer.subscription.%' AND created_at <= $2 AND status <> 'ignored'
         ORDER BY created_at, id`,
        ['cus_tie1', new Date((R + 9 * DAY) * 1000)],
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('stripe_events_key_created_idx');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
