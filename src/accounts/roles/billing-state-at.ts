/**
 * Time travel (`GET /api/admin/users/:id/billing-state?at=ISO`): a user's subscriptions, dunning state, overrides
 * and entitled role AT A PAST INSTANT, rebuilt from stored history — never from the current rows alone.
 *
 * History sources (all append-only or keeping their past):
 * - subscriptions: the `stripe_events` inbox keeps every verified event's full payload. A subscription's state at T
 *   is the object of its latest `customer.subscription.*` event created at or before T, "latest" judged by the
 *   mirror's own rule (version-guard.ts `isNewer`: same-second succession from previous_attributes, then status
 *   rank, then event id), so the two never disagree on same-second events. A subscription with no event by T but
 *   a mirror row created and last changed by T (an app write or a reconciliation) uses that row. Its plan (hence
 *   granted role) comes from the object's price, which is immutable in Stripe.
 * - dunning: cases keep opened_at / grace_until / recovered_at / lost_at, so a case's state at T is derived.
 * - overrides: rows are never deleted (set, expires, cleared instants), so the override in force at T is derived.
 * - the role the app had stored at T: the last `user.role_changed` audit row whose cause instant is <= T.
 * The entitled role at T is then `explainEntitlement(user, subscriptions@T, overrides, T)`.
 */
import { eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { customers, planPrices, plans, subscriptions } from '../../billing/billing.tables.js';
import { dunningCases } from '../../billing/dunning/dunning.tables.js';
import { isNewer, subscriptionRank, successionOf, type Version } from '../../billing/mirror/version-guard.js';
import { objectState as subscriptionState } from '../../billing/subscriptions/subscriptions.repo.js';
import { explainEntitlement, type BillingRole, type SubscriptionStatus } from '../entitled-role.js';
import { loadEntitlements } from './load-entitlements.js';
import { sourceForAudit } from './apply-entitled-role.js';
import { DAY_MS } from '../../billing/dunning/dunning-schedule.js';

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

export async function billingStateAt(deps: Pick<Deps, 'db' | 'config'>, userId: string, at: Date) {
  const loaded = await loadEntitlements(deps.db, [userId], { defaultGraceDays: deps.config.graceDays });
  const current = loaded.get(userId);
  if (!current) throw notFound('User', 'user_not_found');
  const [customer] = await deps.db.select().from(customers).where(eq(customers.userId, userId));

  const subs: Array<{
    id: string;
    stripeSubscriptionId: string;
    status: SubscriptionStatus;
    planKey: string | null;
    grantsRole: BillingRole | null;
    graceUntil: Date | null;
    from: { kind: 'event'; eventId: string; eventCreatedAt: string } | { kind: 'mirror' };
    dunning: {
      caseId: string;
      state: 'open' | 'recovered' | 'lost';
      openedAt: string;
      graceUntil: string;
    } | null;
  }> = [];

  if (customer) {
    const events = await deps.db.execute<SubEventRow>(sql`
      SELECT object_id, id, created_at, payload FROM stripe_events
      WHERE ordering_key = ${customer.stripeCustomerId} AND type LIKE 'customer.subscription.%'
        AND created_at <= ${at} AND status <> 'ignored'
      ORDER BY created_at, id`);
    // Latest object per subscription at T, by the mirror's own rule (version-guard.ts isNewer: created, then
    // same-second succession from previous_attributes, then status rank, then event id), folded in the order the
    // dispatcher applies a customer's events — so time travel and the live mirror agree on same-second events.
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
    const mirror = await deps.db
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
    const priceRows = await deps.db
      .select({
        priceId: planPrices.stripePriceId,
        key: plans.key,
        grantsRole: plans.grantsRole,
        graceDays: plans.graceDays,
      })
      .from(planPrices)
      .innerJoin(plans, eq(plans.id, planPrices.planId));
    const cases = await deps.db.select().from(dunningCases).where(eq(dunningCases.customerId, customer.id));

    for (const m of mirror) {
      const e = latest.get(m.stripeId)?.row;
      let status: SubscriptionStatus;
      let plan: { key: string | null; grantsRole: string | null; graceDays: number | null };
      let from: (typeof subs)[number]['from'];
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
      let dunning: (typeof subs)[number]['dunning'] = null;
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
            : new Date(seenAt.getTime() + (plan.graceDays ?? deps.config.graceDays) * DAY_MS);
      }
      subs.push({
        id: m.id,
        stripeSubscriptionId: m.stripeId,
        status,
        planKey: plan.key,
        grantsRole: plan.grantsRole as BillingRole | null,
        graceUntil,
        from,
        dunning,
      });
    }
  }

  const e = explainEntitlement(current.user, subs, current.overrides, at);
  const recorded = await deps.db.execute<{
    before: { role: string };
    after: { role: string };
    cause_at: string | null;
  }>(sql`
    SELECT before, after, cause->>'at' AS cause_at FROM audit_log
    WHERE subject_type = 'user' AND subject_id = ${userId} AND action = 'user.role_changed'
    ORDER BY id`);
  let recordedRole: string = recorded.rows[0]?.before.role ?? current.user.role;
  for (const r of recorded.rows) {
    if (r.cause_at && new Date(r.cause_at).getTime() <= at.getTime()) recordedRole = r.after.role;
  }
  return {
    userId,
    at: at.toISOString(),
    entitledRole: e.role,
    entitlement: { source: sourceForAudit(e.source), recheckAt: e.recheckAt?.toISOString() ?? null },
    recordedRole,
    subscriptions: subs.map((s) => ({ ...s, graceUntil: s.graceUntil?.toISOString() ?? null })),
    overrides: current.overrides
      .filter((o) => o.setAt.getTime() <= at.getTime())
      .map((o) => ({
        id: o.id,
        role: o.role,
        setAt: o.setAt.toISOString(),
        expiresAt: o.expiresAt?.toISOString() ?? null,
        clearedAt: o.clearedAt && o.clearedAt.getTime() <= at.getTime() ? o.clearedAt.toISOString() : null,
      })),
  };
}
