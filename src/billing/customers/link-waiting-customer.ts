/**
 * linkWaitingCustomer: a user appeared (signed up, signed in with a provider that vouches for the email, verified
 * the email) and a Stripe customer may have been waiting for them — mirrored unlinked because, when its events were
 * applied, no user could take it (customers.repo.ts). The customer is linked now, without an operator:
 * - the one whose `metadata.user_id` (or the older `app_user_id`) is this user's id, else
 * - the newest one whose email equals the user's VERIFIED email (case-insensitive) — never by an unverified one;
 * and only when the user has no customer yet (a user has at most one; a second is for a person to decide).
 *
 * In ONE transaction, under the customer's ordering-key lock (so no event of that customer is applied meanwhile):
 * the row is linked, its open dunning cases follow it, a `customer.linked` audit row is written and the link goes to
 * the edge's `onLinked` step (app.ts: the user's entitled role recomputed with the link in the cause chain). Its
 * parked events were made due when the row was first written (customers.repo.ts): nothing waits on the link itself.
 * Idempotent: a customer that is already linked is not touched, so a second call finds nothing to do.
 */
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import type { Executor } from '../../db/client.js';
import { appendAudit } from '../../audit/append-audit.js';
import type { CustomerLink } from '../../accounts/roles/role-cause.js';
import { lockOrderingKey } from '../../inbox/webhooks/dispatch-event.js';
import { reassignOpenCases } from '../../dunning/dunning.repo.js';
import type { OnCustomerLinked } from './customers.repo.js';

export interface AppearingUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
}

/** What made the user appear, for the role change's cause chain. */
export type AppearedBy = 'user.created' | 'user.email_verified';

type Candidate = {
  id: string;
  stripe_customer_id: string;
};

/** The waiting customer this user claims, if any (read without a lock: the link re-checks it under the lock). */
async function findCandidate(tx: Executor, user: AppearingUser): Promise<Candidate | null> {
  const email = user.emailVerified && user.email ? user.email : null;
  const { rows } = await tx.execute<Candidate>(sql`
    SELECT c.id, c.stripe_customer_id FROM customers c
    WHERE c.user_id IS NULL AND c.deleted_at IS NULL
      AND (c.metadata->>'user_id' = ${user.id} OR c.metadata->>'app_user_id' = ${user.id}
           OR (${email}::text IS NOT NULL AND lower(c.email) = lower(${email})))
      AND NOT EXISTS (SELECT 1 FROM customers o WHERE o.user_id = ${user.id})
    ORDER BY (c.metadata->>'user_id' = ${user.id} OR c.metadata->>'app_user_id' = ${user.id}) DESC NULLS LAST,
             c.created_at DESC, c.id
    LIMIT 1`);
  return rows[0] ?? null;
}

export async function linkWaitingCustomer(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  user: AppearingUser,
  by: AppearedBy,
  onLinked: OnCustomerLinked,
): Promise<CustomerLink | null> {
  const candidate = await findCandidate(deps.db, user);
  if (!candidate) return null;
  return deps.db.transaction(async (tx) => {
    await lockOrderingKey(tx, candidate.stripe_customer_id);
    // Still unlinked, and the user still without a customer, now that no event of it can be applied meanwhile.
    const { rows } = await tx.execute<{ id: string }>(sql`
      UPDATE customers SET user_id = ${user.id}, updated_at = now()
      WHERE id = ${candidate.id} AND user_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM customers o WHERE o.user_id = ${user.id})
        AND EXISTS (SELECT 1 FROM users u WHERE u.id = ${user.id})
      RETURNING id`);
    if (!rows[0]) return null;
    const link: CustomerLink = {
      customerId: candidate.id,
      stripeCustomerId: candidate.stripe_customer_id,
      fromUserId: null,
      toUserId: user.id,
    };
    await reassignOpenCases(tx, candidate.id, user.id);
    await appendAudit(tx, {
      actorType: 'system',
      actorId: `billing.link_waiting_customer:${by}`,
      action: 'customer.linked',
      subjectType: 'customer',
      subjectId: candidate.id,
      before: { userId: null },
      after: { userId: user.id },
      cause: { kind: by, userId: user.id, stripeCustomerId: candidate.stripe_customer_id },
    });
    await onLinked(tx, link);
    return link;
  });
}
