/**
 * docs/RELIABILITY.md 24: a burst of 10,000 events is acknowledged (every delivery 200) and drained without loss by
 * concurrent dispatchers. Latency percentiles are a benchmark figure (bench/RESULTS.md), not asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { fixture } from '../helpers/billing-harness.js';
import { postWebhook } from '../helpers/stripe-events.js';
import { webhookApp, type WebhookApp } from '../helpers/webhook-app.js';

const CUSTOMERS = 500;
const PER_CUSTOMER = 20; // 10,000 events
let h: WebhookApp;

beforeAll(async () => {
  h = await webhookApp({ handlers, label: 'burst' });
  await h.t.pool.query(`
    INSERT INTO users (id, name, email, email_verified)
      SELECT 'u_burst_' || i, 'Burst ' || i, 'burst' || i || '@example.com', true FROM generate_series(1, ${CUSTOMERS}) i;
    INSERT INTO customers (user_id, stripe_customer_id, email, name, created_at, stripe_version_at)
      SELECT 'u_burst_' || i, 'cus_burst_' || i, 'burst' || i || '@example.com', 'Burst ' || i, '2026-01-01', '2020-01-01'
      FROM generate_series(1, ${CUSTOMERS}) i;`);
});
afterAll(() => h.close());

describe('burst', () => {
  it('R24 10,000 events: every one acknowledged, stored once, and applied without loss', async () => {
    const base = fixture<Record<string, unknown>>('object.customer');
    const bodies: string[] = [];
    for (let r = 0; r < PER_CUSTOMER; r++) {
      for (let c = 1; c <= CUSTOMERS; c++) {
        const object = {
          ...base,
          id: `cus_burst_${c}`,
          email: `burst${c}@example.com`,
          name: `Burst ${c} v${r}`,
          metadata: { user_id: `u_burst_${c}` },
        };
        bodies.push(
          JSON.stringify({
            id: `evt_burst_${c}_${r}`,
            object: 'event',
            api_version: '2026-10-28.endive',
            created: 1_790_000_000 + r,
            data: { object },
            livemode: false,
            pending_webhooks: 1,
            request: { id: null, idempotency_key: null },
            type: 'customer.updated',
          }),
        );
      }
    }
    let next = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const res = await postWebhook(h.app, body, { at: h.clock.now() });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        }
      }),
    );
    expect([...statuses.entries()]).toEqual([[200, 10_000]]);
    const handled = await Promise.all([1, 2, 3].map(() => drainEvents(h.deps, { handlers })));
    expect(handled.reduce((a, b) => a + b, 0)).toBe(10_000);
    const byStatus = await h.t.pool.query(
      `SELECT status, count(*)::int AS n FROM stripe_events GROUP BY status`,
    );
    expect(byStatus.rows).toEqual([{ status: 'processed', n: 10_000 }]);
    const names = await h.t.pool.query(
      `SELECT count(*)::int AS n FROM customers WHERE name = 'Burst ' || substr(stripe_customer_id, 11) || ' v${PER_CUSTOMER - 1}'`,
    );
    expect(names.rows).toEqual([{ n: CUSTOMERS }]);
  }, 600_000);
});
