/**
 * A small world for the roles/dunning tests (issue 5): its own migrated database, real Deps on a FakeClock, users
 * and plans seeded with explicit values, Stripe objects built from the shared fixtures (test/fixtures/stripe) with
 * explicit overrides, and events applied through the dispatcher's `applyEvent` with the real handlers map — one
 * transaction per event, exactly as the worker applies them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON answers and fixture copies, asserted literally */
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
import { eventOf, fixture } from './billing-harness.js';

export const DAY = 86_400;
/** 2026-09-13T00:00:00Z (unix seconds): the start of every story here. */
export const T0 = 1_789_257_600;
export const iso = (unix: number) => new Date(unix * 1000).toISOString();

export const PRICES = {
  pro: 'price_pro_monthly',
  enterprise: 'price_ent_monthly',
  unknown: 'price_not_in_catalogue',
} as const;
export const AMOUNTS: Record<string, number> = {
  [PRICES.pro]: 2900,
  [PRICES.enterprise]: 9900,
  [PRICES.unknown]: 500,
};

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

// ─── Stripe objects (fixture copies with explicit overrides) ──────────────────────────────────────────────────

export function customerObj(
  id: string,
  userId: string,
  o: { created?: number; defaultPm?: string | null } = {},
) {
  const c = fixture<Record<string, any>>('object.customer');
  c.id = id;
  c.email = `${userId}@example.com`;
  c.metadata = { user_id: userId };
  c.created = o.created ?? T0 - DAY;
  c.invoice_settings = { ...(c.invoice_settings ?? {}), default_payment_method: o.defaultPm ?? null };
  c.default_source = null;
  return c;
}

export interface SubSpec {
  id: string;
  customer: string;
  price: string;
  status: Stripe.Subscription.Status;
  periodStart: number;
  periodEnd: number;
  created?: number;
  latestInvoice?: string | null;
  cancelAtPeriodEnd?: boolean;
  canceledAt?: number | null;
  endedAt?: number | null;
}

export function subscriptionObj(s: SubSpec) {
  const o = fixture<Record<string, any>>('object.subscription.active');
  o.id = s.id;
  o.customer = s.customer;
  o.status = s.status;
  o.created = s.created ?? s.periodStart;
  o.start_date = o.created;
  o.billing_cycle_anchor = s.periodStart;
  o.latest_invoice = s.latestInvoice ?? null;
  o.cancel_at_period_end = s.cancelAtPeriodEnd ?? false;
  o.cancel_at = s.cancelAtPeriodEnd ? s.periodEnd : null;
  o.canceled_at = s.canceledAt ?? null;
  o.ended_at = s.endedAt ?? null;
  o.metadata = {};
  o.trial_start = null;
  o.trial_end = null;
  const item = o.items.data[0];
  item.id = `si_${s.id}`;
  item.subscription = s.id;
  item.current_period_start = s.periodStart;
  item.current_period_end = s.periodEnd;
  item.price = {
    ...item.price,
    id: s.price,
    unit_amount: AMOUNTS[s.price],
    unit_amount_decimal: String(AMOUNTS[s.price]),
    lookup_key: null,
    product: 'prod_test',
  };
  item.plan = {
    ...item.plan,
    id: s.price,
    amount: AMOUNTS[s.price],
    amount_decimal: String(AMOUNTS[s.price]),
    product: 'prod_test',
  };
  o.items.data = [item];
  return o;
}

export interface InvoiceSpec {
  id: string;
  customer: string;
  subscription: string;
  status: 'open' | 'paid' | 'void';
  amountDue: number;
  attempt?: number;
  created: number;
  paidAt?: number | null;
  number?: string;
}

export function invoiceObj(s: InvoiceSpec) {
  const o = fixture<Record<string, any>>(
    s.status === 'paid' ? 'object.invoice.paid' : 'object.invoice.open_payment_failed',
  );
  o.id = s.id;
  o.customer = s.customer;
  o.status = s.status;
  o.number = s.number ?? `INV-${s.id}`;
  o.created = s.created;
  o.amount_due = s.amountDue;
  o.amount_paid = s.status === 'paid' ? s.amountDue : 0;
  o.amount_remaining = s.status === 'paid' ? 0 : s.amountDue;
  o.subtotal = s.amountDue;
  o.total = s.amountDue;
  o.attempt_count = s.attempt ?? 1;
  o.attempted = true;
  o.next_payment_attempt = s.status === 'paid' ? null : s.created + 3 * DAY;
  o.parent = {
    type: 'subscription_details',
    quote_details: null,
    subscription_details: { metadata: {}, subscription: s.subscription },
  };
  o.status_transitions = {
    finalized_at: s.created,
    marked_uncollectible_at: null,
    paid_at: s.status === 'paid' ? (s.paidAt ?? s.created) : null,
    voided_at: null,
  };
  o.payments = undefined;
  o.lines = { object: 'list', data: [], has_more: false, url: `/v1/invoices/${s.id}/lines` };
  o.period_start = s.created - 30 * DAY;
  o.period_end = s.created;
  return o;
}

let n = 0;
/** An event with a unique id whose order follows creation (`evt_<label><seq>`). */
export function ev<T extends Stripe.Event.Type>(type: T, object: object, created: number) {
  n += 1;
  return eventOf(type, object, {
    id: `evt_r${String(n).padStart(6, '0')}${type.replace(/[^a-z]/g, '').slice(0, 20)}`,
    created,
  });
}
