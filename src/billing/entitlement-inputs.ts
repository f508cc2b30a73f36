/**
 * Billing's public read for roles: the "entitlement inputs" of users — their subscriptions with the role each plan
 * grants and the grace period of a past_due one — now (readEntitlementInputs, many users in one statement, in the
 * caller's transaction) or at a past instant rebuilt from stored history (readEntitlementInputsAt, time travel);
 * and the billing record support reads beside them (readBillingRecord). accounts/roles reads billing only through
 * this file: billing's tables, repositories and version rules stay billing's.
 *
 * Grace of a past_due subscription: the `grace_until` of its latest dunning case when that case is open (or lost:
 * then it is in the past and grants nothing). A past_due subscription whose case is not open yet (the
 * subscription's past_due event applied before the invoice's failure; the handler opens the case in the same
 * transaction) gets a provisional grace from when it was last seen changing: stripe_version_at + grace days (the
 * plan's, else the configured default).
 */
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Executor } from '../db/client.js';
import { customers, planPrices, plans, subscriptions, type SubscriptionStatus } from './billing.tables.js';
import { dunningCaseEvents, dunningCases } from '../dunning/dunning.tables.js';
import { DAY_MS } from '../dunning/dunning-schedule.js';
import { isNewer, subscriptionRank, successionOf, type Version } from './mirror/version-guard.js';
import { objectState as subscriptionState } from './subscriptions/subscriptions.repo.js';

/** The roles a plan can grant (`plans.grants_role`). */
export type GrantedRole = 'member' | 'professional' | 'enterprise';

/** One subscription as entitlement sees it. */
export interface EntitlementInput {
  id: string;
  status: SubscriptionStatus;
  /** The role the subscription's plan grants; null when the price/plan is unknown to us. */
  grantsRole: GrantedRole | null;
  /** End of the grace period (exclusive) of a past_due subscription; null otherwise. */
  graceUntil: Date | null;
  stripeSubscriptionId: string;
  planKey: string | null;
  planName: string | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** The latest dunning case of the subscription, if any. */
  dunningCaseId: string | null;
  dunningStatus: 'open' | 'recovered' | 'lost' | null;
  /** True when graceUntil is provisional (past_due with no open case yet). */
  provisionalGrace: boolean;
}

type SubRow = {
  user_id: string;
  id: string;
  stripe_subscription_id: string;
  status: SubscriptionStatus;
  stripe_version_at: Date | string;
  current_period_end: Date | string | null;
  cancel_at_period_end: boolean;
  grants_role: GrantedRole | null;
  plan_key: string | null;
  plan_name: string | null;
  grace_days: number | null;
  case_id: string | null;
  case_status: 'open' | 'recovered' | 'lost' | null;
  grace_until: Date | string | null;
};

const date = (v: Date | string | null): Date | null =>
  v === null ? null : v instanceof Date ? v : new Date(v);

/** The subscriptions of the customers linked to `userIds`, per user (in creation order), as of now. */
export async function readEntitlementInputs(
  tx: Executor,
  userIds: readonly string[],
  opts: { defaultGraceDays: number },
): Promise<Map<string, EntitlementInput[]>> {
  const out = new Map<string, EntitlementInput[]>();
  if (userIds.length === 0) return out;
  const subs = await tx.execute<SubRow>(sql`
    SELECT c.user_id, s.id, s.stripe_subscription_id, s.status, s.stripe_version_at, s.current_period_end,
           s.cancel_at_period_end, p.grants_role, p.key AS plan_key, p.name AS plan_name, p.grace_days,
           dc.id AS case_id, dc.status AS case_status, dc.grace_until
    FROM customers c
    JOIN subscriptions s ON s.customer_id = c.id
    LEFT JOIN plans p ON p.id = s.plan_id
    LEFT JOIN LATERAL (
      SELECT id, status, grace_until FROM dunning_cases d
      WHERE d.subscription_id = s.id
      ORDER BY (d.status = 'open') DESC, d.opened_at DESC, d.created_at DESC
      LIMIT 1
    ) dc ON true
    WHERE c.user_id IN (${sql.join(
      userIds.map((i) => sql`${i}`),
      sql`, `,
    )})
    ORDER BY c.user_id, s.created_at, s.id`);
  for (const r of subs.rows) {
    let graceUntil: Date | null = null;
    let provisional = false;
    if (r.status === 'past_due') {
      if (r.case_status === 'open' || r.case_status === 'lost') graceUntil = date(r.grace_until);
      else {
        provisional = true;
        graceUntil = new Date(
          (date(r.stripe_version_at) as Date).getTime() + (r.grace_days ?? opts.defaultGraceDays) * DAY_MS,
        );
      }
    }
    let list = out.get(r.user_id);
    if (!list) out.set(r.user_id, (list = []));
    list.push({
      id: r.id,
      status: r.status,
      grantsRole: r.grants_role,
      graceUntil,
      stripeSubscriptionId: r.stripe_subscription_id,
      planKey: r.plan_key,
      planName: r.plan_name,
      currentPeriodEnd: date(r.current_period_end),
      cancelAtPeriodEnd: r.cancel_at_period_end,
      dunningCaseId: r.case_id,
      dunningStatus: r.case_status,
      provisionalGrace: provisional,
    });
  }
  return out;
}

type SubEventRow = {
  object_id: string;
  id: string;
  created_at: Date;
  payload: { type: string; data: { object: StripeSubLike; previous_attributes?: unknown } };
};
interface StripeSubLike {
  id: string;
  status: SubscriptionStatus;
  items?: { data?: Array<{ price?: { id?: string } }> };
  cancel_at_period_end?: boolean;
}

/** A subscription as it was at a past instant, and where that state was read from. */
export interface EntitlementInputAt {
  id: string;
  stripeSubscriptionId: string;
  status: SubscriptionStatus;
  planKey: string | null;
  grantsRole: GrantedRole | null;
  graceUntil: Date | null;
  from: { kind: 'event'; eventId: string; eventCreatedAt: string } | { kind: 'mirror' };
  dunning: {
    caseId: string;
    state: 'open' | 'recovered' | 'lost';
    openedAt: string;
    graceUntil: string;
  } | null;
}

/**
 * The user's subscriptions AT A PAST INSTANT, rebuilt from stored history — never from the current rows alone:
 * - a subscription's state at T is the object of its latest `customer.subscription.*` event created at or before T
 *   (the `stripe_events` inbox keeps every verified payload of these types: payload retention never prunes
 *   `customer.subscription.*`, stripe_events_payload_check), "latest" judged by the mirror's own rule
 *   (version-guard.ts `isNewer`: created, then same-second succession from previous_attributes, then status rank,
 *   then event id), folded in the order the dispatcher applies a customer's events — so time travel and the live
 *   mirror agree on same-second events. A subscription with no event by T but a mirror row created and last changed
 *   by T (an app write or a reconciliation) uses that row. Its plan (hence granted role) comes from the object's
 *   price, which is immutable in Stripe.
 * - dunning: cases keep opened_at / grace_until / recovered_at / lost_at, so a case's state at T is derived.
 */
export async function readEntitlementInputsAt(
  db: Executor,
  userId: string,
  at: Date,
  opts: { defaultGraceDays: number },
): Promise<EntitlementInputAt[]> {
  const subs: EntitlementInputAt[] = [];
  const [customer] = await db.select().from(customers).where(eq(customers.userId, userId));
  if (!customer) return subs;
  const events = await db.execute<SubEventRow>(sql`
    SELECT object_id, id, created_at, payload FROM stripe_events
    WHERE ordering_key = ${customer.stripeCustomerId} AND type LIKE 'customer.subscription.%'
      AND created_at <= ${at} AND status <> 'ignored'
    ORDER BY created_at, id`);
  const latest = new Map<string, { row: SubEventRow; version: Version }>();
  for (const e of events.rows) {
    const obj = e.payload.data.object;
    const version: Version = {
      at: new Date(e.created_at),
      eventId: e.id,
      rank: subscriptionRank(obj.status),
      state: subscriptionState(obj as unknown as Stripe.Subscription),
      ...successionOf(e.payload),
    };
    const prev = latest.get(e.object_id);
    if (!prev || isNewer(version, prev.version)) latest.set(e.object_id, { row: e, version });
  }
  const mirror = await db
    .select({
      id: subscriptions.id,
      stripeId: subscriptions.stripeSubscriptionId,
      status: subscriptions.status,
      createdAt: subscriptions.createdAt,
      versionAt: subscriptions.stripeVersionAt,
      planKey: plans.key,
      grantsRole: plans.grantsRole,
      graceDays: plans.graceDays,
    })
    .from(subscriptions)
    .leftJoin(plans, eq(plans.id, subscriptions.planId))
    .where(eq(subscriptions.customerId, customer.id));
  const priceRows = await db
    .select({
      priceId: planPrices.stripePriceId,
      key: plans.key,
      grantsRole: plans.grantsRole,
      graceDays: plans.graceDays,
    })
    .from(planPrices)
    .innerJoin(plans, eq(plans.id, planPrices.planId));
  const cases = await db.select().from(dunningCases).where(eq(dunningCases.customerId, customer.id));

  for (const m of mirror) {
    const e = latest.get(m.stripeId)?.row;
    let status: SubscriptionStatus;
    let plan: { key: string | null; grantsRole: string | null; graceDays: number | null };
    let from: EntitlementInputAt['from'];
    let seenAt: Date;
    if (e) {
      const obj = e.payload.data.object;
      status = obj.status;
      const price = obj.items?.data?.[0]?.price?.id;
      const p = priceRows.find((r) => r.priceId === price);
      plan = { key: p?.key ?? null, grantsRole: p?.grantsRole ?? null, graceDays: p?.graceDays ?? null };
      from = { kind: 'event', eventId: e.id, eventCreatedAt: new Date(e.created_at).toISOString() };
      seenAt = new Date(e.created_at);
    } else if (m.createdAt.getTime() <= at.getTime() && m.versionAt.getTime() <= at.getTime()) {
      status = m.status;
      plan = { key: m.planKey, grantsRole: m.grantsRole, graceDays: m.graceDays };
      from = { kind: 'mirror' };
      seenAt = m.versionAt;
    } else continue; // did not exist yet (as far as the history shows)

    const c = cases
      .filter((x) => x.subscriptionId === m.id && x.openedAt.getTime() <= at.getTime())
      .sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime())[0];
    let dunning: EntitlementInputAt['dunning'] = null;
    if (c) {
      const state =
        c.recoveredAt && c.recoveredAt.getTime() <= at.getTime()
          ? 'recovered'
          : c.lostAt && c.lostAt.getTime() <= at.getTime()
            ? 'lost'
            : 'open';
      dunning = {
        caseId: c.id,
        state,
        openedAt: c.openedAt.toISOString(),
        graceUntil: c.graceUntil.toISOString(),
      };
    }
    let graceUntil: Date | null = null;
    if (status === 'past_due') {
      graceUntil =
        dunning && dunning.state !== 'recovered'
          ? new Date(dunning.graceUntil)
          : new Date(seenAt.getTime() + (plan.graceDays ?? opts.defaultGraceDays) * DAY_MS);
    }
    subs.push({
      id: m.id,
      stripeSubscriptionId: m.stripeId,
      status,
      planKey: plan.key,
      grantsRole: plan.grantsRole as GrantedRole | null,
      graceUntil,
      from,
      dunning,
    });
  }
  return subs;
}

/** The user's customer and dunning cases (newest first, each with its timeline): what support reads beside the
 *  entitlement inputs. */
export async function readBillingRecord(db: Executor, userId: string) {
  const [customer] = await db.select().from(customers).where(eq(customers.userId, userId));
  const cases = customer
    ? await db
        .select()
        .from(dunningCases)
        .where(eq(dunningCases.customerId, customer.id))
        .orderBy(desc(dunningCases.openedAt))
    : [];
  const steps = cases.length
    ? await db
        .select()
        .from(dunningCaseEvents)
        .where(
          inArray(
            dunningCaseEvents.caseId,
            cases.map((c) => c.id),
          ),
        )
        .orderBy(dunningCaseEvents.at, dunningCaseEvents.id)
    : [];
  return { customer: customer ?? null, cases, steps };
}
