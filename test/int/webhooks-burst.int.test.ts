/**
 * docs/RELIABILITY.md 24: a burst of 10,000 events is acknowledged (every delivery 200) and drained without loss by
 * concurrent dispatchers. Latency percentiles are a benchmark figure (bench/RESULTS.md), not asserted here; the
 * chaos family (`burst`, CHAOS_RUNS bursts, default 1) records each burst's p99 acknowledgement time next to its
 * counts: lost (acknowledged, not applied), doubled (stored or applied beyond once), 5xx. The handlers of these
 * events make no Stripe call, so the Stripe rate budget is not touched (0 calls).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordChaos } from '../helpers/chaos-record.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { event, fixture, postWebhook } from '../story/index.js';
import { storyApp, type StoryApp } from '../story/app.js';

const CUSTOMERS = 500;
const PER_CUSTOMER = 20; // 10,000 events
const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
let h: StoryApp;

beforeAll(async () => {
  h = await storyApp({ label: 'burst', start: '2026-01-15T12:00:00Z', webhookHandlers: handlers });
  await h.t.pool.query(`
    INSERT INTO users (id, name, email, email_verified)
      SELECT 'u_burst_' || i, 'Burst ' || i, 'burst' || i || '@example.com', true FROM generate_series(1, ${CUSTOMERS}) i;
    INSERT INTO customers (user_id, stripe_customer_id, email, name, created_at, stripe_version_at)
      SELECT 'u_burst_' || i, 'cus_burst_' || i, 'burst' || i || '@example.com', 'Burst ' || i, '2026-01-01', '2020-01-01'
      FROM generate_series(1, ${CUSTOMERS}) i;`);
});
afterAll(() => h.close());

describe('burst', () => {
  it(
    'R24 10,000 events: every one acknowledged, stored once, and applied without loss',
    async () => {
      for (let run = 0; run < RUNS; run++) await burst(run);
    },
    RUNS * 600_000,
  );
});

async function burst(run: number) {
  const base = fixture<Record<string, unknown>>('object.customer');
  const bodies: string[] = [];
  for (let r = 0; r < PER_CUSTOMER; r++) {
    for (let c = 1; c <= CUSTOMERS; c++) {
      const object = {
        ...base,
        id: `cus_burst_${c}`,
        email: `burst${c}@example.com`,
        name: `Burst ${c} v${run}.${r}`,
        metadata: { user_id: `u_burst_${c}` },
      };
      bodies.push(
        JSON.stringify(
          event('customer.updated', object, 1_790_000_000 + run * PER_CUSTOMER + r, {
            id: `evt_burst_${run}_${c}_${r}`,
          }),
        ),
      );
    }
  }
  let next = 0;
  const statuses = new Map<number, number>();
  const ackMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const res = await postWebhook(h.app, body, { at: h.clock.now() });
        ackMs.push(performance.now() - t0);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
    }),
  );
  const ackSeconds = (performance.now() - started) / 1000;
  const handled = await Promise.all([1, 2, 3].map(() => drainEvents(h.deps, { handlers })));
  const applied = handled.reduce((a, b) => a + b, 0);
  const byStatus = await h.t.pool.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM stripe_events WHERE id LIKE 'evt\\_burst\\_${run}\\_%' GROUP BY status`,
  );
  const names = await h.t.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM customers WHERE name = 'Burst ' || substr(stripe_customer_id, 11) || ' v${run}.${PER_CUSTOMER - 1}'`,
  );
  const processed = byStatus.rows.find((r) => r.status === 'processed')?.n ?? 0;
  ackMs.sort((a, b) => a - b);
  const p99 = Math.round(ackMs[Math.floor(ackMs.length * 0.99)]!);
  recordChaos('burst', {
    runs: 1,
    lost: Math.max(0, bodies.length - processed) + (CUSTOMERS - names.rows[0]!.n),
    doubled: Math.max(0, applied - bodies.length),
    serverErrors: [...statuses.entries()].filter(([code]) => code >= 500).reduce((a, [, n]) => a + n, 0),
    p99AckMs: p99,
  });
  console.log(
    `burst ${run}: ${bodies.length} deliveries acknowledged in ${ackSeconds.toFixed(1)} s, p99 ack ${p99} ms, ` +
      `${applied} applied`,
  );
  expect([...statuses.entries()]).toEqual([[200, 10_000]]);
  expect(applied).toBe(10_000);
  expect(byStatus.rows).toEqual([{ status: 'processed', n: 10_000 }]);
  expect(names.rows).toEqual([{ n: CUSTOMERS }]);
}
