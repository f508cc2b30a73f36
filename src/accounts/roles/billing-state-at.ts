/**
 * Time travel (`GET /api/admin/users/:id/billing-state?at=ISO`): a user's subscriptions, dunning state, overrides
 * and entitled role AT A PAST INSTANT, rebuilt from stored history — never from the current rows alone.
 *
 * History sources (all append-only or keeping their past):
 * - subscriptions and their dunning cases at T: billing's readEntitlementInputsAt (entitlement-inputs.ts), from the
 *   stored events and the cases' instants;
 * - overrides: rows are never deleted (set, expires, cleared instants), so the override in force at T is derived.
 * - the role the app had stored at T: the last `user.role_changed` audit row whose cause instant is <= T.
 * The entitled role at T is then `explainEntitlement(user, subscriptions@T, overrides, T)`.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { readEntitlementInputsAt } from '../../billing/entitlement-inputs.js';
import { explainEntitlement } from './entitled-role.js';
import { loadEntitlements } from './load-entitlements.js';
import { sourceForAudit } from './apply-entitled-role.js';

export async function billingStateAt(deps: Pick<Deps, 'db' | 'config'>, userId: string, at: Date) {
  const loaded = await loadEntitlements(deps.db, [userId], { defaultGraceDays: deps.config.graceDays });
  const current = loaded.get(userId);
  if (!current) throw notFound('User', 'user_not_found');
  const subs = await readEntitlementInputsAt(deps.db, userId, at, {
    defaultGraceDays: deps.config.graceDays,
  });

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
