/**
 * Issue 18, observability: /metrics carries the event queue (waiting by status, the oldest due event's age, failed
 * events), the last reconciliation's drift, and Stripe calls by method, path pattern and status.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../sandbox/index.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { eventFromFixture, signatureHeader, WEBHOOK_SECRET } from '../story/index.js';
import { stripePathPattern } from '../../src/http/ops-metrics.js';
import { createDispatchMetrics } from '../../src/inbox/webhooks/dispatch-loop.js';

let sb: SandboxHandle;
let h: TestApp;
beforeAll(async () => {
  sb = await startSandbox();
  h = await testApp({
    env: { STRIPE_SECRET_KEY: sb.secretKey, STRIPE_API_URL: sb.url, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET },
  });
});
afterAll(async () => {
  await h?.close();
  await sb?.stop();
});

/** The value of one sample line of the exposition, or undefined. */
async function sample(line: string): Promise<number | undefined> {
  const res = await h.app.inject({ method: 'GET', url: '/metrics' });
  const found = res.body.split('\n').find((l) => l.startsWith(line + ' '));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('operator metrics', () => {
  it('the queue: waiting by status, the oldest due age, failed events', async () => {
    for (const id of ['evt_ops_1', 'evt_ops_2', 'evt_ops_3', 'evt_ops_4', 'evt_ops_5']) {
      const body = JSON.stringify(eventFromFixture('customer.updated', { id }));
      const res = await h.app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(body, Math.floor(h.clock.now().getTime() / 1000)),
        },
        body,
      });
      expect(res.statusCode).toBe(200);
    }
    // No dispatcher runs in this app: the five stay stored. Give them the states an operator must see.
    await h.t.pool.query(`
      UPDATE stripe_events SET status = 'parked', available_at = now() + interval '1 hour' WHERE id = 'evt_ops_1';
      UPDATE stripe_events SET status = 'failed' WHERE id = 'evt_ops_2';
      UPDATE stripe_events SET available_at = now() - interval '90 seconds' WHERE id = 'evt_ops_3';
      UPDATE stripe_events SET available_at = now() - interval '30 seconds' WHERE id = 'evt_ops_4';
      UPDATE stripe_events SET available_at = now() + interval '1 hour' WHERE id = 'evt_ops_5';`);

    // pending: 3, 4 (due) and 5 (backing off); parked: 1; failed: 2; the oldest due one (3) waited 90 s.
    expect(await sample('stripe_events_waiting{status="pending"}')).toBe(3);
    expect(await sample('stripe_events_waiting{status="parked"}')).toBe(1);
    expect(await sample('stripe_events_failed')).toBe(1);
    const age = await sample('stripe_events_oldest_due_age_seconds');
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
  });

  it('reconciliation: the last finished run’s corrections and when it finished', async () => {
    expect(await sample('reconciliation_last_finished_timestamp_seconds')).toBe(0);
    await h.t.pool.query(`
      INSERT INTO sync_runs (id, since_at, status, trigger, started_at, finished_at, summary) VALUES
        ('sync_a', '2026-11-01', 'finished', 'job', '2026-11-30T23:00:00Z', '2026-12-01T00:00:00Z', '{"corrections": 3}'),
        ('sync_b', '2026-11-01', 'finished', 'job', '2026-11-29T23:00:00Z', '2026-11-30T00:00:00Z', '{"corrections": 9}'),
        ('sync_c', '2026-11-01', 'failed', 'job', '2026-12-01T23:00:00Z', NULL, NULL)`);
    // 2026-12-01T00:00:00Z = 1,796,083,200 s since the epoch.
    expect(await sample('reconciliation_last_finished_timestamp_seconds')).toBe(1796083200);
    expect(await sample('reconciliation_last_corrections')).toBe(3);
  });

  it('Stripe calls by method, path pattern and status', async () => {
    const customer = await h.deps.stripe.customers.create({ email: 'ops@example.com' });
    await h.deps.stripe.customers.retrieve(customer.id);
    await expect(h.deps.stripe.customers.retrieve('cus_doesnotexist1')).rejects.toThrow();
    expect(await sample('stripe_api_requests_total{method="POST",path="/v1/customers",status="200"}')).toBe(
      1,
    );
    expect(
      await sample('stripe_api_requests_total{method="GET",path="/v1/customers/:id",status="200"}'),
    ).toBe(1);
    expect(
      await sample('stripe_api_requests_total{method="GET",path="/v1/customers/:id",status="404"}'),
    ).toBe(1);
    expect(await sample('stripe_api_request_duration_seconds_count{method="GET"}')).toBe(2);
  });

  it('every metric docs/grafana-dashboard.json draws is one /metrics exposes', async () => {
    const dashboard = JSON.parse(
      fs.readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
    ) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const used = new Set(
      exprs.flatMap((e) =>
        [...e.matchAll(/\b((?:http|stripe|reconciliation)_[a-z_]+)/g)].map((m) =>
          m[1]!.replace(/_(bucket|count|sum)$/, ''),
        ),
      ),
    );
    // The dispatcher's metrics join the app's registry where a worker runs beside it (startWorker's `registry`).
    createDispatchMetrics(h.app.httpContext.metrics.registry);
    const exposed = (await h.app.inject({ method: 'GET', url: '/metrics' })).body
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.split(' ')[2]);
    expect(used.size).toBe(13);
    expect([...used].filter((m) => !exposed.includes(m))).toEqual([]);
  });

  it('path patterns keep the label set bounded', () => {
    expect(stripePathPattern('/v1/customers/cus_N1x2/sources/card_1Abc?expand[]=x')).toBe(
      '/v1/customers/:id/sources/:id',
    );
    expect(stripePathPattern('/v1/test_helpers/test_clocks/clock_9z/advance')).toBe(
      '/v1/test_helpers/test_clocks/:id/advance',
    );
    expect(stripePathPattern('/v1/billing_portal/sessions')).toBe('/v1/billing_portal/sessions');
  });
});
