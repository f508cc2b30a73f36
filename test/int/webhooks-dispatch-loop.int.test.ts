/**
 * The dispatcher's loops (startDispatcher) giving way to the ingest: while deliveries arrive (the ingest's NOTIFY),
 * one loop applies events and rests between batches; when they stop, or once the earliest due event has waited
 * `maxYieldLagMs`, every loop runs. Observed through a probe handler that records how many batches (transactions)
 * were applying at the same time.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDispatcher,
  type Dispatcher,
  type DispatcherOptions,
} from '../../src/inbox/webhooks/dispatch-loop.js';
import { EVENTS_CHANNEL } from '../../src/inbox/webhooks/ingest-writer.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import type { HandlerMap } from '../../src/inbox/webhooks/types.js';
import { event, fixture } from '../story/index.js';
import { storyWorld, type StoryWorld } from '../story/world.js';

let h: StoryWorld;
let run = 0;
beforeAll(async () => {
  h = await storyWorld({ label: 'webhooks-dispatch-loop' });
});
afterAll(() => h.close());

/** `customer.updated` handled by a probe that takes `ms` and counts the batches applying at once. */
function probe(ms: number) {
  const running = new Map<object, number>(); // transaction → its handlers still running
  let most = 0;
  const map: HandlerMap = {
    ...handlers,
    'customer.updated': async (ctx) => {
      running.set(ctx.tx, (running.get(ctx.tx) ?? 0) + 1);
      most = Math.max(most, running.size);
      await new Promise((r) => setTimeout(r, ms));
      const left = running.get(ctx.tx)! - 1;
      if (left === 0) running.delete(ctx.tx);
      else running.set(ctx.tx, left);
      return { outcome: 'applied' };
    },
  };
  return {
    handlers: map,
    most: () => most,
    reset: () => (most = 0),
  };
}

/** `n` customer.updated events of `n` different customers (so every loop could take some), stored as the ingest does. */
async function deliver(n: number): Promise<void> {
  run++;
  const customer = fixture<Record<string, unknown>>('object.customer');
  await h.deliverMany(
    Array.from({ length: n }, (_, i) =>
      event('customer.updated', { ...customer, id: `cus_loop${run}_${i}` }, 1_790_000_000 + i, {
        id: `evt_loop${run}_${i}`,
      }),
    ) as Stripe.Event[],
  );
}

const due = async () =>
  Number(
    (
      await h.q<{ n: string }>(
        `SELECT count(*)::text AS n FROM stripe_events WHERE status IN ('pending', 'parked')`,
      )
    )[0]!.n,
  );

async function until(condition: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The loops start before their listener has heard a NOTIFY: the probe watches from when it has. */
async function listening(p: ReturnType<typeof probe>): Promise<void> {
  await until(
    async () =>
      (
        await h.q(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ${EVENTS_CHANNEL}'`,
        )
      ).length > 0,
  );
  // Then a few NOTIFYs, and the batches the loops had started before hearing them.
  await new Promise((r) => setTimeout(r, 200));
  p.reset();
}

/** What the ingest sends while it stores deliveries: a NOTIFY every 10 ms, until stopped. */
function arrivals(): { stop(): void } {
  const timer = setInterval(() => {
    h.t.pool.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`).catch(() => {});
  }, 10);
  return { stop: () => clearInterval(timer) };
}

describe('the dispatcher gives way to deliveries', () => {
  let dispatcher: Dispatcher | undefined;
  const stop = async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
  };

  it('while deliveries arrive one loop applies, resting between batches; once they stop every loop runs', async () => {
    const p = probe(10);
    await deliver(400);
    const notifying = arrivals();
    // A wide arrival window: a NOTIFY late by a busy test machine must not end the arrivals.
    dispatcher = startDispatcher(h.deps, {
      handlers: p.handlers,
      concurrency: 4,
      batchSize: 8,
      arrivalWindowMs: 1000,
    });
    try {
      await listening(p);
      const before = await due();
      await new Promise((r) => setTimeout(r, 400));
      const applied = before - (await due());
      expect(p.most()).toBe(1);
      // It applies (not a stop) but rests: in 400 ms one loop resting twice each batch's ~10 ms takes ~13 batches
      // of 8; four loops flat out would take ~160.
      expect(applied).toBeGreaterThan(0);
      expect(applied).toBeLessThan(8 * 25);
      notifying.stop();
      await until(async () => (await due()) === 0);
      // Arrivals over (the window has passed): the next events are taken by every loop.
      await new Promise((r) => setTimeout(r, 1100));
      p.reset();
      await deliver(400);
      dispatcher.wake();
      await until(async () => (await due()) === 0);
      expect(p.most()).toBeGreaterThan(1);
    } finally {
      notifying.stop();
      await stop();
    }
  });

  /**
   * 800 events drained while deliveries arrive, by four loops started with `options` after the stored events have
   * waited `waitedMs` by the dispatcher's clock: how many batches were applying at once, at most.
   */
  async function mostBatchesWhileArriving(options: Partial<DispatcherOptions>, waitedMs = 0) {
    const p = probe(10);
    await deliver(800);
    h.clock.advance(waitedMs);
    const notifying = arrivals();
    dispatcher = startDispatcher(h.deps, { handlers: p.handlers, concurrency: 4, batchSize: 8, ...options });
    try {
      await listening(p);
      await until(async () => (await due()) === 0);
      return p.most();
    } finally {
      notifying.stop();
      await stop();
    }
  }

  it('once the earliest due event has waited maxYieldLagMs, every loop runs although deliveries still arrive', async () => {
    expect(await mostBatchesWhileArriving({ maxYieldLagMs: 5000 }, 10_000)).toBeGreaterThan(1);
  });

  it('yieldToIngest: false runs every loop whatever arrives', async () => {
    expect(await mostBatchesWhileArriving({ yieldToIngest: false })).toBeGreaterThan(1);
  });
});
