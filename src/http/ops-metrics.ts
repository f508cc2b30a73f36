/**
 * What an operator watches besides requests (docs/grafana-dashboard.json draws them):
 * - the event queue, read from the database at scrape time: events waiting (pending, parked), the age of the oldest
 *   due one, failed ("dead") events — the same figures from every process, so a dashboard takes max() over them;
 * - reconciliation: the corrections the last finished run made (drift) and when it finished;
 * - Stripe calls by method, path pattern and status (429s included), and their duration, from the SDK's own
 *   `response` events.
 * Ack latency is http_request_duration_seconds{route="/webhooks/stripe"}; end-to-end lag and apply time are the
 * dispatcher's (stripe_event_lag_seconds, stripe_event_dispatch_seconds), in the process that runs it.
 */
import type pg from 'pg';
import type Stripe from 'stripe';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** `/v1/customers/cus_123/sources/card_9` → `/v1/customers/:id/sources/:id`: a bounded label set. */
export function stripePathPattern(path: string): string {
  return path
    .split('?')[0]!
    .split('/')
    .map((seg) => (/^[a-z]+_[A-Za-z0-9_]+$/.test(seg) && /[0-9A-Z]/.test(seg) ? ':id' : seg))
    .join('/');
}

/** Registers the operator metrics in `registry`; returns how to detach the Stripe listener (on app close). */
export function registerOpsMetrics(registry: Registry, pool: pg.Pool, stripe: Stripe): () => void {
  // One query per scrape for each source, shared by the gauges it feeds (a scrape collects them all at once): the
  // partial index of pending/parked rows and the status index answer the queue's without touching applied events.
  const readQueue = oncePerScrape(() => queueFigures(pool));
  const readSync = oncePerScrape(() => lastSync(pool));
  new Gauge({
    name: 'stripe_events_waiting',
    help: 'Stored Stripe events not applied yet, by status (pending: due or backing off; parked: waiting for a related object)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const q = await readQueue();
      this.set({ status: 'pending' }, q.pending);
      this.set({ status: 'parked' }, q.parked);
    },
  });
  new Gauge({
    name: 'stripe_events_oldest_due_age_seconds',
    help: 'Age of the oldest event that is due and not applied (0 when none): how far the dispatcher is behind',
    registers: [registry],
    async collect() {
      this.set((await readQueue()).oldestDueAgeSeconds);
    },
  });
  new Gauge({
    name: 'stripe_events_failed',
    help: 'Events that failed every try (each has an open billing error; retry or resolve them in the console)',
    registers: [registry],
    async collect() {
      this.set((await readQueue()).failed);
    },
  });
  new Gauge({
    name: 'reconciliation_last_corrections',
    help: 'Corrections the last finished reconciliation run made to the mirror (drift between Stripe and us)',
    registers: [registry],
    async collect() {
      const r = await readSync();
      this.set(r?.corrections ?? 0);
    },
  });
  new Gauge({
    name: 'reconciliation_last_finished_timestamp_seconds',
    help: 'When the last reconciliation run finished (0: never)',
    registers: [registry],
    async collect() {
      const r = await readSync();
      this.set(r ? r.finishedAt.getTime() / 1000 : 0);
    },
  });

  const calls = new Counter({
    name: 'stripe_api_requests_total',
    help: 'Stripe API requests by method, path pattern and HTTP status (429: rate limited)',
    labelNames: ['method', 'path', 'status'] as const,
    registers: [registry],
  });
  const callSeconds = new Histogram({
    name: 'stripe_api_request_duration_seconds',
    help: 'Stripe API request duration as the SDK measured it',
    labelNames: ['method'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  const onResponse = (r: Stripe.ResponseEvent) => {
    calls.inc({ method: r.method, path: stripePathPattern(r.path), status: String(r.status) });
    callSeconds.observe({ method: r.method }, r.elapsed / 1000);
  };
  stripe.on('response', onResponse);
  return () => stripe.off('response', onResponse);
}

/**
 * `read`, shared by the calls made while it is in flight: a scrape collects every metric at once (prom-client's
 * registry awaits their collectors together), so the gauges fed by one query cause one read per scrape.
 */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => (pending = undefined));
    return pending;
  };
}

interface QueueFigures {
  pending: number;
  parked: number;
  failed: number;
  oldestDueAgeSeconds: number;
}

async function queueFigures(pool: pg.Pool): Promise<QueueFigures> {
  const { rows } = await pool.query<{ pending: number; parked: number; failed: number; age: number }>(`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'parked')::int AS parked,
           (SELECT count(*) FROM stripe_events WHERE status = 'failed')::int AS failed,
           coalesce(extract(epoch FROM now() - min(available_at) FILTER (WHERE available_at <= now())), 0)::float8 AS age
    FROM stripe_events WHERE status IN ('pending', 'parked')`);
  const r = rows[0]!;
  return { pending: r.pending, parked: r.parked, failed: r.failed, oldestDueAgeSeconds: r.age };
}

async function lastSync(pool: pg.Pool): Promise<{ corrections: number; finishedAt: Date } | undefined> {
  const { rows } = await pool.query<{ corrections: number | null; finished_at: Date }>(`
    SELECT (summary->>'corrections')::int AS corrections, finished_at FROM sync_runs
    WHERE status = 'finished' AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1`);
  const r = rows[0];
  return r ? { corrections: r.corrections ?? 0, finishedAt: r.finished_at } : undefined;
}
