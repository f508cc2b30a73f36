/**
 * The world a story is told to over HTTP: an app on its own database (cloned from the template), a FakeClock, the
 * webhook secret configured, events posted signed to `/webhooks/stripe` and applied by the dispatcher.
 * - the whole app (buildApp: webhook route, admin routes; `adminKey` adds an admin API key and its `admin` header);
 * - or, with `webhookHandlers`, only the webhook plugin on a bare Fastify with that handlers map (and `root` run
 *   first), the queue started: the ingest's own tests.
 *
 *   const h = await storyApp({ label: 'reports', adminKey, start: '2026-07-01T00:00:00Z' });
 *   await h.postAll(events, { processed: events.length });
 */
import { expect } from 'vitest';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import type Stripe from 'stripe';
import { FakeClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import type { Deps } from '../../src/deps.js';
import { handleError } from '../../src/http/error-handler.js';
import {
  drainEventOutcomes,
  drainEvents,
  type DispatchOptions,
} from '../../src/inbox/webhooks/dispatch-event.js';
import { handlers as appHandlers } from '../../src/inbox/webhooks/handlers/index.js';
import { webhookRoutes } from '../../src/inbox/webhooks/webhook.routes.js';
import type { HandlerMap } from '../../src/inbox/webhooks/types.js';
import type { TestDatabase } from '../helpers/db.js';
import { testApp, testDeps } from '../helpers/app.js';
import { postWebhook, WEBHOOK_SECRET } from './webhooks.js';

export interface StoryAppOptions {
  label: string;
  /** The FakeClock's start (default 2026-11-01T00:00:00Z). */
  start?: string;
  /** A clock shared with another app (instead of `start`). */
  clock?: FakeClock;
  /** ADMIN_API_KEYS (whole app only); `admin` is its Authorization header. */
  adminKey?: string;
  /** Starts the job queue (the webhook-only app always starts it). */
  startQueue?: boolean;
  env?: Record<string, string | undefined>;
  database?: TestDatabase;
  /** Only the webhook plugin, with this handlers map. */
  webhookHandlers?: HandlerMap;
  /** Webhook-only app: root-level setup before the plugin is registered (e.g. a global JSON parser, R4). */
  root?: (app: FastifyInstance) => void | Promise<void>;
}

export interface StoryApp {
  app: FastifyInstance;
  deps: Deps;
  config: Config;
  clock: FakeClock;
  t: TestDatabase;
  logFile: string;
  /** `{ authorization: Bearer <adminKey> }` (empty without one). */
  admin: Record<string, string>;
  /** Posts an event (or raw text) signed at the clock's now. */
  post(event: Stripe.Event | string): Promise<LightMyRequestResponse>;
  /** Applies every due event (the app's handlers map, or `webhookHandlers`); answers how many. */
  drain(opts?: Partial<DispatchOptions>): Promise<number>;
  /** drain, answering each event's outcome. */
  drainOutcomes(opts?: Partial<DispatchOptions>): ReturnType<typeof drainEventOutcomes>;
  /** Posts each event (each answered 200), drains (3 attempts) and checks `processed` events stored, all processed. */
  postAll(events: Stripe.Event[], o: { processed: number }): Promise<void>;
  q<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export async function storyApp(opts: StoryAppOptions): Promise<StoryApp> {
  const clock = opts.clock ?? new FakeClock(opts.start ?? '2026-11-01T00:00:00Z');
  const env = {
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...(opts.adminKey ? { ADMIN_API_KEYS: opts.adminKey } : {}),
    ...opts.env,
  };
  const database = opts.database ? { database: opts.database } : {};
  const handlers = opts.webhookHandlers ?? appHandlers;
  let base: Omit<StoryApp, 'admin' | 'post' | 'drain' | 'drainOutcomes' | 'postAll' | 'q'>;
  if (opts.webhookHandlers) {
    const d = await testDeps({ env, clock, label: opts.label, ...database });
    await d.deps.queue.start();
    const app = Fastify({ loggerInstance: d.deps.logger }) as unknown as FastifyInstance;
    app.setErrorHandler(handleError);
    await opts.root?.(app);
    await app.register(webhookRoutes, { deps: d.deps, handlers: opts.webhookHandlers });
    await app.ready();
    base = {
      ...d,
      app,
      async close() {
        await app.close();
        await d.close();
      },
    };
  } else {
    const h = await testApp({
      env,
      clock,
      label: opts.label,
      ...(opts.startQueue ? { startQueue: true } : {}),
      ...database,
    });
    base = { ...h, clock };
  }
  const s: StoryApp = {
    ...base,
    admin: opts.adminKey ? { authorization: `Bearer ${opts.adminKey}` } : {},
    post: (event) => postWebhook(base.app, event, { at: clock.now() }),
    drain: (d = {}) => drainEvents(base.deps, { handlers, ...d }),
    drainOutcomes: (d = {}) => drainEventOutcomes(base.deps, { handlers, ...d }),
    async postAll(events, o) {
      for (const e of events) expect((await s.post(e)).statusCode).toBe(200);
      await drainEvents(base.deps, { handlers, maxAttempts: 3 });
      const { rows } = await base.t.pool.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM stripe_events GROUP BY status ORDER BY status`,
      );
      expect(rows).toEqual([{ status: 'processed', n: o.processed }]);
    },
    q: async <R extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
      (await base.t.pool.query<R>(text, params)).rows,
  };
  return s;
}
