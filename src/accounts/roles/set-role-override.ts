/**
 * setRoleOverride: an admin pins a user's role (`POST /api/admin/users/:id/role-override { role, reason, expiresAt? }`).
 * In one transaction: the user's previous open override (if any) is cleared as `replaced`, the new one stored, an
 * audit row `role_override.set` written, and the role recomputed (cause: the admin and reason → override → role).
 * Staff users cannot be overridden (409): billing, overrides included, never touches `admin`.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { appendAudit } from '../../audit/append-audit.js';
import { users } from '../accounts.tables.js';
import type { BillingRole } from './entitled-role.js';
import { roleOverrides } from './roles.tables.js';
import { applyEntitledRole, type RoleApplication } from './apply-entitled-role.js';

export interface AdminActor {
  actorType: 'user' | 'api_key';
  actorId: string;
  requestId?: string | null;
}

export type OverrideRow = typeof roleOverrides.$inferSelect;

export async function setRoleOverride(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  actor: AdminActor,
  input: { userId: string; role: BillingRole; reason: string; expiresAt?: Date | null },
): Promise<{ override: OverrideRow; role: RoleApplication }> {
  const now = deps.clock.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw invalid('expires_in_past', 'expiresAt must be in the future');
  }
  return deps.db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(eq(users.id, input.userId))
      .for('update');
    if (!user) throw notFound('User', 'user_not_found');
    if (user.role === 'admin')
      throw conflict('staff_role', 'Administrators are staff: billing and overrides never change their role');

    const [previous] = await tx
      .update(roleOverrides)
      .set({
        clearedAt: now,
        clearedByType: actor.actorType,
        clearedBy: actor.actorId,
        clearKind: 'replaced',
        clearReason: input.reason,
      })
      .where(and(eq(roleOverrides.userId, input.userId), isNull(roleOverrides.clearedAt)))
      .returning();
    const [override] = await tx
      .insert(roleOverrides)
      .values({
        userId: input.userId,
        role: input.role,
        reason: input.reason,
        setByType: actor.actorType,
        setBy: actor.actorId,
        createdAt: now,
        expiresAt: input.expiresAt ?? null,
      })
      .returning();
    if (!override) throw new Error('override insert returned nothing');
    const role = await applyEntitledRole(
      tx,
      input.userId,
      {
        kind: 'admin',
        actorType: actor.actorType,
        actorId: actor.actorId,
        action: 'role_override.set',
        reason: input.reason,
        requestId: actor.requestId ?? null,
        overrideId: override.id,
      },
      now,
      { defaultGraceDays: deps.config.graceDays },
    );
    await appendAudit(tx, {
      actorType: actor.actorType,
      actorId: actor.actorId,
      action: 'role_override.set',
      subjectType: 'user',
      subjectId: input.userId,
      before: previous ? overrideView(previous) : null,
      after: overrideView(override),
      reason: input.reason,
      cause: { kind: 'admin', overrideId: override.id, replaced: previous?.id ?? null },
      requestId: actor.requestId ?? null,
    });
    if (!role) throw notFound('User', 'user_not_found');
    return { override, role };
  });
}

export function overrideView(o: OverrideRow) {
  return {
    id: o.id,
    role: o.role,
    reason: o.reason,
    setBy: { type: o.setByType, id: o.setBy },
    setAt: o.createdAt.toISOString(),
    expiresAt: o.expiresAt?.toISOString() ?? null,
    clearedAt: o.clearedAt?.toISOString() ?? null,
    clearedBy: o.clearedByType ? { type: o.clearedByType, id: o.clearedBy } : null,
    clearKind: o.clearKind,
    clearReason: o.clearReason,
  };
}
