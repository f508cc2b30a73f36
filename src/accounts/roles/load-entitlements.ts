/**
 * Loads what `entitledRole` needs for a set of users, from the mirror: the user's stored role, the subscriptions
 * of the customer linked to them (with the role their plan grants and the grace period of their dunning case),
 * and their role overrides (all of them: the policy decides which is in force at `now`).
 *
 * Grace of a past_due subscription: the `grace_until` of its latest dunning case when that case is open (or lost:
 * then it is in the past and grants nothing). A past_due subscription whose case is not open yet (the
 * subscription's past_due event applied before the invoice's failure; the handler opens the case in the same
 * transaction) gets a provisional grace from when it was last seen changing: stripe_version_at + grace days.
 */
import { inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { users } from '../accounts.tables.js';
import { roleOverrides } from './roles.tables.js';
import { selectRows } from '../../db/rows.js';
import type { Role } from '../roles.js';
import type {
  BillingRole,
  EntitlementOverride,
  EntitlementSubscription,
  SubscriptionStatus,
} from '../entitled-role.js';
import { DAY_MS } from '../../billing/dunning/dunning-schedule.js';

export interface LoadedSubscription extends EntitlementSubscription {
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

export interface LoadedOverride extends EntitlementOverride {
  reason: string;
  setByType: string;
  setBy: string | null;
}

export interface EntitlementInputs {
  user: { id: string; email: string; name: string; role: Role; signupProvider: string };
  subscriptions: LoadedSubscription[];
  overrides: LoadedOverride[];
}

type SubRow = {
  user_id: string;
  id: string;
  stripe_subscription_id: string;
  status: SubscriptionStatus;
  stripe_version_at: Date | string;
  current_period_end: Date | string | null;
  cancel_at_period_end: boolean;
  grants_role: BillingRole | null;
  plan_key: string | null;
  plan_name: string | null;
  grace_days: number | null;
  case_id: string | null;
  case_status: 'open' | 'recovered' | 'lost' | null;
  grace_until: Date | string | null;
};

const date = (v: Date | string | null): Date | null =>
  v === null ? null : v instanceof Date ? v : new Date(v);

export async function loadEntitlements(
  tx: Executor,
  userIds: readonly string[],
  opts: { defaultGraceDays: number; lockUsers?: boolean },
): Promise<Map<string, EntitlementInputs>> {
  const out = new Map<string, EntitlementInputs>();
  if (userIds.length === 0) return out;
  const ids = [...new Set(userIds)];
  const q = tx
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      signupProvider: users.signupProvider,
      // Most users have no override: their overrides are not queried at all (one statement less per event).
      // (Qualified by hand: a one-table select renders its columns bare, and a bare "id" here is role_overrides.id.)
      hasOverrides: sql<boolean>`EXISTS (SELECT 1 FROM role_overrides o WHERE o.user_id = "users"."id")`,
    })
    .from(users)
    .where(inArray(users.id, ids))
    .orderBy(users.id);
  const userRows = opts.lockUsers ? await q.for('update') : await q;
  for (const { hasOverrides: _, ...u } of userRows)
    out.set(u.id, { user: u, subscriptions: [], overrides: [] });
  const withOverrides = userRows.filter((u) => u.hasOverrides).map((u) => u.id);
  if (out.size === 0) return out;

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
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})
    ORDER BY c.user_id, s.created_at, s.id`);
  for (const r of subs.rows) {
    const entry = out.get(r.user_id);
    if (!entry) continue;
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
    entry.subscriptions.push({
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

  const overrides = withOverrides.length
    ? await selectRows(tx, roleOverrides, inArray(roleOverrides.userId, withOverrides), {
        orderBy: sql`${roleOverrides.createdAt}, ${roleOverrides.id}`,
      })
    : [];
  for (const o of overrides) {
    out.get(o.userId)?.overrides.push({
      id: o.id,
      role: o.role as BillingRole,
      setAt: o.createdAt,
      expiresAt: o.expiresAt,
      clearedAt: o.clearedAt,
      reason: o.reason,
      setByType: o.setByType,
      setBy: o.setBy,
    });
  }
  return out;
}
