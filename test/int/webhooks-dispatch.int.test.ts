/**
 * The dispatcher behind the real endpoint (buildApp) with the real handlers: duplicates and double processing
 * (docs/RELIABILITY.md 8, 18), types that never reach a handler (9), an unknown price (10), parking with backoff into a
 * counted billing error, per-key ordering, and the admin events log / replay / billing-error endpoints.
 */
import { sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import type { HandlerMap } from '../../src/inbox/webhooks/types.js';
import { event, fixture, IDS, postWebhook, signatureHeader } from '../story/index.js';
import { storyApp, type StoryApp } from '../story/app.js';
import { seedFixtureCatalogue } from '../story/world.js';

let h: StoryApp;
const ev = (name: string) => fixture<Stripe.Event>(`event.${name}`);
const n = async (table: string, where = 'true', params: unknown[] = []) =>
  Number((await h.q<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${where}`, params))[0]?.n);
/** Issue 5: the user's role and how many role-change audit rows it has. */
const roleOf = async (userId: string) => ({
  role: (await h.q<{ role: string }>('SELECT role FROM users WHERE id = $1', [userId]))[0]?.role,
  changes: await n('audit_log', `action = 'user.role_changed' AND subject_id = $1`, [userId]),
});
const statusOf = async (id: string) =>
  (
    await h.q<{ status: string; attempts: number }>(
      'SELECT status, attempts FROM stripe_events WHERE id = $1',
      [id],
    )
  )[0];

/** A Stripe customer object linked (metadata.user_id) to a new verified user of its own. */
async function linkedCustomer(
  id: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const userId = `user_${id}`;
  const email = `${id}@example.com`;
  await h.q(`INSERT INTO users (id, name, email, email_verified) VALUES ($1, $2, $3, true)`, [
    userId,
    id,
    email,
  ]);
  return {
    ...fixture<Record<string, unknown>>('object.customer'),
    id,
    email,
    metadata: { user_id: userId },
    ...extra,
  };
}

beforeAll(async () => {
  h = await storyApp({
    label: 'webhooks-dispatch',
    adminKey: 'pipeline-admin-key-0123456789abcdefghij',
    startQueue: true,
  });
  await seedFixtureCatalogue(h.deps.db);
});
afterAll(() => h.close());

describe('dispatching stored events', () => {
  it('applies a delivered event once and marks it processed', async () => {
    expect((await h.post(ev('customer.created'))).statusCode).toBe(200);
    const out = await h.drainOutcomes();
    expect(out.map((o) => [o.eventId, o.status])).toEqual([['evt_1sx1RqEmU8dAtAGLL3yIa4u9', 'processed']]);
    expect(await n('customers', 'user_id = $1', ['user_42'])).toBe(1);
    expect(await statusOf('evt_1sx1RqEmU8dAtAGLL3yIa4u9')).toEqual({ status: 'processed', attempts: 1 });
  });

  it('R8 a captured delivery replayed after it was applied: 200, nothing queued, no second effect', async () => {
    const body = JSON.stringify(ev('customer.updated'));
    const signature = signatureHeader(body, Math.floor(h.clock.now().getTime() / 1000));
    const first = await postWebhook(h.app, body, { at: h.clock.now(), signature });
    expect((await h.drainOutcomes()).length).toBe(1);
    const audits = await n('audit_log', `actor_type = 'stripe'`);
    h.clock.advance(120_000);
    const again = await postWebhook(h.app, body, { at: h.clock.now(), signature });
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(again.json()).toEqual({ received: true, duplicate: true });
    expect(await h.drainOutcomes()).toEqual([]);
    expect(await n('audit_log', `actor_type = 'stripe'`)).toBe(audits);
    expect(await n('stripe_events', 'id = $1', ['evt_15EoRqEmU8dAtA6YQr6SK0OV'])).toBe(1);
  });

  it('R18 an event processed a second time after its effects committed (a lost ack): no second effect', async () => {
    await h.post(ev('customer.subscription.created'));
    expect((await h.drainOutcomes()).map((o) => o.status)).toEqual(['processed']);
    // The subscription made the fixture's user professional: one role change.
    expect(await roleOf('user_42')).toEqual({ role: 'professional', changes: 1 });
    const before = {
      audits: await n('audit_log', `actor_type = 'stripe'`),
      movements: await n('mrr_movements'),
      subs: await h.q('SELECT status, mrr_minor, stripe_version_at FROM subscriptions'),
    };
    // The queue forgets it was done (what a worker dying between the effect and the ack looks like to a queue):
    await h.q(`UPDATE stripe_events SET status = 'pending' WHERE id = 'evt_1Sw0RqEmU8dAtAYY5BSw80gG'`);
    const again = await h.drainOutcomes();
    expect(again.map((o) => [o.eventId, o.status])).toEqual([['evt_1Sw0RqEmU8dAtAYY5BSw80gG', 'stale']]);
    expect(await n('audit_log', `actor_type = 'stripe'`)).toBe(before.audits);
    expect(await n('mrr_movements')).toBe(before.movements);
    expect(await h.q('SELECT status, mrr_minor, stripe_version_at FROM subscriptions')).toEqual(before.subs);
    expect(await roleOf('user_42')).toEqual({ role: 'professional', changes: 1 });
  });

  it('R18 two workers draining the same events at once: each event applied exactly once', async () => {
    const customers = Array.from({ length: 6 }, (_, i) => `cus_r18_${i}`);
    for (const [i, id] of customers.entries()) {
      const c = await linkedCustomer(id);
      await h.post(event('customer.created', c, 1785750000 + i, { id: `evt_r18_a${i}` }));
      await h.post(
        event('customer.updated', { ...c, name: `Name ${i}` }, 1785750100 + i, { id: `evt_r18_b${i}` }),
      );
    }
    const [a, b] = await Promise.all([h.drainOutcomes({ batchSize: 2 }), h.drainOutcomes({ batchSize: 2 })]);
    const ids = [...a!, ...b!].map((o) => o.eventId).sort();
    expect(ids).toEqual(
      [...customers.map((_, i) => `evt_r18_a${i}`), ...customers.map((_, i) => `evt_r18_b${i}`)].sort(),
    );
    expect(await n('audit_log', `actor_type = 'stripe' AND actor_id LIKE 'evt_r18_%'`)).toBe(12);
    expect(await h.q(`SELECT name FROM customers WHERE stripe_customer_id = 'cus_r18_3'`)).toEqual([
      { name: 'Name 3' },
    ]);
    // Customer events alone never change a role.
    for (const id of customers) expect(await roleOf(`user_${id}`)).toEqual({ role: 'member', changes: 0 });
  });

  it('R9 an unhandled type and a livemode mismatch are stored and never reach a handler', async () => {
    await h.post({
      ...ev('customer.updated'),
      id: 'evt_r9_unknown',
      type: 'issuing_card.created',
    } as unknown as Stripe.Event);
    await h.post({ ...ev('customer.updated'), id: 'evt_r9_live', livemode: true, created: 1799999999 });
    expect(await h.drainOutcomes()).toEqual([]);
    expect(
      await h.q(`SELECT id, status, note, attempts FROM stripe_events WHERE id LIKE 'evt_r9_%' ORDER BY id`),
    ).toEqual([
      { id: 'evt_r9_live', status: 'ignored', note: 'livemode_mismatch', attempts: 0 },
      { id: 'evt_r9_unknown', status: 'skipped', note: 'no_handler', attempts: 0 },
    ]);
    expect(await h.q(`SELECT name FROM customers WHERE stripe_customer_id = $1`, [IDS.customer])).toEqual([
      { name: 'Jenny Rosen' },
    ]);
  });

  it('R10 a subscription to a price that is not in the catalogue: no role granted, a billing error is raised', async () => {
    const cust = await linkedCustomer('cus_r10');
    const s = fixture<{ items: { data: { price: Record<string, unknown> }[] } } & Record<string, unknown>>(
      'object.subscription.active',
    );
    const item = s.items.data[0]!;
    item.price = { ...item.price, id: 'price_not_in_catalogue' };
    await h.post(event('customer.created', cust, 1785760000, { id: 'evt_r10_c' }));
    await h.post(
      event('customer.subscription.created', { ...s, id: 'sub_r10', customer: 'cus_r10' }, 1785760001, {
        id: 'evt_r10_s',
      }),
    );
    await h.drainOutcomes({ maxAttempts: 2 });
    h.clock.advance(60_000);
    await h.drainOutcomes({ maxAttempts: 2 });
    expect(await h.q(`SELECT role FROM users WHERE id = 'user_cus_r10'`)).toEqual([{ role: 'member' }]);
    const errors = await h.q<{ subject: string; status: string }>(
      `SELECT subject, status FROM billing_errors WHERE subject LIKE '%price_not_in_catalogue%' OR message LIKE '%price_not_in_catalogue%'`,
    );
    expect(errors.length).toBe(1);
    expect(errors[0]!.status).toBe('open');
  });
});

describe('parking, backoff and billing errors', () => {
  const subFor = (customer: string, id: string) => ({
    ...fixture<Record<string, unknown>>('object.subscription.active'),
    id,
    customer,
  });

  it('an event for an unknown customer is parked with backoff, then failed into ONE open billing error that counts occurrences', async () => {
    await h.post(
      event('customer.subscription.created', subFor('cus_unknown_1', 'sub_u1'), 1785770000, {
        id: 'evt_park_1',
      }),
    );
    let out = await h.drainOutcomes({ maxAttempts: 3 });
    expect(out.map((o) => [o.eventId, o.status])).toEqual([['evt_park_1', 'parked']]);
    const row = async () =>
      (
        await h.q<{ status: string; attempts: number; available_at: Date; last_error: string }>(
          `SELECT status, attempts, available_at, last_error FROM stripe_events WHERE id = 'evt_park_1'`,
        )
      )[0]!;
    expect(await row()).toMatchObject({
      status: 'parked',
      attempts: 1,
      available_at: new Date(h.clock.now().getTime() + 30_000),
    });
    expect((await row()).last_error).toContain('unknown_customer');
    expect(await h.drainOutcomes({ maxAttempts: 3 })).toEqual([]); // not due yet
    h.clock.advance(30_000);
    out = await h.drainOutcomes({ maxAttempts: 3 });
    expect(out.map((o) => o.status)).toEqual(['parked']);
    expect(await row()).toMatchObject({
      attempts: 2,
      available_at: new Date(h.clock.now().getTime() + 60_000),
    });
    h.clock.advance(60_000);
    out = await h.drainOutcomes({ maxAttempts: 3 });
    expect(out.map((o) => o.status)).toEqual(['failed']);
    const errs = await h.q(
      `SELECT kind, subject, event_id, occurrences, status FROM billing_errors WHERE subject = 'cus_unknown_1'`,
    );
    expect(errs).toEqual([
      {
        kind: 'unknown_customer',
        subject: 'cus_unknown_1',
        event_id: 'evt_park_1',
        occurrences: 1,
        status: 'open',
      },
    ]);

    // A second event for the same missing customer counts up the same error.
    await h.post(
      event('customer.subscription.updated', subFor('cus_unknown_1', 'sub_u1'), 1785770100, {
        id: 'evt_park_2',
      }),
    );
    for (const ms of [0, 30_000, 60_000]) {
      h.clock.advance(ms);
      await h.drainOutcomes({ maxAttempts: 3 });
    }
    expect(
      await h.q(`SELECT event_id, occurrences FROM billing_errors WHERE subject = 'cus_unknown_1'`),
    ).toEqual([{ event_id: 'evt_park_2', occurrences: 2 }]);
    expect(await h.q(`SELECT id, status FROM stripe_events WHERE id LIKE 'evt_park_%' ORDER BY id`)).toEqual([
      { id: 'evt_park_1', status: 'failed' },
      { id: 'evt_park_2', status: 'failed' },
    ]);
  });

  it('admin retry puts the failed events back; once the customer exists they apply in created order', async () => {
    const [err] = await h.q<{ id: string }>(`SELECT id FROM billing_errors WHERE subject = 'cus_unknown_1'`);
    const list = await h.app.inject({
      method: 'GET',
      url: '/api/admin/errors?status=open',
      headers: h.admin,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.find((e: { id: string }) => e.id === err!.id)).toMatchObject({
      kind: 'unknown_customer',
      occurrences: 2,
      failedEvents: 2,
    });
    // The customer arrives (and is linked by metadata), then the admin retries.
    const c = await linkedCustomer('cus_unknown_1');
    await h.post(event('customer.created', c, 1785769000, { id: 'evt_park_c' }));
    expect((await h.drainOutcomes()).map((o) => o.eventId)).toEqual(['evt_park_c']);
    const retry = await h.app.inject({
      method: 'POST',
      url: `/api/admin/errors/${err!.id}/retry`,
      headers: h.admin,
      payload: { note: 'customer arrived' },
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({
      status: 'resolved',
      resolutionNote: 'customer arrived',
      requeuedEvents: 2,
    });
    expect((await h.drainOutcomes()).map((o) => [o.eventId, o.status])).toEqual([
      ['evt_park_1', 'processed'],
      ['evt_park_2', 'processed'],
    ]);
    expect(
      await n(
        'audit_log',
        `action = 'billing_error.retry' AND subject_id = $1 AND reason = 'customer arrived'`,
        [err!.id],
      ),
    ).toBe(1);
    const again = await h.app.inject({
      method: 'POST',
      url: `/api/admin/errors/${err!.id}/ignore`,
      headers: h.admin,
      payload: {},
    });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'billing_error_not_open']);
  });

  it('resolve and ignore close an open error with the note, audited', async () => {
    await h.post(
      event('customer.subscription.created', subFor('cus_unknown_2', 'sub_u2'), 1785780000, {
        id: 'evt_park_3',
      }),
    );
    await h.drainOutcomes({ maxAttempts: 1 });
    await h.post(
      event('customer.subscription.created', subFor('cus_unknown_3', 'sub_u3'), 1785780001, {
        id: 'evt_park_4',
      }),
    );
    await h.drainOutcomes({ maxAttempts: 1 });
    const [e2] = await h.q<{ id: string }>(`SELECT id FROM billing_errors WHERE subject = 'cus_unknown_2'`);
    const [e3] = await h.q<{ id: string }>(`SELECT id FROM billing_errors WHERE subject = 'cus_unknown_3'`);
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/admin/errors/${e2!.id}/resolve`,
      headers: h.admin,
      payload: { note: 'fixed by hand' },
    });
    const i = await h.app.inject({
      method: 'POST',
      url: `/api/admin/errors/${e3!.id}/ignore`,
      headers: h.admin,
      payload: { note: 'test customer' },
    });
    expect(r.json()).toMatchObject({
      status: 'resolved',
      resolutionNote: 'fixed by hand',
      resolvedBy: 'env:1',
      requeuedEvents: 0,
    });
    expect(i.json()).toMatchObject({ status: 'ignored', resolutionNote: 'test customer' });
    expect(await h.q(`SELECT status FROM stripe_events WHERE id IN ('evt_park_3', 'evt_park_4')`)).toEqual([
      { status: 'failed' },
      { status: 'failed' },
    ]);
    const ignored = await h.app.inject({
      method: 'GET',
      url: '/api/admin/errors?status=ignored',
      headers: h.admin,
    });
    expect(ignored.json().items.map((e: { subject: string }) => e.subject)).toEqual(['cus_unknown_3']);
    expect(
      await n(
        'audit_log',
        `action IN ('billing_error.resolve', 'billing_error.ignore') AND actor_type = 'api_key'`,
      ),
    ).toBe(2);
  });
});

describe('a batch applied together (its keys side by side on one pipelined connection)', () => {
  it('one event failing by a database error and one by a thrown error: the batch is rerun one by one, every other event applied once, nothing written outside it', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `cus_tog_${i}`);
    for (const [i, id] of ids.entries()) {
      const c = await linkedCustomer(id);
      await h.post(event('customer.created', c, 1785760000 + i, { id: `evt_tog_a${i}` }));
      await h.post(
        event('customer.updated', { ...c, name: `Together ${i}` }, 1785760100 + i, { id: `evt_tog_b${i}` }),
      );
    }
    const real = handlers['customer.updated'];
    const calls = new Map<string, number>();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // b9 is still busy when the others fail (they wait until it has started, in the first, optimistic pass): it is
    // let finish before the rollback, so its write cannot land outside the batch's transaction.
    let b9Started!: () => void;
    const b9Running = Promise.race([new Promise<void>((r) => (b9Started = r)), sleep(5000)]);
    const failing: HandlerMap = {
      ...handlers,
      'customer.updated': async (ctx) => {
        const id = ctx.event.id;
        const first = !calls.has(id);
        calls.set(id, (calls.get(id) ?? 0) + 1);
        if (id === 'evt_tog_b9') {
          if (first) b9Started();
          await sleep(50);
        }
        if ((id === 'evt_tog_b3' || id === 'evt_tog_b7') && first) await b9Running;
        // A statement PostgreSQL refuses: the transaction is aborted under every handler still running.
        if (id === 'evt_tog_b3') await ctx.tx.execute(sql`SELECT 1 / 0`);
        if (id === 'evt_tog_b7') throw new Error('handler refused');
        return real(ctx);
      },
    };
    const out = await h.drainOutcomes({ handlers: failing, batchSize: 32 });
    const status = Object.fromEntries(out.map((o) => [o.eventId, o.status]));
    for (const i of ids.keys()) {
      expect(status[`evt_tog_a${i}`]).toBe('processed');
      expect(status[`evt_tog_b${i}`]).toBe(i === 3 || i === 7 ? 'parked' : 'processed');
    }
    // The optimistic batch ran every event once, the rerun once more: the first try committed nothing.
    expect(calls.get('evt_tog_b9')).toBe(2);
    expect(await n('audit_log', `actor_type = 'stripe' AND actor_id LIKE 'evt_tog_%'`)).toBe(22);
    expect(await n('audit_log', `actor_type = 'stripe' AND actor_id = 'evt_tog_b9'`)).toBe(1);
    const names = await h.q<{ id: string; name: string }>(
      `SELECT stripe_customer_id AS id, name FROM customers WHERE stripe_customer_id LIKE 'cus_tog_%'`,
    );
    const nameOf = new Map(names.map((r) => [r.id, r.name]));
    for (const [i, id] of ids.entries()) {
      if (i === 3 || i === 7) expect(nameOf.get(id)).not.toMatch(/^Together/);
      else expect(nameOf.get(id)).toBe(`Together ${i}`);
    }
    expect(await statusOf('evt_tog_b3')).toEqual({ status: 'parked', attempts: 1 });
  });
});

describe('ordering', () => {
  it('events of one customer stored before a drain are applied in created order, whatever the arrival order', async () => {
    const c = await linkedCustomer('cus_order');
    await h.post(event('customer.updated', { ...c, name: 'Third' }, 1785790003, { id: 'evt_ord_3' }));
    await h.post(event('customer.updated', { ...c, name: 'Second' }, 1785790002, { id: 'evt_ord_2' }));
    await h.post(event('customer.created', { ...c, name: 'First' }, 1785790001, { id: 'evt_ord_1' }));
    const out = await h.drainOutcomes();
    expect(out.map((o) => [o.eventId, o.status])).toEqual([
      ['evt_ord_1', 'processed'],
      ['evt_ord_2', 'processed'],
      ['evt_ord_3', 'processed'],
    ]);
    expect(await h.q(`SELECT name FROM customers WHERE stripe_customer_id = 'cus_order'`)).toEqual([
      { name: 'Third' },
    ]);
  });
});

describe('admin events log', () => {
  it('lists events newest first with type/status filters and a cursor; refuses anonymous callers', async () => {
    const anon = await h.app.inject({ method: 'GET', url: '/api/admin/events' });
    expect(anon.statusCode).toBe(401);
    const p1 = await h.app.inject({
      method: 'GET',
      url: '/api/admin/events?type=customer.updated&limit=2',
      headers: h.admin,
    });
    expect(p1.statusCode).toBe(200);
    const all = await h.q<{ id: string }>(
      `SELECT id FROM stripe_events WHERE type = 'customer.updated' ORDER BY received_at DESC, id DESC`,
    );
    expect(p1.json().items.map((e: { id: string }) => e.id)).toEqual(all.slice(0, 2).map((r) => r.id));
    const p2 = await h.app.inject({
      method: 'GET',
      url: `/api/admin/events?type=customer.updated&limit=2&cursor=${p1.json().nextCursor}`,
      headers: h.admin,
    });
    expect(p2.json().items.map((e: { id: string }) => e.id)).toEqual(all.slice(2, 4).map((r) => r.id));
    const failed = await h.app.inject({
      method: 'GET',
      url: '/api/admin/events?status=failed',
      headers: h.admin,
    });
    expect(
      failed
        .json()
        .items.map((e: { id: string }) => e.id)
        .sort(),
    ).toEqual(['evt_park_3', 'evt_park_4']);
    const bad = await h.app.inject({ method: 'GET', url: '/api/admin/events?status=nope', headers: h.admin });
    expect(bad.statusCode).toBe(422);
  });

  it('shows one event with its payload; 404 for an unknown id', async () => {
    const one = await h.app.inject({
      method: 'GET',
      url: '/api/admin/events/evt_1sx1RqEmU8dAtAGLL3yIa4u9',
      headers: h.admin,
    });
    expect(one.json()).toMatchObject({
      id: 'evt_1sx1RqEmU8dAtAGLL3yIa4u9',
      type: 'customer.created',
      status: 'processed',
      orderingKey: IDS.customer,
      payload: { id: 'evt_1sx1RqEmU8dAtAGLL3yIa4u9', data: { object: { id: IDS.customer } } },
    });
    const missing = await h.app.inject({
      method: 'GET',
      url: '/api/admin/events/evt_nope',
      headers: h.admin,
    });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'event_not_found']);
  });

  it('replay of an applied event goes through the same handler, changes nothing, and is audited', async () => {
    const snapshot = () => h.q(`SELECT * FROM customers WHERE stripe_customer_id = $1`, [IDS.customer]);
    const before = await snapshot();
    const stripeAudits = await n('audit_log', `actor_type = 'stripe'`);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/admin/events/evt_15EoRqEmU8dAtA6YQr6SK0OV/replay',
      headers: h.admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'evt_15EoRqEmU8dAtA6YQr6SK0OV', replay: { status: 'stale' } });
    expect(await snapshot()).toEqual(before);
    expect(await n('audit_log', `actor_type = 'stripe'`)).toBe(stripeAudits);
    expect(
      await h.q(`SELECT actor_type, action, subject_id FROM audit_log WHERE action = 'stripe_event.replay'`),
    ).toEqual([
      { actor_type: 'api_key', action: 'stripe_event.replay', subject_id: 'evt_15EoRqEmU8dAtA6YQr6SK0OV' },
    ]);
  });

  it('replay of a failed event applies it; a livemode mismatch is refused', async () => {
    const c = await linkedCustomer('cus_unknown_2');
    await h.post(event('customer.created', c, 1785779000, { id: 'evt_replay_c' }));
    await h.drainOutcomes();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/admin/events/evt_park_3/replay',
      headers: h.admin,
    });
    expect(res.json()).toMatchObject({ status: 'processed', replay: { status: 'processed' } });
    expect(await n('subscriptions', `stripe_subscription_id = 'sub_u2'`)).toBe(1);
    const live = await h.app.inject({
      method: 'POST',
      url: '/api/admin/events/evt_r9_live/replay',
      headers: h.admin,
    });
    expect([live.statusCode, live.json().error.code]).toEqual([409, 'event_not_replayable']);
  });
});
