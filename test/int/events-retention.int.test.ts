/**
 * Inbox payload retention (issue 18, growth; src/inbox/retention/prune-event-payloads.ts): which rows lose their
 * payload, in bounded batches; a redelivery of a pruned event is still a duplicate; replay answers 410
 * `event_payload_pruned`; the admin detail and log show the pruning; tie evidence falls back to the event's type.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tieEvidence } from '../../src/billing/mirror/tie-evidence.js';
import { FakeClock } from '../../src/clock.js';
import { pruneEventPayloads } from '../../src/inbox/retention/prune-event-payloads.js';
import { jobDefinitions } from '../../src/jobs/registry.js';
import { fixture } from '../story/index.js';
import { storyApp, type StoryApp } from '../story/app.js';
import { seedFixtureCatalogue } from '../story/world.js';

let h: StoryApp;
const NOW = new Date('2026-11-01T00:00:00Z');
const CREATED_EVENT = 'evt_1sx1RqEmU8dAtAGLL3yIa4u9'; // customer.created, created 2026-08-03T09:00:00Z

beforeAll(async () => {
  h = await storyApp({
    label: 'events-retention',
    clock: new FakeClock(NOW),
    adminKey: 'events-retention-admin-key-0123456789',
    startQueue: true,
  });
  await seedFixtureCatalogue(h.deps.db);
});
afterAll(() => h.close());

const row = async (id: string) =>
  (
    await h.q(
      `SELECT id, type, status, ordering_key, object_id, created_at, received_at, payload IS NULL AS pruned,
              payload_pruned_at
       FROM stripe_events WHERE id = $1`,
      [id],
    )
  )[0];

describe('a delivered event past its retention', () => {
  it('is applied, then pruned once received more than N days ago (not before)', async () => {
    h.clock.set('2026-08-03T09:00:05Z');
    expect((await h.post(fixture<Stripe.Event>('event.customer.created'))).statusCode).toBe(200);
    expect((await h.drainOutcomes()).map((o) => [o.eventId, o.status])).toEqual([
      [CREATED_EVENT, 'processed'],
    ]);
    h.clock.set(NOW);
    // received 2026-08-03T09:00:05Z; the 90-day cutoff of 2026-11-01 is 2026-08-03T00:00:00Z: kept
    expect(await pruneEventPayloads(h.deps.db, { retentionDays: 90, now: NOW })).toBe(0);
    expect(
      await pruneEventPayloads(h.deps.db, { retentionDays: 0, now: new Date('2027-11-01T00:00:00Z') }),
    ).toBe(0);
    const later = new Date('2026-11-15T00:00:00Z');
    expect(await pruneEventPayloads(h.deps.db, { retentionDays: 90, now: later })).toBe(1);
    expect(await row(CREATED_EVENT)).toEqual({
      id: CREATED_EVENT,
      type: 'customer.created',
      status: 'processed',
      ordering_key: 'cus_RrHuoIQciTfbbe',
      object_id: 'cus_RrHuoIQciTfbbe',
      created_at: new Date('2026-08-03T09:00:00Z'),
      received_at: new Date('2026-08-03T09:00:05Z'),
      pruned: true,
      payload_pruned_at: later,
    });
  });

  it('a redelivery of the pruned event is still a duplicate: 200, nothing stored or queued', async () => {
    const res = await h.post(fixture<Stripe.Event>('event.customer.created'));
    expect([res.statusCode, res.json()]).toEqual([200, { received: true, duplicate: true }]);
    expect(await h.q(`SELECT count(*)::int AS n FROM stripe_events WHERE id = $1`, [CREATED_EVENT])).toEqual([
      { n: 1 },
    ]);
    expect(await h.drainOutcomes()).toEqual([]);
    expect(await row(CREATED_EVENT)).toMatchObject({ status: 'processed', pruned: true });
  });

  it('replay answers 410 event_payload_pruned and changes nothing', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/admin/events/${CREATED_EVENT}/replay`,
      headers: h.admin,
    });
    expect([res.statusCode, res.json().error.code]).toEqual([410, 'event_payload_pruned']);
    expect(
      await h.q(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'stripe_event.replay'`),
    ).toEqual([{ n: 0 }]);
    expect(await row(CREATED_EVENT)).toMatchObject({ status: 'processed', pruned: true });
  });

  it('the admin detail and the log say when the payload was pruned', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/admin/events/${CREATED_EVENT}`,
      headers: h.admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: CREATED_EVENT,
      status: 'processed',
      payload: null,
      payloadPrunedAt: '2026-11-15T00:00:00.000Z',
    });
    const list = await h.app.inject({ method: 'GET', url: '/api/admin/events', headers: h.admin });
    expect(
      list.json().items.map((e: { id: string; payloadPrunedAt: string | null }) => [e.id, e.payloadPrunedAt]),
    ).toEqual([[CREATED_EVENT, '2026-11-15T00:00:00.000Z']]);
  });

  it('tie evidence of a pruned event is its type alone (no previous_attributes): the next rule decides', async () => {
    const at = new Date('2026-08-03T09:00:00Z');
    expect(
      await tieEvidence(
        h.deps.db,
        { stripeVersionAt: at, stripeEventId: CREATED_EVENT },
        { at, eventId: 'evt_x' },
      ),
    ).toEqual({ created: true, previous: null });
  });
});

describe('pruneEventPayloads', () => {
  // received_at, oldest first; the 90-day cutoff of NOW is 2026-08-03T00:00:00Z (strictly before it is pruned)
  const ROWS: [id: string, type: string, status: string, receivedAt: string][] = [
    ['evt_r01_processed', 'invoice.paid', 'processed', '2026-06-01T00:00:00Z'],
    ['evt_r02_stale', 'customer.updated', 'stale', '2026-06-02T00:00:00Z'],
    ['evt_r03_ignored', 'invoice.paid', 'ignored', '2026-06-03T00:00:00Z'],
    ['evt_r04_skipped', 'product.created', 'skipped', '2026-06-04T00:00:00Z'],
    ['evt_r05_pending', 'invoice.paid', 'pending', '2026-06-05T00:00:00Z'],
    ['evt_r06_parked', 'invoice.paid', 'parked', '2026-06-06T00:00:00Z'],
    ['evt_r07_failed', 'invoice.paid', 'failed', '2026-06-07T00:00:00Z'],
    ['evt_r08_subscription', 'customer.subscription.updated', 'processed', '2026-06-08T00:00:00Z'],
    ['evt_r09_subscription_stale', 'customer.subscription.updated', 'stale', '2026-06-09T00:00:00Z'],
    ['evt_r10_just_before', 'invoice.paid', 'processed', '2026-08-02T23:59:59Z'],
    ['evt_r11_at_cutoff', 'invoice.paid', 'processed', '2026-08-03T00:00:00Z'],
    ['evt_r12_recent', 'invoice.paid', 'processed', '2026-10-01T00:00:00Z'],
  ];

  beforeAll(async () => {
    for (const [id, type, status, receivedAt] of ROWS) {
      const created = new Date(new Date(receivedAt).getTime() - 2000);
      const payload = {
        id,
        type,
        created: created.getTime() / 1000,
        data: {
          object: { id: `obj_${id}`, status: 'active', cancel_at_period_end: false },
          previous_attributes: { email: 'before@example.com' },
        },
      };
      await h.q(
        `INSERT INTO stripe_events (id, type, livemode, created_at, ordering_key, object_id, payload, received_at,
                                    status, available_at)
         VALUES ($1, $2, false, $3, 'cus_retention', $4, $5::json, $6, $7, '2099-01-01T00:00:00Z')`,
        [id, type, created, `obj_${id}`, JSON.stringify(payload), receivedAt, status],
      );
    }
  });

  const state = async () =>
    (
      await h.q<{ id: string; pruned: boolean; status: string }>(
        `SELECT id, payload IS NULL AS pruned, status FROM stripe_events WHERE ordering_key = 'cus_retention'
         ORDER BY id`,
      )
    ).map((r) => `${r.id} ${r.status} ${r.pruned ? 'pruned' : 'kept'}`);

  it('prunes only done, non-subscription events received before the cutoff, in bounded batches', async () => {
    // one batch of 2: the two oldest prunable rows
    expect(
      await pruneEventPayloads(h.deps.db, { retentionDays: 90, now: NOW, batchSize: 2, maxBatches: 1 }),
    ).toBe(2);
    expect(
      (
        await h.q<{
          id: string;
        }>(`SELECT id FROM stripe_events WHERE payload IS NULL AND ordering_key = 'cus_retention'
                                  ORDER BY id`)
      ).map((r) => r.id),
    ).toEqual(['evt_r01_processed', 'evt_r02_stale']);
    // the rest, batches of 2 until one comes back short
    expect(await pruneEventPayloads(h.deps.db, { retentionDays: 90, now: NOW, batchSize: 2 })).toBe(3);
    expect(await state()).toEqual([
      'evt_r01_processed processed pruned',
      'evt_r02_stale stale pruned',
      'evt_r03_ignored ignored pruned',
      'evt_r04_skipped skipped pruned',
      'evt_r05_pending pending kept',
      'evt_r06_parked parked kept',
      'evt_r07_failed failed kept',
      'evt_r08_subscription processed kept',
      'evt_r09_subscription_stale stale kept',
      'evt_r10_just_before processed pruned',
      'evt_r11_at_cutoff processed kept',
      'evt_r12_recent processed kept',
    ]);
    expect(
      await h.q(
        `SELECT count(*)::int AS n FROM stripe_events WHERE (payload IS NULL) <> (payload_pruned_at IS NOT NULL)`,
      ),
    ).toEqual([{ n: 0 }]);
    // nothing left to do
    expect(await pruneEventPayloads(h.deps.db, { retentionDays: 90, now: NOW })).toBe(0);
  });

  it('a pruned event can never be queued again, nor a subscription event pruned (the table check)', async () => {
    await expect(
      h.q(`UPDATE stripe_events SET status = 'pending' WHERE id = 'evt_r01_processed'`),
    ).rejects.toMatchObject({ code: '23514', constraint: 'stripe_events_payload_check' });
    await expect(
      h.q(
        `UPDATE stripe_events SET payload = NULL, payload_pruned_at = now() WHERE id = 'evt_r08_subscription'`,
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'stripe_events_payload_check' });
    await expect(
      h.q(`UPDATE stripe_events SET payload = NULL, payload_pruned_at = now() WHERE id = 'evt_r07_failed'`),
    ).rejects.toMatchObject({ code: '23514', constraint: 'stripe_events_payload_check' });
  });

  it('tie evidence before and after pruning', async () => {
    const at = new Date('2026-10-01T00:00:00Z');
    await h.q(`UPDATE stripe_events SET type = 'customer.updated' WHERE id = 'evt_r12_recent'`);
    const evidence = () =>
      tieEvidence(
        h.deps.db,
        { stripeVersionAt: at, stripeEventId: 'evt_r12_recent' },
        { at, eventId: 'evt_y' },
      );
    expect(await evidence()).toEqual({ created: false, previous: { email: 'before@example.com' } });
    expect(
      await pruneEventPayloads(h.deps.db, { retentionDays: 31, now: new Date('2026-11-02T00:00:01Z') }),
    ).toBe(2);
    expect(await evidence()).toEqual({ created: false, previous: null });
  });

  it('runs hourly as the singleton job inbox.prune-event-payloads', () => {
    expect(jobDefinitions.find((j) => j.name === 'inbox.prune-event-payloads')).toMatchObject({
      cron: '17 * * * *',
      policy: 'singleton',
    });
  });
});
