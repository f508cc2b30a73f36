/**
 * Issue 18, proof past one process: 2 web processes (`sertantai serve --role web`) and 2 worker processes
 * (`--role worker`) on ONE database, the webs behind a round-robin proxy in this test, receive a lifecycle stream
 * duplicated and interleaved across customers. Mid-stream one worker is killed with SIGKILL and restarted, the other
 * is stopped with SIGTERM (graceful: it finishes the batch in flight) and restarted. The end state — mirror rows,
 * MRR movements, roles and role-change audit rows (test/helpers/billing-snapshot.ts) — equals that of one process
 * receiving the stream in order (another database): every effect once, nothing lost.
 *
 * A customer's deliveries are sent one after another in stream order (each acknowledged before the next), copies
 * anywhere after their first; customers run in parallel. That is the order Stripe's retries can produce without
 * making an intermediate state unreachable (an event applied after a later one of its customer is stale by design,
 * see two-processes.int.test.ts), so the in-order run is the exact expectation.
 */
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { testDatabase, type TestDatabase } from '../../helpers/db.js';
import { deliverInOrder, startAppProcess, waitForDrain, type AppProcess } from '../../helpers/app-process.js';
import { billingSnapshot } from '../../helpers/billing-snapshot.js';
import { lifecycleStream, seedLifecycle, streamStart } from '../../story/lifecycle.js';
import { signatureHeader } from '../../story/index.js';
import { prng } from '../../helpers/prng.js';

const SEED = 20261207;
const t0 = streamStart(Date.now());
const stream = lifecycleStream({ label: 'multiproc', customers: 6, t0 });
const random = prng(SEED);

const customerOf = (e: Stripe.Event) => {
  const o = e.data.object as { object?: string; id?: string; customer?: string };
  return o.object === 'customer' ? o.id! : o.customer!;
};

/** One lane per customer: its events in stream order, each sent 1-3 times, copies anywhere after the first. */
function lanes(): Stripe.Event[][] {
  const byCustomer = new Map<string, Stripe.Event[]>();
  for (const e of stream.events) {
    const key = customerOf(e);
    byCustomer.set(key, [...(byCustomer.get(key) ?? []), e]);
  }
  return [...byCustomer.values()].map((events) => {
    const lane = [...events];
    for (const e of events) {
      const first = lane.indexOf(e);
      for (let copies = random() < 0.5 ? 1 + Math.floor(random() * 2) : 0; copies > 0; copies--)
        lane.splice(first + 1 + Math.floor(random() * (lane.length - first)), 0, e);
    }
    return lane;
  });
}

/** A round-robin HTTP proxy to `targets`; the count of requests each one got. */
function roundRobinProxy(targets: string[]) {
  let next = 0;
  const counts = targets.map(() => 0);
  const server = http.createServer((req, res) => {
    const i = next++ % targets.length;
    counts[i]!++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fetch(`${targets[i]}${req.url}`, {
        method: req.method,
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          'stripe-signature': String(req.headers['stripe-signature'] ?? ''),
        },
        body: Buffer.concat(chunks),
      }).then(
        async (upstream) => {
          res.writeHead(upstream.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  return {
    counts,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          const a = server.address();
          resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
        }),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const dbs: TestDatabase[] = [];
const apps: AppProcess[] = [];
afterAll(async () => {
  for (const a of apps) if (!a.output().exited) await a.kill();
  for (const d of dbs) await d.drop();
});

async function freshDatabase(): Promise<TestDatabase> {
  const t = await testDatabase({ max: 4 });
  dbs.push(t);
  await seedLifecycle(t.pool, stream);
  return t;
}

describe('two web and two worker processes behind a round-robin proxy', () => {
  it('a worker killed and one stopped mid-stream, both restarted: the state of one in-order process, every effect once', async () => {
    const started = Date.now();
    const [reference, shared] = await Promise.all([freshDatabase(), freshDatabase()]);
    const start = (label: string, role: 'all' | 'web' | 'worker') =>
      startAppProcess({ databaseUrl: role === 'all' ? reference.url : shared.url, label, role }).then((p) => {
        apps.push(p);
        return p;
      });
    const [single, web1, web2, worker1, worker2] = await Promise.all([
      start('mp-in-order', 'all'),
      start('mp-web-1', 'web'),
      start('mp-web-2', 'web'),
      start('mp-worker-1', 'worker'),
      start('mp-worker-2', 'worker'),
    ]);
    const inOrder = (async () => {
      await deliverInOrder(single, reference.pool, stream.events);
      await single.stop();
    })();

    const proxy = roundRobinProxy([web1.url, web2.url]);
    const proxyUrl = await proxy.listen();
    const statuses = new Map<number, number>();
    let sent = 0;
    const deliver = async (event: Stripe.Event) => {
      const body = JSON.stringify(event);
      const res = await fetch(`${proxyUrl}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // Counted here, in the same tick as the answer: read after the caller's await, another lane's delivery could
      // have moved the count past a disruption's mark, which would then never fire.
      return ++sent;
    };

    const all = lanes();
    const total = all.reduce((n, l) => n + l.length, 0);
    // The disruptions happen at a third and at two thirds of the deliveries, while every lane is still sending.
    let disruptions = Promise.resolve();
    const disruptAt = new Map<number, () => Promise<void>>([
      [
        Math.floor(total / 3),
        async () => {
          await worker1.kill();
          await start('mp-worker-1-again', 'worker');
        },
      ],
      [
        Math.floor((2 * total) / 3),
        async () => {
          await worker2.stop();
          // graceful: it handled SIGTERM, finished its batch and exited 0 (killed by the signal it would be code null)
          expect(worker2.output()).toMatchObject({ exited: true, code: 0, signal: null });
          await start('mp-worker-2-again', 'worker');
        },
      ],
    ]);
    await Promise.all(
      all.map(async (lane) => {
        for (const event of lane) {
          const n = await deliver(event);
          const disrupt = disruptAt.get(n);
          if (disrupt) {
            disruptAt.delete(n);
            disruptions = disruptions.then(disrupt);
          }
        }
      }),
    );
    await disruptions;
    // Both disruptions happened (a mark that was skipped would leave the test proving nothing about them).
    expect(disruptAt.size).toBe(0);
    await waitForDrain(shared.pool, 60_000);
    await proxy.close();
    await inOrder;

    // Every delivery acknowledged by one of the webs, both webs used; each event stored once.
    expect([...statuses.entries()]).toEqual([[200, total]]);
    expect(total).toBeGreaterThan(stream.events.length * 1.3);
    expect(proxy.counts.every((n) => n > total / 3)).toBe(true);
    const stored = await shared.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM stripe_events`);
    expect(stored.rows).toEqual([{ n: stream.events.length }]);
    // Each event ended as it did in order (processed, or ignored/skipped by the same rule), none failed or waiting.
    const outcomes = `SELECT id, status FROM stripe_events ORDER BY id`;
    const inOrderOutcomes = (await reference.pool.query(outcomes)).rows;
    expect(inOrderOutcomes.filter((r) => !['processed', 'ignored', 'skipped'].includes(r.status))).toEqual(
      [],
    );
    expect((await shared.pool.query(outcomes)).rows).toEqual(inOrderOutcomes);

    const expected = await billingSnapshot(reference.pool);
    expect(expected.users.map((u) => (u as { role: string }).role)).toEqual([
      'member',
      'professional',
      'enterprise',
      'member',
      'professional',
      'enterprise',
    ]);
    expect(await billingSnapshot(shared.pool)).toEqual(expected);
    // Each worker serves its own /metrics (METRICS_PORT): one more event, delivered now, is applied by one of the
    // restarted workers, whose lag histogram counts its batch; the queue they read is empty again; health as on
    // the web processes, and nothing else (no API on a worker).
    const restarted = apps.filter((a) => a.label.endsWith('-again'));
    expect(restarted).toHaveLength(2);
    const lagBatches = async () => {
      let n = 0;
      for (const w of restarted) {
        const metrics = await (await fetch(`${w.url}/metrics`)).text();
        n += Number(/^stripe_event_lag_seconds_count (\d+)$/m.exec(metrics)?.[1]);
      }
      return n;
    };
    const before = await lagBatches();
    const last = stream.events.at(-1)!;
    expect(await web1.deliver({ ...last, id: `${last.id}_late_copy` })).toBe(200);
    await waitForDrain(shared.pool, 30_000);
    // (observed just after the batch commits: a moment after the drain shows)
    let after = await lagBatches();
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await lagBatches();
    }
    expect(after - before).toBeGreaterThanOrEqual(1);
    for (const w of restarted) {
      expect(await (await fetch(`${w.url}/metrics`)).text()).toMatch(
        /^stripe_events_waiting\{status="pending"\} 0$/m,
      );
    }
    const worker = restarted[0]!;
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/webhooks/stripe`, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await fetch(`${worker.url}/api/admin/customers`)).status).toBe(404);
    console.log(
      `multi-process: ${stream.events.length} events, ${total} deliveries (${proxy.counts.join(' + ')} per web), ` +
        `1 worker killed and 1 stopped mid-stream, ${Date.now() - started} ms`,
    );
  }, 180_000);
});
