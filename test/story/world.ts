/**
 * The world a story is told in: its own migrated database (cloned from the template), real Deps on a FakeClock, the
 * real handlers map. Events reach it as they reach the app:
 * - `deliver` / `deliverMany` store them in the inbox exactly as the ingest stores a verified delivery, `drain`
 *   applies them with the real dispatcher, `apply` does both;
 * - `applyEach` stores each one and applies it in its own transaction with the dispatcher's `applyEvent` (no queue,
 *   no retries), answering each outcome.
 * Catalogues and users are seeded with explicit values (`catalogue`, `seedRolesCatalogue`, `seedFixtureCatalogue`,
 * `addUser`).
 *
 *   const w = await storyWorld({ label: 'roles-pay', start: iso(T0), maxConnections: 8, catalogue: 'roles' });
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the cause chain of an audit row, asserted literally */
import type Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import { FakeClock } from '../../src/clock.js';
import type { Deps } from '../../src/deps.js';
import { applyEvent, drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { orderingKeyOf } from '../../src/inbox/webhooks/types.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { users } from '../../src/accounts/accounts.tables.js';
import { planPrices, plans } from '../../src/billing/billing.tables.js';
import type { Role } from '../../src/accounts/roles/role.js';
import type { TestDatabase } from '../helpers/db.js';
import { testDeps } from '../helpers/app.js';
import { IDS } from './fixtures.js';
import { PRICES } from './objects.js';

export interface StoryWorldOptions {
  label: string;
  /** The FakeClock's start (default 2026-11-01T00:00:00Z). */
  start?: string;
  /** Default 12. */
  maxConnections?: number;
  env?: Record<string, string>;
  /** `roles`: seedRolesCatalogue; `fixture`: seedFixtureCatalogue; default none. */
  catalogue?: 'roles' | 'fixture';
}

export interface StoryWorld {
  t: TestDatabase;
  deps: Deps;
  clock: FakeClock;
  /** Stores the event as the ingest does (ON CONFLICT DO NOTHING: a duplicate delivery stores nothing). */
  deliver(event: Stripe.Event): Promise<{ eventId: string; duplicate: boolean }>;
  /** Stores several deliveries in one statement (duplicates among them store nothing twice). */
  deliverMany(events: Stripe.Event[]): Promise<void>;
  drain(opts?: { maxAttempts?: number; limit?: number }): Promise<number>;
  /** Delivers then drains. */
  apply(...events: Stripe.Event[]): Promise<void>;
  /** applyEvents: each event in its own transaction, its outcome answered. */
  applyEach(...events: Stripe.Event[]): Promise<Array<{ status: string; note: string | null }>>;
  q<R extends Record<string, unknown>>(query: string, params?: unknown[]): Promise<R[]>;
  role(userId: string): Promise<Role>;
  /** The user's role changes from the audit log, oldest first. */
  roleChanges(userId: string): Promise<RoleChange[]>;
  close(): Promise<void>;
}

/** A `user.role_changed` audit row, with the roles before/after (`b`, `a`) and what caused it (`by`). */
export interface RoleChange {
  actor_type: string;
  actor_id: string;
  before: { role: string };
  after: { role: string };
  reason: string | null;
  /** The cause chain; its shape varies by kind. */
  cause: any;
  /** The writing transaction (rows of one transaction share it). */
  xid: string;
  b: string;
  a: string;
  /** The causing event type, or the actor when no event caused it (an admin, a job). */
  by: string;
}

export async function storyWorld(opts: StoryWorldOptions): Promise<StoryWorld> {
  const { t, deps, clock, close } = await testDeps({
    ...(opts.env ? { env: opts.env } : {}),
    clock: new FakeClock(opts.start ?? '2026-11-01T00:00:00Z'),
    label: opts.label,
    maxConnections: opts.maxConnections ?? 12,
  });
  if (opts.catalogue === 'roles') await seedRolesCatalogue(deps.db);
  if (opts.catalogue === 'fixture') await seedFixtureCatalogue(deps.db);
  const isHandled = (type: string) => type in handlers;
  const w: StoryWorld = {
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
    drain: (o = {}) => drainEvents(deps, { handlers, maxAttempts: o.maxAttempts ?? 3 }, o.limit),
    async apply(...events) {
      for (const e of events) await w.deliver(e);
      await w.drain();
    },
    applyEach: (...events) => applyEvents(deps, events),
    async q(query, params = []) {
      return (await t.pool.query(query, params)).rows;
    },
    roleChanges: (userId) =>
      w.q<RoleChange & Record<string, unknown>>(
        `SELECT actor_type, actor_id, before, after, reason, cause, xmin::text AS xid, before->>'role' AS b,
                after->>'role' AS a, coalesce(cause->>'type', actor_id) AS by
         FROM audit_log WHERE action = 'user.role_changed' AND subject_id = $1 ORDER BY id`,
        [userId],
      ),
    async role(userId) {
      const [u] = await w.q<{ role: Role }>(`SELECT role FROM users WHERE id = $1`, [userId]);
      return u!.role;
    },
    close,
  };
  return w;
}

/**
 * Stores each event in the inbox as the ingest would (so history-based features see it) and applies it in one
 * transaction with the dispatcher's applyEvent, recording the outcome on the row as the dispatcher does.
 */
export async function applyEvents(deps: Deps, events: Stripe.Event[]) {
  const out: Array<{ status: string; note: string | null }> = [];
  for (const e of events) {
    await deps.database.pool.query(
      `INSERT INTO stripe_events (id, type, api_version, livemode, created_at, ordering_key, object_id, payload, status)
       VALUES ($1, $2, $3, $4, to_timestamp($5), $6, $7, $8::json, 'pending') ON CONFLICT (id) DO NOTHING`,
      [
        e.id,
        e.type,
        e.api_version,
        e.livemode,
        e.created,
        orderingKeyOf(e),
        (e.data.object as { id?: string }).id ?? null,
        JSON.stringify(e),
      ],
    );
    const r = await deps.db.transaction(async (tx) => {
      const applied = await applyEvent(deps, handlers, tx, e);
      await tx.execute(
        sql`UPDATE stripe_events SET status = ${applied.status}, processed_at = now(), attempts = attempts + 1 WHERE id = ${e.id}`,
      );
      return applied;
    });
    out.push(r);
  }
  return out;
}

/** The number of rows of `table` matching `where`. */
export async function count(
  w: Pick<StoryWorld, 'q'>,
  table: string,
  where = 'true',
  params: unknown[] = [],
): Promise<number> {
  const rows = await w.q<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0]?.n ?? 0);
}

/** A verified user `id` (`<id>@example.com`, member, signed up by email unless told). */
export async function addUser(
  deps: Pick<Deps, 'db'>,
  id: string,
  o: { role?: Role; email?: string; provider?: string } = {},
) {
  await deps.db.insert(users).values({
    id,
    name: id,
    email: o.email ?? `${id}@example.com`,
    emailVerified: true,
    role: o.role ?? 'member',
    signupProvider: o.provider ?? 'email',
  });
}

/** The roles catalogue: `pro` (professional, PRICES.pro 2900/month), `enterprise` (enterprise, PRICES.enterprise
 *  9900/month, 3 days of grace). */
export async function seedRolesCatalogue(db: Deps['db']): Promise<void> {
  await db.insert(plans).values([
    { key: 'pro', name: 'Pro', grantsRole: 'professional' },
    { key: 'enterprise', name: 'Enterprise', grantsRole: 'enterprise', graceDays: 3 },
  ]);
  const rows = await db.select().from(plans);
  const id = (key: string) => rows.find((p) => p.key === key)!.id;
  await db.insert(planPrices).values([
    {
      planId: id('pro'),
      stripePriceId: PRICES.pro,
      currency: 'usd',
      unitAmountMinor: 2900,
      interval: 'month',
    },
    {
      planId: id('enterprise'),
      stripePriceId: PRICES.enterprise,
      currency: 'usd',
      unitAmountMinor: 9900,
      interval: 'month',
    },
  ]);
}

/** The fixture story's user and catalogue: user_42 (verified), plan `pro` with the monthly 2000 and yearly 20000 usd
 *  prices (IDS.price_monthly, IDS.price_yearly). */
export async function seedFixtureCatalogue(db: Deps['db']): Promise<{ planId: string }> {
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
