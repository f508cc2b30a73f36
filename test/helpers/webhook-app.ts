/**
 * A real app for webhook pipeline tests: `testApp()` (buildApp, its own database, FakeClock, captured logs) with the
 * webhook secret configured, plus the Deps the dispatcher needs. `drain()` applies every due event with the real
 * handlers, as a worker would.
 */
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { FakeClock } from '../../src/clock.js';
import type { Deps } from '../../src/deps.js';
import { handleError } from '../../src/http/error-handler.js';
import type Stripe from 'stripe';
import {
  drainEventOutcomes,
  drainEvents,
  type DispatchOptions,
} from '../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { webhookRoutes } from '../../src/inbox/webhooks/webhook.routes.js';
import type { HandlerMap } from '../../src/inbox/webhooks/types.js';
import type { TestDatabase } from './db.js';
import { testApp, testDeps } from './app.js';
import { postWebhook, WEBHOOK_SECRET } from '../story/index.js';

export interface WebhookApp {
  app: FastifyInstance;
  deps: Deps;
  clock: FakeClock;
  t: TestDatabase;
  drain(opts?: Partial<DispatchOptions>): Promise<number>;
  close(): Promise<void>;
}

export async function webhookApp(opts: {
  handlers: HandlerMap;
  env?: Record<string, string | undefined>;
  clock?: FakeClock;
  database?: TestDatabase;
  /** Root-level setup before the webhook plugin is registered (e.g. a global JSON parser, R4). */
  root?: (app: FastifyInstance) => void | Promise<void>;
  label?: string;
}): Promise<WebhookApp> {
  const { t, deps, clock, close } = await testDeps({
    env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ...opts.env },
    clock: opts.clock ?? new FakeClock('2026-01-15T12:00:00Z'),
    label: opts.label ?? 'webhooks',
    ...(opts.database ? { database: opts.database } : {}),
  });
  const { logger } = deps;
  await deps.queue.start();
  const app = Fastify({ loggerInstance: logger }) as unknown as FastifyInstance;
  app.setErrorHandler(handleError);
  await opts.root?.(app);
  await app.register(webhookRoutes, { deps, handlers: opts.handlers });
  await app.ready();
  return {
    app,
    deps,
    clock,
    t,
    drain: (d = {}) => drainEvents(deps, { handlers: opts.handlers, ...d }),
    async close() {
      await app.close();
      await close();
    },
  };
}

export const ADMIN_KEY = 'pipeline-admin-key-0123456789abcdefghij';

/**
 * The whole app (buildApp: webhook route, admin routes) with the webhook secret and an admin API key configured,
 * and the fixture story's user (user_42, verified) and catalogue (plan `pro`, monthly 2000 / yearly 20000 usd).
 */
export async function pipelineApp(opts: { database?: TestDatabase; clock?: FakeClock; label?: string } = {}) {
  const h = await testApp({
    env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ADMIN_API_KEYS: ADMIN_KEY },
    clock: opts.clock ?? new FakeClock('2026-11-01T00:00:00Z'),
    label: opts.label ?? 'pipeline',
    startQueue: true,
    ...(opts.database ? { database: opts.database } : {}),
  });
  const clock = h.clock as FakeClock;
  return {
    ...h,
    clock,
    admin: { authorization: `Bearer ${ADMIN_KEY}` },
    post: (event: Stripe.Event | string) => postWebhook(h.app, event, { at: clock.now() }),
    drain: (d: Partial<DispatchOptions> = {}) => drainEventOutcomes(h.deps, { handlers, ...d }),
    q: async <R extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
      (await h.t.pool.query<R>(text, params)).rows,
  };
}
export type PipelineApp = Awaited<ReturnType<typeof pipelineApp>>;
