/**
 * Which role a user is entitled to from billing, at an instant. Pure policy: no I/O, no clock (the caller
 * passes `now`). Every place that may change a role (webhook handlers, admin overrides, the grace-expiry and
 * override-expiry jobs, the mismatch sync, time travel) asks this function and nothing else.
 *
 * Rules (docs/DESIGN.md §6, issue 5):
 * 1. Staff (`admin`) is never changed by billing: an admin stays admin whatever the inputs.
 * 2. An active override wins (even over a higher paid role: an admin may pin a user down). Active means
 *    set, not cleared and not expired at `now`; of several, the most recently set wins.
 * 3. Else the highest `grantsRole` among subscriptions that are `active` or `trialing`, or `past_due` while
 *    inside their grace period. `incomplete`, `incomplete_expired`, `unpaid`, `canceled` and `paused` grant
 *    nothing, nor does a subscription whose plan is unknown (`grantsRole: null`).
 * 4. Else `member`.
 *
 * Boundaries are half-open intervals, [start, end): an override is active from `setAt` inclusive until
 * `expiresAt` / `clearedAt` exclusive, and a past_due subscription grants its role while `now < graceUntil`.
 * So at the very instant `expiresAt` or `graceUntil` the role is already gone: a job scheduled for that
 * instant (recheckAt) sees the new role, and two adjacent intervals never overlap. A past_due subscription
 * with no grace period (`graceUntil: null`, no dunning case) grants nothing: the caller opens the dunning
 * case (which sets `graceUntil`) in the same transaction that records past_due.
 */
import type { Role } from './role.js';

import type { SubscriptionStatus } from '../../billing/subscriptions/subscription-status.js';
export type { SubscriptionStatus };

/** Roles billing can grant or an override can set: every role but staff ones. */
export type BillingRole = Exclude<Role, 'admin'>;

export interface EntitlementUser {
  role: Role;
}

export interface EntitlementSubscription {
  id: string;
  status: SubscriptionStatus;
  /** The role the subscription's plan grants; null when the price/plan is unknown to us. */
  grantsRole: BillingRole | null;
  /** End of the grace period of the open dunning case (exclusive); null when there is none. */
  graceUntil: Date | null;
}

export interface EntitlementOverride {
  id: string;
  role: BillingRole;
  setAt: Date;
  /** Exclusive end; null = until cleared. */
  expiresAt: Date | null;
  /** When an admin removed it (exclusive end); null = not cleared. */
  clearedAt: Date | null;
}

export type EntitlementSource =
  | { kind: 'staff' }
  | { kind: 'override'; overrideId: string; expiresAt: Date | null }
  | {
      kind: 'subscription';
      subscriptionId: string;
      status: 'active' | 'trialing' | 'past_due';
      /** Set when the role is held only by the grace period of a past_due subscription. */
      graceUntil: Date | null;
    }
  | { kind: 'default' };

export interface Entitlement {
  role: Role;
  source: EntitlementSource;
  /**
   * The next instant after `now` at which the answer may change with no new input (an override starting,
   * expiring or being cleared, a grace period ending); null when nothing is scheduled. The grace-expiry and
   * override-expiry jobs run at this instant.
   */
  recheckAt: Date | null;
}

const RANK: Record<Role, number> = { member: 0, professional: 1, enterprise: 2, admin: 3 };

/** member 0 < professional 1 < enterprise 2; admin (staff) 3, above every billing role. */
export function roleRank(role: Role): number {
  return RANK[role];
}

/** Staff roles are outside billing: never granted, never taken away by it. */
export function isStaffRole(role: Role): boolean {
  return role === 'admin';
}

/** Whether `override` is in force at `now` ([setAt, min(expiresAt, clearedAt))). */
export function isOverrideActive(override: EntitlementOverride, now: Date): boolean {
  const t = now.getTime();
  if (override.setAt.getTime() > t) return false;
  if (override.expiresAt && t >= override.expiresAt.getTime()) return false;
  if (override.clearedAt && t >= override.clearedAt.getTime()) return false;
  return true;
}

/** Whether `sub` grants its role at `now`, and whether only thanks to its grace period. */
export function subscriptionGrants(sub: EntitlementSubscription, now: Date): 'yes' | 'grace' | 'no' {
  if (sub.grantsRole === null) return 'no';
  switch (sub.status) {
    case 'active':
    case 'trialing':
      return 'yes';
    case 'past_due':
      return sub.graceUntil && now.getTime() < sub.graceUntil.getTime() ? 'grace' : 'no';
    case 'incomplete':
    case 'incomplete_expired':
    case 'unpaid':
    case 'canceled':
    case 'paused':
      return 'no';
  }
}

function nextInstant(
  subscriptions: readonly EntitlementSubscription[],
  overrides: readonly EntitlementOverride[],
  now: Date,
): Date | null {
  const t = now.getTime();
  let next: number | null = null;
  const consider = (d: Date | null) => {
    if (d && d.getTime() > t && (next === null || d.getTime() < next)) next = d.getTime();
  };
  for (const o of overrides) {
    consider(o.setAt);
    consider(o.expiresAt);
    consider(o.clearedAt);
  }
  for (const s of subscriptions) if (s.status === 'past_due') consider(s.graceUntil);
  return next === null ? null : new Date(next);
}

/**
 * The role `user` is entitled to at `now` and why ("why does this user have this role?"). Ties are broken
 * deterministically: overrides by latest `setAt` then id; subscriptions by rank, then not-in-grace first,
 * then id.
 */
export function explainEntitlement(
  user: EntitlementUser,
  subscriptions: readonly EntitlementSubscription[],
  overrides: readonly EntitlementOverride[],
  now: Date,
): Entitlement {
  const recheckAt = nextInstant(subscriptions, overrides, now);
  if (isStaffRole(user.role)) return { role: user.role, source: { kind: 'staff' }, recheckAt: null };

  let winner: EntitlementOverride | undefined;
  for (const o of overrides) {
    if (!isOverrideActive(o, now)) continue;
    if (
      !winner ||
      o.setAt.getTime() > winner.setAt.getTime() ||
      (o.setAt.getTime() === winner.setAt.getTime() && o.id > winner.id)
    ) {
      winner = o;
    }
  }
  if (winner) {
    return {
      role: winner.role,
      source: { kind: 'override', overrideId: winner.id, expiresAt: winner.expiresAt },
      recheckAt,
    };
  }

  let best: { sub: EntitlementSubscription; role: BillingRole; grace: boolean } | undefined;
  for (const sub of subscriptions) {
    const grants = subscriptionGrants(sub, now);
    if (grants === 'no' || sub.grantsRole === null) continue;
    const candidate = { sub, role: sub.grantsRole, grace: grants === 'grace' };
    if (!best) {
      best = candidate;
      continue;
    }
    const byRank = roleRank(candidate.role) - roleRank(best.role);
    const byGrace = Number(best.grace) - Number(candidate.grace);
    if (byRank > 0 || (byRank === 0 && (byGrace > 0 || (byGrace === 0 && sub.id < best.sub.id)))) {
      best = candidate;
    }
  }
  if (best) {
    return {
      role: best.role,
      source: {
        kind: 'subscription',
        subscriptionId: best.sub.id,
        status: best.sub.status as 'active' | 'trialing' | 'past_due',
        graceUntil: best.grace ? best.sub.graceUntil : null,
      },
      recheckAt,
    };
  }
  return { role: 'member', source: { kind: 'default' }, recheckAt };
}

/** The role `user` is entitled to at `now` (see the module comment for the rules). */
export function entitledRole(
  user: EntitlementUser,
  subscriptions: readonly EntitlementSubscription[],
  overrides: readonly EntitlementOverride[],
  now: Date,
): Role {
  return explainEntitlement(user, subscriptions, overrides, now).role;
}
