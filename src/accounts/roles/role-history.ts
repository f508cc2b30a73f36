/**
 * `GET /api/admin/users/:id/role-history`: the audit rows about a user's role — role changes and override
 * set/cleared/expired — oldest first, each with its actor, before/after, reason and cause chain.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { auditLog } from '../../audit/audit.tables.js';
import { users } from '../accounts.tables.js';
import { ROLE_CHANGED_ACTION } from './apply-entitled-role.js';

export const ROLE_HISTORY_ACTIONS = [
  ROLE_CHANGED_ACTION,
  'role_override.set',
  'role_override.cleared',
  'role_override.expired',
];

export async function roleHistory(db: Executor, userId: string) {
  const [u] = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, userId));
  if (!u) throw notFound('User', 'user_not_found');
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.subjectType, 'user'),
        eq(auditLog.subjectId, userId),
        inArray(auditLog.action, ROLE_HISTORY_ACTIONS),
      ),
    )
    .orderBy(asc(auditLog.id));
  return {
    userId,
    role: u.role,
    data: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      action: r.action,
      actor: { type: r.actorType, id: r.actorId },
      before: r.before,
      after: r.after,
      reason: r.reason,
      cause: r.cause,
    })),
  };
}
