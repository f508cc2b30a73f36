/**
 * recomputeRelinkedRoles: a customer moved to another user (`customers.user_id` changed: a newer customer object
 * whose `metadata.user_id` names another user, or a customer whose user was deleted linked again). Both users'
 * entitled roles change with it — the old one loses the customer's subscriptions, the new one gains them — so both
 * are recomputed IN THE CALLER'S TRANSACTION (the one that moved the customer), each role change audited with the
 * relink in its cause chain. Users are locked in id order, so two opposite relinks cannot deadlock.
 */
import type { Executor } from '../../db/client.js';
import { applyEntitledRole, type RoleApplication } from './apply-entitled-role.js';
import type { CustomerRelink, RoleCause } from './role-cause.js';

/** What a relinking write must say to recompute roles: its own cause (event, job, …) and instant. */
export interface RelinkRoles {
  cause: RoleCause;
  now: Date;
  defaultGraceDays: number;
  requestId?: string | null;
}

export async function recomputeRelinkedRoles(
  tx: Executor,
  relink: CustomerRelink,
  roles: RelinkRoles,
): Promise<RoleApplication[]> {
  const ids = [relink.fromUserId, relink.toUserId].filter((id): id is string => id !== null).sort();
  const out: RoleApplication[] = [];
  for (const userId of ids) {
    const r = await applyEntitledRole(tx, userId, { ...roles.cause, customerRelink: relink }, roles.now, {
      defaultGraceDays: roles.defaultGraceDays,
      requestId: roles.requestId ?? null,
    });
    if (r) out.push(r);
  }
  return out;
}
