/**
 * Harness for the billing handlers: its own database, real Deps (FakeClock), Stripe events stored in the inbox as the
 * ingest stores them and applied by the real dispatcher with the real handlers map.
 * Its events come from the story factory (test/story).
 */
import type Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import { FakeClock } from '../../src/clock.js';
import type { Deps } from '../../src/deps.js';
import { drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { orderingKeyOf } from '../../src/inbox/webhooks/types.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { users } from '../../src/accounts/accounts.tables.js';
import { planPrices, plans } from '../../src/billing/billing.tables.js';
import type { TestDatabase } from './db.js';
import { testDeps } from './app.js';
import { IDS } from '../story/index.js';

export interface Harness {
  t: TestDatabase;
  deps: Deps;
  clock: FakeClock;
  /** Stores the event as the ingest does (ON CONFLICT DO NOTHING: a duplicate delivery stores nothing). */
  deliver(event: Stripe.Event): Promise<{ eventId: string; duplicate: boolean }>;
  drain(opts?: { maxAttempts?: number; limit?: number }): Promise<number>;
  /** Stores several deliveries in one statement (duplicates among them store nothing twice). */
  deliverMany(events: Stripe.Event[]): Promise<void>;
  /** Delivers then drains. */
  apply(...events: Stripe.Event[]): Promise<void>;
  q<R extends Record<string, unknown>>(query: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export async function harness(label = 'billing-handlers'): Promise<Harness> {
  const { t, deps, clock, close } = await testDeps({
    clock: new FakeClock('2026-11-01T00:00:00Z'),
    label,
    maxConnections: 12,
  });
  const isHandled = (type: string) => type in handlers;
  const h: Harness = {
    t,
    deps,
    clock,
    async deliver(event) {
      // Stored exactly as the ingest stores a verified delivery (signature checks are the pipeline's own tests).
      const object = event.data.object as { id?: unknown };
      const status = isHandled(event.type) ? 'pending' : 'skipped';
      const res = await t.pool.query(
        `INSERT INTO stripe_events (id, type, api_version, livemode, created_at, ordering_key, object_id, payload,
                                    received_at, status, available_at)
         VALUES ($1, $2, $3, $4, to_timestamp($5), $6, $7, $8::json, $9, $10, $9)
         ON CONFLICT (id) DO NOTHING`,
        [
          event.id,
          event.type,
          event.api_version ?? null,
          event.livemode,
          event.created,
          orderingKeyOf(event),
          typeof object.id === 'string' ? object.id : null,
          JSON.stringify(event),
          clock.now(),
          status,
        ],
      );
      return { eventId: event.id, duplicate: res.rowCount === 0 };
    },
    async deliverMany(events) {
      if (!events.length) return;
      const col = <T>(f: (e: Stripe.Event) => T) => events.map(f);
      await t.pool.query(
        `INSERT INTO stripe_events (id, type, api_version, livemode, created_at, ordering_key, object_id, payload,
                                    received_at, status, available_at)
         SELECT id, type, api_version, livemode, to_timestamp(created), ordering_key, object_id, payload::json, $9, status, $9
         FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::bigint[], $6::text[], $7::text[], $8::text[], $10::text[])
              AS u(id, type, api_version, livemode, created, ordering_key, object_id, payload, status)
         ON CONFLICT (id) DO NOTHING`,
        [
          col((e) => e.id),
          col((e) => e.type),
          col((e) => e.api_version ?? null),
          col((e) => e.livemode),
          col((e) => e.created),
          col((e) => orderingKeyOf(e)),
          col((e) => {
            const id = (e.data.object as { id?: unknown }).id;
            return typeof id === 'string' ? id : null;
          }),
          col((e) => JSON.stringify(e)),
          clock.now(),
          col((e) => (isHandled(e.type) ? 'pending' : 'skipped')),
        ],
      );
    },
    drain: (opts = {}) => drainEvents(deps, { handlers, maxAttempts: opts.maxAttempts ?? 3 }, opts.limit),
    async apply(...events) {
      for (const e of events) await h.deliver(e);
      await h.drain();
    },
    async q(query, params = []) {
      return (await t.pool.query(query, params)).rows;
    },
    close,
  };
  return h;
}

/** The fixture story's user and catalogue: user_42 (verified), plan `pro` with the monthly 2000 and yearly 20000 usd prices. */
export async function seedStoryCatalogue(db: Deps['db']): Promise<{ planId: string }> {
  await db
    .insert(users)
    .values({ id: 'user_42', name: 'Jenny Rosen', email: 'jenny.rosen@example.com', emailVerified: true })
    .onConflictDoNothing();
  const [plan] = await db
    .insert(plans)
    .values({ key: 'pro', name: 'Pro', grantsRole: 'professional', stripeProductId: IDS.product })
    .returning();
  await db.insert(planPrices).values([
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

/** seedStoryCatalogue on the harness's database. */
export const seedStory = (h: Harness) => seedStoryCatalogue(h.deps.db);

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
