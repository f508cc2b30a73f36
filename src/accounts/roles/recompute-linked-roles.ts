/**
 * recomputeLinkedRoles: a customer was linked to a user (`customers.user_id` set or changed: its first link, a newer
 * customer object whose `metadata.user_id` names another user, or a customer whose user was deleted linked again).
 * Every user the link names changes entitlement with it — the old one loses the customer's subscriptions, the new
 * one gains them — so each is recomputed IN THE CALLER'S TRANSACTION (the one that wrote the link), each role change
 * audited with the link in its cause chain. Users are locked in id order, so two opposite relinks cannot deadlock.
 */
import type { Executor } from '../../db/client.js';
import { applyEntitledRole, type RoleApplication } from './apply-entitled-role.js';
import type { CustomerLink, RoleCause } from './role-cause.js';

/** What a linking write must say to recompute roles: its own cause (event, job, …) and instant. */
export interface LinkRoles {
  cause: RoleCause;
  now: Date;
  defaultGraceDays: number;
  requestId?: string | null;
}

export async function recomputeLinkedRoles(
  tx: Executor,
  link: CustomerLink,
  roles: LinkRoles,
): Promise<RoleApplication[]> {
  const ids = [link.fromUserId, link.toUserId].filter((id): id is string => id !== null).sort();
  const out: RoleApplication[] = [];
  for (const userId of ids) {
    const r = await applyEntitledRole(tx, userId, { ...roles.cause, customerLink: link }, roles.now, {
      defaultGraceDays: roles.defaultGraceDays,
      requestId: roles.requestId ?? null,
    });
    if (r) out.push(r);
  }
  return out;
}
