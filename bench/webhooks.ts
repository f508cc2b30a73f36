/**
 * `npm run bench:webhooks` — docs/DESIGN.md §9. Loads BENCH_ROWS (default 100,000) customers, subscriptions and invoices
 * with raw SQL, starts the app + worker in a child process (`sertantai serve`), and posts signed events with
 * unique ids from THIS process with autocannon at each concurrency (BENCH_CONCURRENCY, default 10,50), BENCH_EVENTS
 * per run (default 5,000), for customer.updated, invoice.paid and customer.subscription.updated. Prints one JSON
 * object per figure: ack throughput with p50/p99 ack latency, and end-to-end throughput (first request sent →
 * every event's effects committed, i.e. no event of the run left pending). BENCH_WARMUP events of each type
 * (default 3,000) are posted and applied first, not measured. BENCH_PHASED=1 measures ingest and drain apart;
 * BENCH_SPLIT=1 runs a web process and a worker process; BENCH_WORKERS sets the dispatcher loops (default 4).
 * Then the same load against the peer, @supabase/stripe-sync-engine (bench/peer-server.ts), and our figures divided
 * by its (BENCH_PEER=0 skips it).
 * DATABASE_URL selects the server (a fresh database is created on it and dropped after); else embedded PostgreSQL.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import Stripe from 'stripe';
import { connect } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { printFigure, spawnReady, startServe, withBenchDatabase } from './_support.js';
import { event, fixture } from '../test/story/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
/** Events of each type posted and applied before the measured runs (not measured). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3_000);
/** Ingest with the dispatcher stopped, then drain: separate ceilings and CPU costs of each side. */
const PHASED = process.env.BENCH_PHASED === '1';
/** A web process and a worker process instead of one process running both. */
const SPLIT = process.env.BENCH_SPLIT === '1';
/** Dispatcher loops of the worker (WEBHOOK_WORKERS of `sertantai serve`). */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '10,50').split(',').map(Number);
const SECRET = 'whsec_bench_webhooks_0123456789abcdef';
const ALL_TYPES = ['customer.updated', 'invoice.paid', 'customer.subscription.updated'] as const;
const TYPES = process.env.BENCH_TYPES
  ? ALL_TYPES.filter((t) => process.env.BENCH_TYPES!.split(',').includes(t))
  : ALL_TYPES;
const PRICE = 'price_1OLxRqEmU8dAtANPXSnrQftA';
/** The same load against `@supabase/stripe-sync-engine` (bench/peer-server.ts) for the ratio; BENCH_PEER=0 skips. */
const PEER = process.env.BENCH_PEER !== '0';
function figure(
  name: string,
  value: number,
  unit: string,
  n: number,
  p50: number | null,
  p99: number | null,
) {
  printFigure({ name, value, unit, n, p50, p99, rows: ROWS });
}

/** CPU seconds (user + system) used so far by these processes, from /proc (Linux); exited ones count 0. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // gone
    }
  }
  return ticks / 100; // USER_HZ
}

async function load(pool: pg.Pool): Promise<void> {
  await pool.query(`
    INSERT INTO plans (key, name, grants_role, stripe_product_id) VALUES ('pro', 'Pro', 'professional', 'prod_IhH2ML6qD0Ywuj');
    INSERT INTO plan_prices (plan_id, stripe_price_id, currency, unit_amount_minor, interval)
      SELECT id, '${PRICE}', 'usd', 2000, 'month' FROM plans WHERE key = 'pro';
    INSERT INTO users (id, name, email, email_verified, role)
      SELECT 'u_b_' || i, 'Bench ' || i, 'b' || i || '@example.com', true, 'professional'
      FROM generate_series(1, ${ROWS}) i;
    INSERT INTO customers (user_id, stripe_customer_id, email, name, created_at, stripe_version_at)
      SELECT 'u_b_' || i, 'cus_b_' || i, 'b' || i || '@example.com', 'Bench ' || i, now() - interval '1 year',
             '2020-01-01' FROM generate_series(1, ${ROWS}) i;
    INSERT INTO subscriptions (stripe_subscription_id, customer_id, plan_id, status, currency, mrr_minor, created_at,
                               stripe_version_at)
      SELECT 'sub_b_' || substr(c.stripe_customer_id, 7), c.id, (SELECT id FROM plans WHERE key = 'pro'), 'active',
             'usd', 2000, now() - interval '1 year', '2020-01-01'
      FROM customers c WHERE c.stripe_customer_id LIKE 'cus_b_%';
    INSERT INTO subscription_items (stripe_subscription_item_id, subscription_id, stripe_price_id, plan_price_id)
      SELECT 'si_b_' || substr(s.stripe_subscription_id, 7), s.id, '${PRICE}',
             (SELECT id FROM plan_prices WHERE stripe_price_id = '${PRICE}')
      FROM subscriptions s WHERE s.stripe_subscription_id LIKE 'sub_b_%';
    INSERT INTO invoices (stripe_invoice_id, customer_id, subscription_id, status, currency, amount_due_minor,
                          amount_paid_minor, amount_remaining_minor, subtotal_minor, total_minor, created_at,
                          stripe_version_at)
      SELECT 'in_b_' || substr(s.stripe_subscription_id, 7), s.customer_id, s.id, 'open', 'usd', 2000, 0, 2000, 2000,
             2000, now() - interval '1 day', '2020-01-01'
      FROM subscriptions s WHERE s.stripe_subscription_id LIKE 'sub_b_%';
    ANALYZE;`);
}

/** A unique event of `type` about row k, created at `created` (the story factory's envelope and captures). */
function eventFor(type: (typeof ALL_TYPES)[number], id: string, k: number, created: number): object {
  const env = (object: object) => event(type, object, created, { id });
  if (type === 'customer.updated') {
    const c = fixture<Stripe.Customer>('object.customer');
    return env({
      ...c,
      id: `cus_b_${k}`,
      email: `b${k}@example.com`,
      name: `Bench ${k} ${created}`,
      metadata: { user_id: `u_b_${k}` },
    });
  }
  if (type === 'invoice.paid') {
    const inv = fixture<Stripe.Invoice>('object.invoice.paid');
    return env({
      ...inv,
      id: `in_b_${k}`,
      customer: `cus_b_${k}`,
      subscription: `sub_b_${k}`,
      parent: {
        ...inv.parent,
        subscription_details: { ...inv.parent?.subscription_details, subscription: `sub_b_${k}` },
      },
    });
  }
  const s = fixture<Stripe.Subscription>('object.subscription.active');
  s.items.data[0]!.id = `si_b_${k}`;
  s.items.data[0]!.subscription = `sub_b_${k}`;
  return env({ ...s, id: `sub_b_${k}`, customer: `cus_b_${k}`, metadata: {} });
}

async function main({ url, name: dbName }: { url: string; name: string }): Promise<void> {
  const database = connect(url, { max: 4 });
  const servers: ChildProcess[] = [];
  try {
    await runMigrations(database.db);
    const t0 = performance.now();
    await load(database.pool);
    process.stderr.write(
      `loaded ${ROWS} customers/subscriptions/invoices in ${Math.round(performance.now() - t0)} ms\n`,
    );

    /**
     * Starts `sertantai serve` in `role` (bench/peer-server.ts for `peer`); resolves with the process and its port once
     * it is ready. No pg-boss jobs (JOBS=none): the minute sweeps would add work unrelated to the events measured.
     */
    const startServer = async (role: 'all' | 'web' | 'worker' | 'peer') => {
      const onLine = (line: string) => {
        process.stderr.write(line + '\n');
        if (line.startsWith('{"dispatcher":')) dispatcherAnswered?.();
      };
      const started =
        role === 'peer'
          ? await spawnReady(
              'peer server',
              ['bench/peer-server.ts'],
              { DATABASE_URL: url, STRIPE_WEBHOOK_SECRET: SECRET },
              onLine,
            )
          : await startServe(
              role,
              url,
              {
                STRIPE_WEBHOOK_SECRET: SECRET,
                JOBS: 'none',
                DATABASE_POOL_MAX: '30',
                WEBHOOK_WORKERS: String(WORKERS),
              },
              onLine,
            );
      servers.push(started.child);
      return started;
    };
    let dispatcherAnswered: (() => void) | undefined;
    // BENCH_SPLIT=1: one web process and one worker process (`sertantai start --role web|worker`), else one
    // process running both (`sertantai start`).
    const web = await startServer(SPLIT ? 'web' : 'all');
    const worker = SPLIT ? await startServer('worker') : web;
    const port = web.port;
    const serverPids = servers.map((c) => c.pid!);
    /** BENCH_PHASED: stop (SIGUSR1) or start (SIGUSR2) the dispatcher and wait for its answer. */
    const signalDispatcher = (signal: 'SIGUSR1' | 'SIGUSR2') =>
      new Promise<void>((resolve) => {
        dispatcherAnswered = resolve;
        worker.child.kill(signal);
      });

    let run = 0;
    /** Posts `count` fresh signed events of `type` at `connections`; resolves when acknowledged. */
    const post = async (
      type: (typeof ALL_TYPES)[number],
      connections: number,
      count: number,
      target = port,
    ) => {
      run++;
      let i = 0;
      const created = 1_800_000_000 + run * 1_000_000;
      const ts = Math.floor(Date.now() / 1000);
      const prefix = `evt_b${process.pid}r${run}_`;
      // Bodies and signatures are made before the clock starts: the figure is the server's, not the client's.
      const deliveries = Array.from({ length: count }, (_, n) => {
        const k = 1 + ((n * 7919 + run * 104_729) % ROWS);
        const body = JSON.stringify(eventFor(type, `${prefix}${n}`, k, created + n));
        const signature = Stripe.webhooks.generateTestHeaderString({
          payload: body,
          secret: SECRET,
          timestamp: ts,
        });
        return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
      });
      return {
        prefix,
        /**
         * Starts the run. `acked` resolves at the LAST answer, `finished` with autocannon's result: autocannon itself
         * only notices the end on its 1-second sampling tick, so its own duration (and anything started when it
         * resolves) is rounded up to whole seconds — 5,000 events answered in 1.3 s would read as 2.0 s, and an
         * end-to-end clock that waited for it could not read more than 5,000 / 2 s.
         */
        send: () => {
          let answers = 0;
          let lastAnswer = 0;
          let answered!: (at: number) => void;
          const acked = new Promise<number>((resolve) => (answered = resolve));
          const finished = new Promise<autocannon.Result>((resolve, reject) => {
            const instance = autocannon(
              {
                url: `http://127.0.0.1:${target}/webhooks/stripe`,
                connections,
                amount: count,
                method: 'POST',
                requests: [
                  { setupRequest: (req: autocannon.Request) => ({ ...req, ...deliveries[i++ % count] }) },
                ],
              },
              (e, result) => {
                answered(lastAnswer); // errors (no answer) end the run without a last answer
                if (e) reject(e);
                else resolve(result);
              },
            );
            instance.on('response', () => {
              lastAnswer = performance.now();
              if (++answers === count) answered(lastAnswer);
            });
          });
          return { acked, finished };
        },
      };
    };
    const check = (type: string, connections: number, result: autocannon.Result) => {
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(
          `${type} c=${connections}: ${result.non2xx} non-2xx answers, ${result.errors} errors`,
        );
      }
    };
    /** Waits until no event is pending or parked; fails at once when one could not be applied. */
    const drained = async () => {
      for (;;) {
        // Every queued event of this database is the run's (runs follow each other): the queue's partial index
        // answers this cheaply — a scan of the run's ids took 1.5-2 ms of the server's CPU 50 times a second.
        const r = await database.pool.query<{ n: number; error: string | null }>(
          `SELECT count(*)::int AS n, max(last_error) AS error FROM stripe_events
           WHERE status IN ('pending', 'parked') AND available_at > '-infinity'`,
        );
        if (r.rows[0]!.error) throw new Error(`an event was not applied: ${r.rows[0]!.error}`);
        if (r.rows[0]!.n === 0) return;
        await new Promise((res) => setTimeout(res, 20));
      }
    };

    /** Our ack and end-to-end figures by `type.cN`, for the peer's ratios. */
    const ours = new Map<string, { ack: number; e2e: number }>();

    /**
     * The peer run (docs/DESIGN.md §9): the engine's migrations into schema `stripe` of the same database, the same 100k
     * customers / subscriptions / invoices in its tables, the same warm-up and the same signed events at the same
     * concurrencies. It applies each event before answering, so its ack throughput is its end-to-end throughput; the
     * ratios divide our ack and our end-to-end by it.
     */
    const measurePeer = async () => {
      // Its ESM build finds its migrations through `__dirname`, which ESM does not define: the CommonJS build works.
      const { runMigrations: migratePeer } = createRequire(import.meta.url)(
        '@supabase/stripe-sync-engine',
      ) as typeof import('@supabase/stripe-sync-engine');
      await migratePeer({ databaseUrl: url, schema: 'stripe' });
      // The engine logs a failed migration instead of throwing: check that its tables are there.
      const tables = await database.pool.query(`SELECT to_regclass('stripe.invoices') IS NOT NULL AS ok`);
      if (!tables.rows[0].ok) throw new Error('the peer engine did not create its tables');
      const t0 = performance.now();
      await database.pool.query(`
        INSERT INTO stripe.customers (id, email, name)
          SELECT 'cus_b_' || i, 'b' || i || '@example.com', 'Bench ' || i FROM generate_series(1, ${ROWS}) i;
        INSERT INTO stripe.subscriptions (id, customer, status)
          SELECT 'sub_b_' || i, 'cus_b_' || i, 'active' FROM generate_series(1, ${ROWS}) i;
        INSERT INTO stripe.subscription_items (id, subscription)
          SELECT 'si_b_' || i, 'sub_b_' || i FROM generate_series(1, ${ROWS}) i;
        INSERT INTO stripe.invoices (id, customer, subscription, status)
          SELECT 'in_b_' || i, 'cus_b_' || i, 'sub_b_' || i, 'open' FROM generate_series(1, ${ROWS}) i;
        ANALYZE;`);
      process.stderr.write(
        `peer: loaded ${ROWS} rows per table in ${Math.round(performance.now() - t0)} ms\n`,
      );
      await stopServers(servers.splice(0)); // the peer gets the machine to itself, as ours had
      const peer = await startServer('peer');
      for (const type of WARMUP > 0 ? TYPES : []) {
        const warm = await post(type, Math.max(...CONCURRENCY), WARMUP, peer.port);
        check(type, 0, await warm.send().finished);
      }
      for (const type of TYPES) {
        for (const connections of CONCURRENCY) {
          const { send } = await post(type, connections, EVENTS, peer.port);
          const started = performance.now();
          const delivery = send();
          const acked = await delivery.acked;
          const result = await delivery.finished;
          check(`peer ${type}`, connections, result);
          const rate = EVENTS / ((acked - started) / 1000);
          figure(
            `webhooks.peer.ack.${type}.c${connections}`,
            rate,
            'events/s',
            EVENTS,
            result.latency.p50,
            result.latency.p99,
          );
          // It answered 200 for each; check that it wrote them too (each type's run leaves a mark only it makes).
          const applied = await database.pool.query<{ n: number }>(
            {
              'customer.updated': `SELECT count(*)::int AS n FROM stripe.customers WHERE name LIKE 'Bench % %'`,
              'invoice.paid': `SELECT count(*)::int AS n FROM stripe.invoices WHERE status = 'paid'`,
              'customer.subscription.updated': `SELECT count(*)::int AS n FROM stripe.subscriptions WHERE last_synced_at IS NOT NULL`,
            }[type],
          );
          if (applied.rows[0]!.n === 0) throw new Error(`the peer stored none of the ${type} events`);
          const mine = ours.get(`${type}.c${connections}`);
          if (mine) {
            figure(`webhooks.ratio.ack.${type}.c${connections}`, mine.ack / rate, 'x', EVENTS, null, null);
            figure(`webhooks.ratio.e2e.${type}.c${connections}`, mine.e2e / rate, 'x', EVENTS, null, null);
          }
        }
      }
    };

    // Warm-up (not measured): the server's first requests run cold code (V8 compiles and optimizes it, connections
    // open, statements get prepared) and cost 2-3 times the CPU of later ones; a long-running server never pays it.
    for (const type of WARMUP > 0 ? TYPES : []) {
      const warm = await post(type, Math.max(...CONCURRENCY), WARMUP);
      check(type, 0, await warm.send().finished);
      await drained();
    }

    for (const type of TYPES) {
      for (const connections of CONCURRENCY) {
        const { prefix, send } = await post(type, connections, EVENTS);
        // Backends opened during the run count from 0 (one closed during the run loses its share: rare, idle 10 s).
        const pgCpuSince = async (before: Map<number, number>) =>
          (await backends()).reduce((sum, pid) => sum + cpuSeconds([pid]) - (before.get(pid) ?? 0), 0);
        const backends = async () =>
          (
            await database.pool.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
              [dbName],
            )
          ).rows.map((r) => r.pid);
        const pgBefore = await backends();
        const cpuBefore = {
          app: cpuSeconds(serverPids),
          pgByPid: new Map(pgBefore.map((pid) => [pid, cpuSeconds([pid])])),
        };
        if (PHASED) await signalDispatcher('SIGUSR1');
        const clientCpu = process.cpuUsage();
        const started = performance.now();
        const delivery = send();
        const acked = await delivery.acked;
        const clientSpent = process.cpuUsage(clientCpu);
        const cpuAcked = { app: cpuSeconds(serverPids), pg: await pgCpuSince(cpuBefore.pgByPid) };
        if (PHASED) await signalDispatcher('SIGUSR2');
        // The drain is watched from the last answer on, while autocannon winds down to its next tick.
        const [result, done] = await Promise.all([
          delivery.finished,
          drained().then(() => performance.now()),
        ]);
        check(type, connections, result);
        const cpu = {
          app: cpuSeconds(serverPids) - cpuBefore.app,
          pg: await pgCpuSince(cpuBefore.pgByPid),
        };
        const st = await database.pool.query<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM stripe_events WHERE id LIKE $1 GROUP BY status`,
          [`${prefix}%`],
        );
        const processed = st.rows
          .filter((r) => r.status === 'processed' || r.status === 'stale')
          .reduce((a, r) => a + r.n, 0);
        if (processed !== EVENTS) throw new Error(`${type} c=${connections}: ${JSON.stringify(st.rows)}`);
        ours.set(`${type}.c${connections}`, {
          ack: EVENTS / ((acked - started) / 1000),
          e2e: EVENTS / ((done - started) / 1000),
        });
        figure(
          `webhooks.ack.${type}.c${connections}`,
          EVENTS / ((acked - started) / 1000),
          'events/s',
          EVENTS,
          result.latency.p50,
          result.latency.p99,
        );
        figure(
          `webhooks.e2e.${type}.c${connections}`,
          EVENTS / ((done - started) / 1000),
          'events/s',
          EVENTS,
          null,
          null,
        );
        // The load generator shares the two cores: its CPU per request bounds the ack figure too.
        figure(
          `webhooks.cpu_client.${type}.c${connections}`,
          (clientSpent.user + clientSpent.system) / EVENTS,
          'µs/event',
          EVENTS,
          null,
          null,
        );
        const perEvent = (name: string, seconds: number) =>
          figure(
            `webhooks.${name}.${type}.c${connections}`,
            (seconds / EVENTS) * 1e6,
            'µs/event',
            EVENTS,
            null,
            null,
          );
        if (PHASED) {
          // Ingest alone, then the dispatcher alone draining what was stored: each side's own ceiling and cost.
          const drainRate = EVENTS / ((done - acked) / 1000);
          figure(`webhooks.phased.drain.${type}.c${connections}`, drainRate, 'events/s', EVENTS, null, null);
          perEvent('phased.ack.cpu_app', cpuAcked.app - cpuBefore.app);
          perEvent('phased.ack.cpu_pg', cpuAcked.pg);
          perEvent('phased.drain.cpu_app', cpu.app - (cpuAcked.app - cpuBefore.app));
          perEvent('phased.drain.cpu_pg', cpu.pg - cpuAcked.pg);
        }
        // CPU per event (ingest + dispatch): what the machine's two cores must pay for each event, whatever else
        // runs on them — the load-independent figure.
        figure(
          `webhooks.cpu_app.${type}.c${connections}`,
          (cpu.app / EVENTS) * 1e6,
          'µs/event',
          EVENTS,
          null,
          null,
        );
        figure(
          `webhooks.cpu_pg.${type}.c${connections}`,
          (cpu.pg / EVENTS) * 1e6,
          'µs/event',
          EVENTS,
          null,
          null,
        );
      }
    }
    if (PEER) await measurePeer();
    process.stderr.write(
      `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
  } finally {
    await stopServers(servers.splice(0));
    await database.close();
  }
}

/** SIGTERM to each server process still running; resolves when they have exited. */
async function stopServers(children: ChildProcess[]): Promise<void> {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

await withBenchDatabase('bench_webhooks', main);
