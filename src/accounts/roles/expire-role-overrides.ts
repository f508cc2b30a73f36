/**
 * expireRoleOverrides: the override-expiry job's work at `now`. Each override whose `expiresAt` has come and that
 * is still open is cleared (`expired`, cleared_at = its expiresAt, the instant it stopped being in force), audited
 * (`role_override.expired`) and the user's role recomputed (cause: the job → the override) — one transaction per
 * override, the user row locked first. Safe to run concurrently and repeatedly: only open overrides are touched.
 */
import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { appendAudit } from '../../audit/append-audit.js';
import { users } from '../accounts.tables.js';
import { roleOverrides } from './roles.tables.js';
import { applyEntitledRole } from './apply-entitled-role.js';
import { overrideView } from './set-role-override.js';

export const OVERRIDE_EXPIRY_JOB = 'roles.override-expiry';

export async function expireRoleOverrides(
  deps: Pick<Deps, 'db' | 'config'>,
  now: Date,
  opts: { limit?: number; jobId?: string | null } = {},
): Promise<{ expired: number; roleChanges: number }> {
  const due = await deps.db
    .select({ id: roleOverrides.id, userId: roleOverrides.userId })
    .from(roleOverrides)
    .where(and(isNull(roleOverrides.clearedAt), lte(roleOverrides.expiresAt, now)))
    .orderBy(roleOverrides.expiresAt, roleOverrides.id)
    .limit(opts.limit ?? 500);
  let expired = 0;
  let roleChanges = 0;
  for (const d of due) {
    const changed = await deps.db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, d.userId)).for('update');
      const [o] = await tx
        .update(roleOverrides)
        .set({
          clearedAt: sql`${roleOverrides.expiresAt}`,
          clearedByType: 'job',
          clearedBy: OVERRIDE_EXPIRY_JOB,
          clearKind: 'expired',
          clearReason: 'expired',
        })
        .where(
          and(eq(roleOverrides.id, d.id), isNull(roleOverrides.clearedAt), lte(roleOverrides.expiresAt, now)),
        )
        .returning();
      if (!o) return null;
      const role = await applyEntitledRole(
        tx,
        d.userId,
        { kind: 'job', job: OVERRIDE_EXPIRY_JOB, jobId: opts.jobId ?? null, overrideId: o.id },
        now,
        { defaultGraceDays: deps.config.graceDays },
      );
      await appendAudit(tx, {
        actorType: 'job',
        actorId: OVERRIDE_EXPIRY_JOB,
        action: 'role_override.expired',
        subjectType: 'user',
        subjectId: d.userId,
        before: overrideView({
          ...o,
          clearedAt: null,
          clearedByType: null,
          clearedBy: null,
          clearKind: null,
          clearReason: null,
        }),
        after: overrideView(o),
        cause: { kind: 'job', job: OVERRIDE_EXPIRY_JOB, overrideId: o.id },
      });
      return role?.changed ?? false;
    });
    if (changed === null) continue;
    expired++;
    if (changed) roleChanges++;
  }
  return { expired, roleChanges };
}
