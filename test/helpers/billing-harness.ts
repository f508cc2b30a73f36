/**
 * Harness for the billing handlers: its own database, real Deps (FakeClock), Stripe events delivered through the
 * real ingest (signed at the clock's now) and applied by the real dispatcher with the real handlers map.
 * Event builders take the shared Stripe fixtures (test/fixtures/stripe) and explicit overrides.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import { FakeClock } from '../../src/clock.js';
import { buildDeps } from '../../src/cli/build-deps.js';
import type { Deps } from '../../src/deps.js';
import { drainEvents } from '../../src/billing/webhooks/dispatch-event.js';
import { ingestEvent, type IngestResult } from '../../src/billing/webhooks/ingest-event.js';
import { handlers } from '../../src/billing/webhooks/handlers/index.js';
import { users } from '../../src/accounts/accounts.tables.js';
import { planPrices, plans } from '../../src/billing/billing.tables.js';
import { testDatabase, type TestDatabase } from './db.js';
import { testConfig } from './app.js';
import { testLogger } from './log-capture.js';

export const HARNESS_SECRET = 'whsec_billing_handlers_secret_0123456789ab';
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/stripe');

/** A fresh copy of a fixture file (`object.subscription.active`, `event.invoice.paid`, …). */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as T;
}

/** The ids of the fixture story (see test/fixtures/stripe/_manifest.json). */
export const IDS = fixture<{ ids: Record<string, string> }>('_manifest').ids as {
  customer: string;
  customer_checkout: string;
  product: string;
  price_monthly: string;
  price_yearly: string;
  payment_method: string;
  subscription: string;
  subscription_item: string;
  subscription_checkout: string;
  invoice_1_paid: string;
  invoice_2_failed: string;
  payment_intent_1: string;
  payment_intent_2: string;
  charge_1: string;
  charge_2_failed: string;
  refund: string;
  dispute: string;
};

let seq = 0;
/** A unique, well-formed event id (sortable by creation within a run). */
export function eventId(label = 'x'): string {
  seq += 1;
  return `evt_${label.replace(/[^A-Za-z0-9]/g, '')}${String(seq).padStart(6, '0')}`;
}

/** An event envelope around an object. */
export function eventOf<T extends Stripe.Event.Type>(
  type: T,
  object: object,
  o: { id?: string; created: number; previous?: object },
): Extract<Stripe.Event, { type: T }> {
  return {
    id: o.id ?? eventId(type),
    object: 'event',
    api_version: '2026-10-28.endive',
    created: o.created,
    data: { object, ...(o.previous ? { previous_attributes: o.previous } : {}) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  } as unknown as Extract<Stripe.Event, { type: T }>;
}

export interface Harness {
  t: TestDatabase;
  deps: Deps;
  clock: FakeClock;
  deliver(event: Stripe.Event): Promise<IngestResult>;
  drain(opts?: { maxAttempts?: number; limit?: number }): Promise<number>;
  /** Delivers then drains. */
  apply(...events: Stripe.Event[]): Promise<void>;
  q<R extends Record<string, unknown>>(query: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export async function harness(label = 'billing-handlers'): Promise<Harness> {
  const t = await testDatabase({ max: 12 });
  const config = testConfig({ STRIPE_WEBHOOK_SECRET: HARNESS_SECRET });
  const { logger } = testLogger(label);
  const clock = new FakeClock('2026-11-01T00:00:00Z');
  const deps = buildDeps(config, {
    databaseUrl: t.url,
    logger,
    clock,
    maxConnections: 12,
    maintenance: false,
  });
  const isHandled = (type: string) => type in handlers;
  const h: Harness = {
    t,
    deps,
    clock,
    async deliver(event) {
      const raw = Buffer.from(JSON.stringify(event));
      const header = Stripe.webhooks.generateTestHeaderString({
        payload: raw.toString(),
        secret: HARNESS_SECRET,
        timestamp: Math.floor(clock.now().getTime() / 1000),
      });
      return ingestEvent({ config, clock, pool: t.pool, logger }, isHandled, {
        raw,
        signatureHeaders: [header],
      });
    },
    drain: (opts = {}) => drainEvents(deps, { handlers, maxAttempts: opts.maxAttempts ?? 3 }, opts.limit),
    async apply(...events) {
      for (const e of events) await h.deliver(e);
      await h.drain();
    },
    async q(query, params = []) {
      return (await t.pool.query(query, params)).rows;
    },
    async close() {
      await deps.database.close();
      await t.drop();
    },
  };
  return h;
}

/** The fixture story's user and catalogue: user_42 (verified), plan `pro` with the monthly 2000 and yearly 20000 usd prices. */
export async function seedStory(h: Harness): Promise<{ planId: string }> {
  await h.deps.db
    .insert(users)
    .values({ id: 'user_42', name: 'Jenny Rosen', email: 'jenny.rosen@example.com', emailVerified: true })
    .onConflictDoNothing();
  const [plan] = await h.deps.db
    .insert(plans)
    .values({ key: 'pro', name: 'Pro', grantsRole: 'professional', stripeProductId: IDS.product })
    .returning();
  await h.deps.db.insert(planPrices).values([
    {
      planId: plan!.id,
      stripePriceId: IDS.price_monthly,
      currency: 'usd',
      unitAmountMinor: 2000,
      interval: 'month',
    },
    {
      planId: plan!.id,
      stripePriceId: IDS.price_yearly,
      currency: 'usd',
      unitAmountMinor: 20000,
      interval: 'year',
    },
  ]);
  return { planId: plan!.id };
}

export async function count(
  h: Harness,
  table: string,
  where = 'true',
  params: unknown[] = [],
): Promise<number> {
  const rows = await h.q<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0]?.n ?? 0);
}

export { sql };
