/**
 * applyEntitledRole: recomputes a user's entitled role IN THE CALLER'S TRANSACTION (the one committing its cause:
 * a Stripe event's effects, an override change, a grace expiry, a sync) and, when it differs from the stored role,
 * updates `users.role` and appends one audit row (`user.role_changed`, before/after, the cause chain).
 *
 * Idempotent: running it again with nothing changed finds stored == entitled and writes nothing, so a duplicate
 * event or a re-run job adds no audit row. The user row is locked (FOR UPDATE) first, so two transactions
 * recomputing one user serialize and the second sees the first's result. Staff roles are never touched.
 * Guards read the role from the database on every request, so a change takes effect on the user's next request.
 */
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { appendAudit } from '../../audit/append-audit.js';
import { users } from '../accounts.tables.js';
import type { Role } from './role.js';
import { explainEntitlement, type EntitlementSource } from './entitled-role.js';
import { loadEntitlements } from './load-entitlements.js';
import { auditActorOf, causeChain, type RoleCause } from './role-cause.js';

export const ROLE_CHANGED_ACTION = 'user.role_changed';
export const DEFAULT_GRACE_DAYS = 7;

export interface RoleApplication {
  userId: string;
  before: Role;
  after: Role;
  changed: boolean;
  source: EntitlementSource;
  /** When the answer may change with no new input (the expiry jobs' next instant). */
  recheckAt: Date | null;
}

export function sourceForAudit(source: EntitlementSource): Record<string, unknown> {
  switch (source.kind) {
    case 'override':
      return {
        kind: 'override',
        overrideId: source.overrideId,
        expiresAt: source.expiresAt?.toISOString() ?? null,
      };
    case 'subscription':
      return {
        kind: 'subscription',
        subscriptionId: source.subscriptionId,
        status: source.status,
        graceUntil: source.graceUntil?.toISOString() ?? null,
      };
    default:
      return { kind: source.kind };
  }
}

/** Returns null when the user does not exist (deleted meanwhile): nothing to apply. */
export async function applyEntitledRole(
  tx: Executor,
  userId: string,
  cause: RoleCause,
  now: Date,
  opts: { defaultGraceDays?: number; requestId?: string | null } = {},
): Promise<RoleApplication | null> {
  const loaded = await loadEntitlements(tx, [userId], {
    defaultGraceDays: opts.defaultGraceDays ?? DEFAULT_GRACE_DAYS,
    lockUsers: true,
  });
  const inputs = loaded.get(userId);
  if (!inputs) return null;
  const before = inputs.user.role;
  const e = explainEntitlement(inputs.user, inputs.subscriptions, inputs.overrides, now);
  const result: RoleApplication = {
    userId,
    before,
    after: e.role,
    changed: e.role !== before,
    source: e.source,
    recheckAt: e.recheckAt,
  };
  if (!result.changed) return result;

  await tx
    .update(users)
    .set({ role: e.role, updatedAt: sql`now()` })
    .where(eq(users.id, userId));
  await appendAudit(tx, {
    ...auditActorOf(cause),
    action: ROLE_CHANGED_ACTION,
    subjectType: 'user',
    subjectId: userId,
    before: { role: before },
    after: { role: e.role, source: sourceForAudit(e.source) },
    reason: cause.kind === 'admin' ? cause.reason : null,
    cause: {
      kind: cause.kind,
      ...(cause.kind === 'stripe_event' ? { eventId: cause.eventId, type: cause.eventType } : {}),
      at: now.toISOString(),
      chain: causeChain(cause),
    },
    requestId:
      cause.kind === 'admin' ? (cause.requestId ?? opts.requestId ?? null) : (opts.requestId ?? null),
  });
  return result;
}
