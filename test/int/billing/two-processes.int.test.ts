/**
 * Issue 4 acceptance (docs/RELIABILITY.md 11 across processes): two app processes, each with its HTTP ingest and its event
 * dispatcher (test/helpers/app-process.ts), on ONE database, receive the same stream shuffled and duplicated — each
 * delivery signed and POSTed to /webhooks/stripe of a random process, some duplicates to both at once — and end
 * with exactly the state of one process receiving the stream in order (another database), mrr_movements and the
 * role-change audit rows included (test/helpers/billing-snapshot.ts).
 *
 * Six customers (test/story/lifecycle.ts), so both processes' dispatchers (four loops each) contend for
 * the per-customer ordering keys. The stream is delivered in three rounds, one per day of the story:
 *  - `held` (day 1: failures, recoveries, upgrades): the round's deliveries in a random order, from 8 concurrent
 *    senders, while the test holds every customer's ordering key — as a busy worker would — so that all of them are
 *    stored before any is applied; then the keys go and both processes drain them.
 *  - `live` (day 0: sign-up and activation; day 2: cancellations, plus redeliveries of earlier days): applied as
 *    they arrive, customers interleaved and in parallel, duplicates anywhere after their first delivery.
 * Why not every round `live` with a customer's events in any order: an event applied after a later one of the same
 * customer is stale by design (docs/DESIGN.md §4) — the mirror rows converge, but the intermediate MRR movement or role
 * change that the in-order run records never happens, so the in-order history is only reachable when a customer's
 * events are applied in `created` order. That is what the dispatcher guarantees for the events stored when it
 * claims a customer, which `held` rounds exercise with a full shuffle.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { ORDERING_LOCK_CLASS } from '../../../src/inbox/webhooks/dispatch-event.js';
import { testDatabase, type TestDatabase } from '../../helpers/db.js';
import { deliverInOrder, startAppProcess, waitForDrain, type AppProcess } from '../../helpers/app-process.js';
import { billingSnapshot } from '../../helpers/billing-snapshot.js';
import { lifecycleStream, seedLifecycle, streamStart } from '../../story/lifecycle.js';
import { DAY } from '../../story/index.js';

import { prng } from '../../helpers/prng.js';

const SEED = 20261126;
const t0 = streamStart(Date.now());
const stream = lifecycleStream({ label: 'twoproc', customers: 6, t0 });
const ROUNDS = [
  { day: 0, mode: 'live' },
  { day: 1, mode: 'held' },
  { day: 2, mode: 'live' },
] as const;

const random = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** One delivery: an event to process 0, 1, or both at once. */
interface Delivery {
  event: Stripe.Event;
  to: 0 | 1 | 'both';
}
const customerOf = (e: Stripe.Event) => {
  const o = e.data.object as { object?: string; id?: string; customer?: string };
  return o.object === 'customer' ? o.id! : o.customer!;
};

/**
 * The round's deliveries: every event of the day 1-3 times (the first to one process, a copy to one or, one time
 * in four, to both at once), and one more copy of a third of the earlier days' events (Stripe retrying what was
 * already applied).
 */
function deliveriesOf(round: (typeof ROUNDS)[number], earlier: Stripe.Event[]): Delivery[][] {
  const today = stream.events.filter((e) => Math.floor((e.created - t0) / DAY) === round.day);
  const copy = (event: Stripe.Event): Delivery => ({
    event,
    to: random() < 0.25 ? 'both' : pick([0, 1] as const),
  });
  if (round.mode === 'held') {
    const all: Delivery[] = [];
    for (const e of today) {
      all.push({ event: e, to: pick([0, 1] as const) });
      if (random() < 0.5) all.push(copy(e));
      if (random() < 0.2) all.push(copy(e));
    }
    for (const e of earlier) if (random() < 0.3) all.push(copy(e));
    return [shuffle(all)];
  }
  // live: one sequence per customer, first deliveries in stream order, copies anywhere after their first.
  const sequences = new Map<string, Delivery[]>();
  const seq = (e: Stripe.Event) => {
    const key = customerOf(e);
    if (!sequences.has(key)) sequences.set(key, []);
    return sequences.get(key)!;
  };
  const insertAfter = (s: Delivery[], from: number, d: Delivery) =>
    s.splice(from + 1 + Math.floor(random() * (s.length - from)), 0, d);
  for (const e of today) seq(e).push({ event: e, to: pick([0, 1] as const) });
  for (const e of today) {
    const s = seq(e);
    const first = s.findIndex((d) => d.event === e);
    if (random() < 0.5) insertAfter(s, first, copy(e));
    if (random() < 0.2) insertAfter(s, first, copy(e));
  }
  for (const e of earlier) if (random() < 0.3) insertAfter(seq(e), -1, copy(e));
  return [...sequences.values()];
}

const dbs: TestDatabase[] = [];
const apps: AppProcess[] = [];
afterAll(async () => {
  for (const a of apps) await a.kill();
  for (const d of dbs) await d.drop();
});

async function freshDatabase(): Promise<TestDatabase> {
  const t = await testDatabase({ max: 4 });
  dbs.push(t);
  await seedLifecycle(t.pool, stream);
  return t;
}

describe('two processes', () => {
  it('two app processes and two workers on one database, shuffled and duplicated deliveries: the state of one in-order process', async () => {
    const started = Date.now();
    const [reference, shared] = await Promise.all([freshDatabase(), freshDatabase()]);
    const [single, a, b] = await Promise.all([
      startAppProcess({ databaseUrl: reference.url, label: 'in-order' }),
      startAppProcess({ databaseUrl: shared.url, label: 'process-a' }),
      startAppProcess({ databaseUrl: shared.url, label: 'process-b' }),
    ]);
    apps.push(single, a, b);
    const processes = [a, b] as const;

    const inOrder = (async () => {
      await deliverInOrder(single, reference.pool, stream.events);
      await single.stop();
    })();

    const statuses = new Map<number, number>();
    let deliveries = 0;
    let toBoth = 0;
    const send = async (d: Delivery) => {
      const targets = d.to === 'both' ? processes : [processes[d.to]];
      deliveries += targets.length;
      if (d.to === 'both') toBoth++;
      const codes = await Promise.all(targets.map((p) => p.deliver(d.event)));
      for (const c of codes) statuses.set(c, (statuses.get(c) ?? 0) + 1);
    };

    const earlier: Stripe.Event[] = [];
    for (const round of ROUNDS) {
      const lanes = deliveriesOf(round, earlier);
      if (round.mode === 'held') {
        const keys = await shared.pool.connect();
        try {
          await keys.query(`SET lock_timeout = '10s'`);
          await keys.query(`SELECT pg_advisory_lock($1, hashtext(k)) FROM unnest($2::text[]) k`, [
            ORDERING_LOCK_CLASS,
            stream.customers,
          ]);
          const queue = [...lanes[0]!];
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              for (let d = queue.shift(); d; d = queue.shift()) await send(d);
            }),
          );
          // Nothing of the round was applied while its keys were held.
          const applied = await shared.pool.query(
            `SELECT id FROM stripe_events WHERE id = ANY($1) AND status <> 'pending'`,
            [lanes[0]!.filter((d) => !earlier.includes(d.event)).map((d) => d.event.id)],
          );
          expect(applied.rows).toEqual([]);
        } finally {
          await keys.query(`SELECT pg_advisory_unlock_all()`).catch(() => {});
          keys.release();
        }
      } else {
        await Promise.all(
          lanes.map(async (lane) => {
            for (const d of lane) await send(d);
          }),
        );
      }
      await waitForDrain(shared.pool);
      earlier.push(...stream.events.filter((e) => Math.floor((e.created - t0) / DAY) === round.day));
    }
    await Promise.all([a.stop(), b.stop(), inOrder]);

    // Every delivery acknowledged; each event stored once.
    expect([...statuses.entries()]).toEqual([[200, deliveries]]);
    expect(deliveries).toBeGreaterThan(stream.events.length * 1.3);
    expect(toBoth).toBeGreaterThan(5);
    const stored = await shared.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM stripe_events`);
    expect(stored.rows).toEqual([{ n: stream.events.length }]);

    const expected = await billingSnapshot(reference.pool);
    const actual = await billingSnapshot(shared.pool);
    // The in-order run is the story it should be: roles by variant (churned, in grace with cancel at period end,
    // upgraded), one movement per MRR change, one role-change audit row per role transition.
    expect(expected.users.map((u) => (u as { role: string }).role)).toEqual([
      'member',
      'professional',
      'enterprise',
      'member',
      'professional',
      'enterprise',
    ]);
    expect(expected.mrr_movements).toHaveLength(6 + 4 + 2);
    expect(
      expected.audit_log.filter((r) => (r as { action: string }).action === 'user.role_changed'),
    ).toHaveLength(6 + 4 + 2);
    expect(actual).toEqual(expected);
    console.log(
      `two-processes: ${stream.events.length} events, ${deliveries} deliveries (${toBoth} to both at once), ` +
        `${Date.now() - started} ms`,
    );
  }, 120_000);
});
