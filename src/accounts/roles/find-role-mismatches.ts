/**
 * The mismatch report: users (staff excluded) whose stored role differs from what `entitledRole` says now, each
 * classified — why it differs, most specific first:
 * - `override_active`: an override in force decides the role and the stored role is not it;
 * - `grace`: a past_due subscription is involved (inside its grace, or its grace ran out and the expiry job has
 *   not run yet);
 * - `paid_not_upgraded`: entitled to a higher role than stored (e.g. a missed webhook, a failed recompute);
 * - `upgraded_unpaid`: stored role higher than entitled (e.g. a role granted by hand in the database).
 * Users are read in keyset batches by id, so the report works at any table size.
 */
import { and, asc, gt, ne, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { users } from '../accounts.tables.js';
import { ROLES } from './role.js';
import { explainEntitlement, roleRank, type Entitlement } from './entitled-role.js';
import { loadEntitlements, type EntitlementInputs } from './load-entitlements.js';
import { sourceForAudit } from './apply-entitled-role.js';

export const MISMATCH_KINDS = ['override_active', 'grace', 'paid_not_upgraded', 'upgraded_unpaid'] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** One mismatch (also its OpenAPI schema). */
export const roleMismatch = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  signupProvider: z.string(),
  storedRole: z.enum(ROLES),
  entitledRole: z.enum(ROLES),
  kind: z.enum(MISMATCH_KINDS),
  source: z.record(z.string(), z.unknown()),
});
export type RoleMismatch = z.infer<typeof roleMismatch>;
export const roleMismatchList = z.object({ data: z.array(roleMismatch), total: z.number().int() });

/** Pure: the class of a mismatch (stored !== entitled), from the loaded inputs and the explanation. */
export function classifyMismatch(inputs: EntitlementInputs, e: Entitlement): MismatchKind {
  if (e.source.kind === 'override') return 'override_active';
  if (inputs.subscriptions.some((s) => s.status === 'past_due')) return 'grace';
  return roleRank(e.role) > roleRank(inputs.user.role) ? 'paid_not_upgraded' : 'upgraded_unpaid';
}

export async function* entitlementBatches(
  db: Executor,
  now: Date,
  opts: { defaultGraceDays: number; batchSize?: number; where?: SQL },
): AsyncGenerator<Array<{ inputs: EntitlementInputs; e: Entitlement }>> {
  let after = '';
  const size = opts.batchSize ?? 500;
  for (;;) {
    const ids = await db
      .select({ id: users.id })
      .from(users)
      .where(and(gt(users.id, after), ne(users.role, 'admin'), opts.where))
      .orderBy(asc(users.id))
      .limit(size);
    if (ids.length === 0) return;
    after = ids[ids.length - 1]!.id;
    const loaded = await loadEntitlements(
      db,
      ids.map((r) => r.id),
      { defaultGraceDays: opts.defaultGraceDays },
    );
    yield [...loaded.values()].map((inputs) => ({
      inputs,
      e: explainEntitlement(inputs.user, inputs.subscriptions, inputs.overrides, now),
    }));
    if (ids.length < size) return;
  }
}

export async function findRoleMismatches(
  db: Executor,
  now: Date,
  opts: { defaultGraceDays: number; where?: SQL },
): Promise<RoleMismatch[]> {
  const out: RoleMismatch[] = [];
  for await (const batch of entitlementBatches(db, now, opts)) {
    for (const { inputs, e } of batch) {
      if (e.role === inputs.user.role) continue;
      out.push({
        userId: inputs.user.id,
        email: inputs.user.email,
        name: inputs.user.name,
        signupProvider: inputs.user.signupProvider,
        storedRole: inputs.user.role,
        entitledRole: e.role,
        kind: classifyMismatch(inputs, e),
        source: sourceForAudit(e.source),
      });
    }
  }
  return out;
}
