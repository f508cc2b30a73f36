/**
 * Loads what `entitledRole` needs for a set of users: the user's stored role, their subscriptions with the role
 * each plan grants and its grace period (billing's one public read, readEntitlementInputs), and their role
 * overrides (all of them: the policy decides which is in force at `now`).
 */
import { inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { users } from '../accounts.tables.js';
import { roleOverrides } from './roles.tables.js';
import { selectRows } from '../../db/rows.js';
import type { Role } from './role.js';
import type { BillingRole, EntitlementOverride } from './entitled-role.js';
import { readEntitlementInputs, type EntitlementInput } from '../../billing/entitlement-inputs.js';

export type LoadedSubscription = EntitlementInput;

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

  const subs = await readEntitlementInputs(tx, [...out.keys()], {
    defaultGraceDays: opts.defaultGraceDays,
  });
  for (const [userId, list] of subs) {
    const entry = out.get(userId);
    if (entry) entry.subscriptions = list;
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
