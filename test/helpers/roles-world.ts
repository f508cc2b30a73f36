/**
 * A small world for the roles/dunning tests (issue 5): its own migrated database, real Deps on a FakeClock, users
 * and plans seeded with explicit values, and events (built with the story factory, test/story) applied through the dispatcher's `applyEvent` with the real handlers map — one
 * transaction per event, exactly as the worker applies them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers, asserted literally */
import Stripe from 'stripe';
import { FakeClock } from '../../src/clock.js';
import type { Deps } from '../../src/deps.js';
import { applyEvent } from '../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { orderingKeyOf } from '../../src/inbox/webhooks/types.js';
import { sql } from 'drizzle-orm';
import { users } from '../../src/accounts/accounts.tables.js';
import { planPrices, plans } from '../../src/billing/billing.tables.js';
import type { Role } from '../../src/accounts/roles/role.js';
import type { TestDatabase } from './db.js';
import { testDeps } from './app.js';
import { iso, PRICES, T0 } from '../story/index.js';

export interface World {
  t: TestDatabase;
  deps: Deps;
  clock: FakeClock;
  apply(...events: Stripe.Event[]): Promise<Array<{ status: string; note: string | null }>>;
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

export async function roleWorld(label: string, env: Record<string, string> = {}): Promise<World> {
  const { t, deps, clock, close } = await testDeps({
    env,
    clock: new FakeClock(iso(T0)),
    label,
    maxConnections: 8,
  });
  await seedRolePlans(deps);
  const w: World = {
    t,
    deps,
    clock,
    apply: (...events) => applyEvents(deps, events),
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

/** Plans `pro` (professional, 2900/month) and `enterprise` (enterprise, 9900/month, 3 days of grace). */
export async function seedRolePlans(deps: Deps): Promise<void> {
  await deps.db.insert(plans).values([
    { key: 'pro', name: 'Pro', grantsRole: 'professional' },
    { key: 'enterprise', name: 'Enterprise', grantsRole: 'enterprise', graceDays: 3 },
  ]);
  const rows = await deps.db.select().from(plans);
  const id = (key: string) => rows.find((p) => p.key === key)!.id;
  await deps.db.insert(planPrices).values([
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

export async function addUserTo(
  deps: Deps,
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

export async function addUser(
  w: World,
  id: string,
  o: { role?: Role; email?: string; provider?: string } = {},
) {
  await w.deps.db.insert(users).values({
    id,
    name: id,
    email: o.email ?? `${id}@example.com`,
    emailVerified: true,
    role: o.role ?? 'member',
    signupProvider: o.provider ?? 'email',
  });
}
