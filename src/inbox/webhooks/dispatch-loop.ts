/**
 * The dispatcher's worker loops: `concurrency` loops each call dispatchBatch until nothing is due, then sleep
 * until a NOTIFY on `stripe_events` (sent by the ingest's INSERT at commit) or `idlePollMs` (which also picks up
 * parked events whose retry time came). Any number of processes may run this against one database: rows are
 * claimed with SKIP LOCKED and keys serialized by advisory locks, so no coordination is needed.
 */
import type pg from 'pg';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Deps } from '../../deps.js';
import { dispatchBatch, type DispatchMetrics, type DispatchOptions } from './dispatch-event.js';
import { EVENTS_CHANNEL } from './ingest-writer.js';

export interface DispatcherOptions extends DispatchOptions {
  concurrency?: number;
  idlePollMs?: number;
  /**
   * Deliveries first (default on): while the ingest reports arrivals (its NOTIFY, sent at most every 20 ms while it
   * stores events, came within the last 60 ms), one loop applies events and, after each batch, rests twice as long
   * as the batch took (at most 500 ms; a third of one loop's pace), so the acknowledgements, which Stripe times, get
   * the cores that web and worker share on one machine. Applying lags during a burst and catches up with every loop
   * once it is over. Bounded: once the earliest due event has waited `maxYieldLagMs` (default 5 s) every loop runs
   * flat out again, so a sustained stream cannot build an ever-growing backlog. Off: every loop runs flat out
   * whatever arrives (a worker on a machine of its own).
   */
  yieldToIngest?: boolean;
  maxYieldLagMs?: number;
  /** How recent the ingest's last NOTIFY must be for deliveries to count as arriving (default 60 ms; it sends one
   *  per 20 ms while it stores events). */
  arrivalWindowMs?: number;
}

export interface Dispatcher {
  /** Wakes idle loops (as a NOTIFY would). */
  wake(): void;
  stop(): Promise<void>;
}

export function createDispatchMetrics(registry: Registry): DispatchMetrics {
  return {
    events: new Counter({
      name: 'stripe_events_dispatched_total',
      help: 'Stripe events dispatched by type and resulting status (processed, stale, ignored, skipped, parked, failed)',
      labelNames: ['type', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'stripe_event_dispatch_seconds',
      help: 'Time to claim, apply and commit one Stripe event',
      labelNames: ['status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'stripe_event_lag_seconds',
      help: 'End-to-end lag: from an event falling due (stored, or its retry time) to its batch committed',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
      registers: [registry],
    }),
  };
}

export function startDispatcher(deps: Deps, opts: DispatcherOptions): Dispatcher {
  const concurrency = opts.concurrency ?? 4;
  const idlePollMs = opts.idlePollMs ?? 1000;
  const yieldToIngest = opts.yieldToIngest ?? true;
  const maxYieldLagMs = opts.maxYieldLagMs ?? 5000;
  const arrivalWindowMs = opts.arrivalWindowMs ?? 60;
  let lastArrival = -Infinity;
  let lagMs = 0;
  const yielding = () =>
    yieldToIngest && lagMs < maxYieldLagMs && performance.now() - lastArrival < arrivalWindowMs;
  let running = true;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };
  /** Waits `ms` whatever NOTIFYs arrive (stop() cuts it short). */
  const pauses = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pauses.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pauses.add(done);
    });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== done);
        resolve();
      }
      waiters.push(done);
    });

  // One connection LISTENs; it reconnects after a server restart.
  let listener: pg.PoolClient | undefined;
  let listenTimer: NodeJS.Timeout | undefined;
  const listen = async () => {
    if (!running) return;
    try {
      const client = await deps.database.pool.connect();
      client.on('notification', () => {
        lastArrival = performance.now();
        wake();
      });
      client.on('error', () => {
        client.release(true);
        if (listener === client) listener = undefined;
        if (running) listenTimer = setTimeout(() => void listen(), 1000);
      });
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (!running) {
        client.release(true);
        return;
      }
      listener = client;
      wake(); // events may have arrived while we were not listening
    } catch (e) {
      deps.logger.warn({ err: e }, 'dispatcher cannot LISTEN, retrying');
      if (running) listenTimer = setTimeout(() => void listen(), 1000);
    }
  };
  void listen();

  const loop = async (index: number) => {
    let failures = 0;
    let single = false;
    while (running) {
      if (index > 0 && yielding()) {
        await pause(arrivalWindowMs);
        continue;
      }
      try {
        const started = performance.now();
        const r = await dispatchBatch(deps, single ? { ...opts, batchSize: 1 } : opts);
        failures = 0;
        single = false;
        lagMs = r.lagMs;
        if (r.outcomes.length > 0 && yielding()) {
          await pause(Math.min(500, 2 * (performance.now() - started)));
        } else if (r.outcomes.length === 0) {
          // Nothing due, or every due key is being applied by another worker: wait for a NOTIFY or a poll.
          await sleep(r.candidates > 0 ? Math.min(idlePollMs, 50) : idlePollMs);
        }
      } catch (e) {
        failures++;
        // A batch that broke is retried one event at a time, so one bad event cannot hold the others back.
        single = true;
        deps.logger.error({ err: e }, 'event dispatcher batch failed');
        await sleep(Math.min(30_000, 100 * 2 ** Math.min(failures, 8)));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, (_, i) => loop(i));

  return {
    wake,
    async stop() {
      running = false;
      for (const done of [...pauses]) done();
      clearTimeout(listenTimer);
      wake();
      await Promise.all(loops);
      if (listener) {
        const l = listener;
        listener = undefined;
        await l.query(`UNLISTEN ${EVENTS_CHANNEL}`).catch(() => {});
        l.release();
      }
    },
  };
}
