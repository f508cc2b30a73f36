/**
 * clearRoleOverride: an admin removes a user's override (`DELETE /api/admin/users/:id/role-override { reason }`).
 * The row is kept (cleared_at/by/reason: history for time travel), an audit row `role_override.cleared` written and
 * the role recomputed in the same transaction. 404 when the user has no override in force.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { appendAudit } from '../../audit/append-audit.js';
import { users } from '../accounts.tables.js';
import { roleOverrides } from './roles.tables.js';
import { applyEntitledRole, type RoleApplication } from './apply-entitled-role.js';
import { overrideView, type AdminActor, type OverrideRow } from './set-role-override.js';

export async function clearRoleOverride(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  actor: AdminActor,
  input: { userId: string; reason: string },
): Promise<{ override: OverrideRow; role: RoleApplication }> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.id, input.userId))
      .for('update');
    if (!user) throw notFound('User', 'user_not_found');
    const [cleared] = await tx
      .update(roleOverrides)
      .set({
        clearedAt: now,
        clearedByType: actor.actorType,
        clearedBy: actor.actorId,
        clearKind: 'admin',
        clearReason: input.reason,
      })
      .where(and(eq(roleOverrides.userId, input.userId), isNull(roleOverrides.clearedAt)))
      .returning();
    if (!cleared) throw notFound('Role override', 'override_not_found');
    const role = await applyEntitledRole(
      tx,
      input.userId,
      {
        kind: 'admin',
        actorType: actor.actorType,
        actorId: actor.actorId,
        action: 'role_override.cleared',
        reason: input.reason,
        requestId: actor.requestId ?? null,
        overrideId: cleared.id,
      },
      now,
      { defaultGraceDays: deps.config.graceDays },
    );
    if (!role) throw notFound('User', 'user_not_found');
    await appendAudit(tx, {
      actorType: actor.actorType,
      actorId: actor.actorId,
      action: 'role_override.cleared',
      subjectType: 'user',
      subjectId: input.userId,
      before: overrideView({
        ...cleared,
        clearedAt: null,
        clearedByType: null,
        clearedBy: null,
        clearKind: null,
        clearReason: null,
      }),
      after: overrideView(cleared),
      reason: input.reason,
      cause: { kind: 'admin', overrideId: cleared.id },
      requestId: actor.requestId ?? null,
    });
    return { override: cleared, role };
  });
}
