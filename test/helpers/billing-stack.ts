/**
 * The whole billing stack for scenario tests: the Stripe sandbox (frozen clock, webhooks signed with its clock)
 * and a real app (testApp) pointed at it, with a FakeClock that moves with the sandbox's clock. With
 * `webhooks: true` the app listens on a real port, the sandbox delivers signed webhooks to its real
 * `/webhooks/stripe`, and `settle()` waits until every delivery was acknowledged and every event applied by the
 * real handlers.
 *
 *   const s = await billingStack({ webhooks: true });
 *   afterAll(() => s.close());
 *   await s.advance({ days: 31 });   // sandbox clock + app clock; renewals happen; then settle()
 */
import crypto from 'node:crypto';
import { startSandbox, type SandboxHandle } from '../../sandbox/index.js';
import { FakeClock, toUnix } from '../../src/clock.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { handleError } from '../../src/http/error-handler.js';
import { webhookRoutes } from '../../src/inbox/webhooks/webhook.routes.js';
import { drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { testApp, type TestApp } from './app.js';
import type { TestDatabase } from './db.js';
import { adminSession, type Session } from './auth.js';

export const STACK_START = '2026-01-15T12:00:00Z';

export interface BillingStack {
  sandbox: SandboxHandle;
  h: TestApp;
  clock: FakeClock;
  webhookSecret: string;
  admin(): Promise<Session>;
  /** Waits until the sandbox delivered every pending webhook and the app applied every stored event. */
  settle(): Promise<void>;
  /** Moves the sandbox clock (renewals, retries, cancellations due run) and the app clock together, then settles. */
  advance(by: { days?: number; hours?: number; seconds?: number }): Promise<void>;
  close(): Promise<void>;
}

export interface BillingStackOptions {
  webhooks?: boolean;
  label?: string;
  database?: TestDatabase;
  env?: Record<string, string | undefined>;
  /** Settle() applies stored events with the real handlers through the dispatcher's drain (default true). */
  drain?: boolean;
  /** The port the app listens on with `webhooks: true` (default: any free one); browser tests set APP_URL to it. */
  port?: number;
}

export async function billingStack(opts: BillingStackOptions = {}): Promise<BillingStack> {
  const clock = new FakeClock(STACK_START);
  const sandbox = await startSandbox({
    startTime: toUnix(clock.now()),
    settings: { signWithSandboxClock: true },
  });
  const webhookSecret = `whsec_${crypto.randomBytes(24).toString('hex')}`;
  const h = await testApp({
    clock,
    label: opts.label ?? 'billing-stack',
    startQueue: opts.webhooks === true,
    ...(opts.database ? { database: opts.database } : {}),
    env: {
      STRIPE_SECRET_KEY: sandbox.secretKey,
      STRIPE_API_URL: sandbox.url,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      ...opts.env,
    },
  });
  let webhookServer: FastifyInstance | undefined;
  if (opts.webhooks) {
    // The app's own /webhooks/stripe when buildApp registers it; else the same plugin on its own server.
    let server: FastifyInstance = h.app;
    if (!h.app.hasRoute({ method: 'POST', url: '/webhooks/stripe' })) {
      webhookServer = Fastify({ loggerInstance: h.deps.logger }) as unknown as FastifyInstance;
      webhookServer.setErrorHandler(handleError);
      await webhookServer.register(webhookRoutes, { deps: h.deps, handlers });
      server = webhookServer;
    }
    await server.listen({ port: server === h.app ? (opts.port ?? 0) : 0, host: '127.0.0.1' });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await sandbox.control.registerWebhook({
      url: `http://127.0.0.1:${port}/webhooks/stripe`,
      secret: webhookSecret,
    });
  }
  let adminS: Session | undefined;
  const stack: BillingStack = {
    sandbox,
    h,
    clock,
    webhookSecret,
    async admin() {
      adminS ??= await adminSession(h);
      return adminS;
    },
    async settle() {
      let last = '';
      for (let i = 0; i < 20; i++) {
        await sandbox.control.flush();
        const applied = opts.drain === false ? 0 : await drainEvents(h.deps, { handlers });
        const pending = await sandbox.control.flush();
        if (applied === 0 && pending.queued === 0 && pending.retrying === 0 && pending.delayed === 0) return;
        // Deliveries made while the sandbox clock was moving carry signatures of intermediate instants, outside the
        // app clock's ±300 s: Stripe retries them (re-signed) — here at once, now that both clocks agree.
        if (pending.retrying > 0) await sandbox.control.retryNow();
        const failing = (await sandbox.control.deliveries()).filter(
          (d) => d.status !== 200 && d.error !== 'dropped by fault injection',
        );
        last = `applied ${applied}, pending ${JSON.stringify(pending)}, failing deliveries ${JSON.stringify(failing.slice(-3))}`;
      }
      throw new Error(`billing stack did not settle after 20 rounds: ${last}`);
    },
    async advance(by) {
      const seconds = (by.days ?? 0) * 86400 + (by.hours ?? 0) * 3600 + (by.seconds ?? 0);
      const { now } = await sandbox.control.advanceClock({ by: seconds });
      clock.set(now * 1000);
      await stack.settle();
    },
    async close() {
      await webhookServer?.close();
      await h.close();
      await sandbox.stop();
    },
  };
  return stack;
}
