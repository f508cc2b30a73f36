/**
 * The audit row of an admin's change to a subscription in Stripe (actor = the admin, before/after = Stripe's
 * object around the call). The mirror row itself is updated by the webhook that Stripe sends for the change
 * (audited again there, actor `stripe`), so a lost webhook is repaired by `sertantai sync` like any other.
 */
import { appendAudit } from '../../audit/append-audit.js';
import type { Db } from '../../db/client.js';
import type { Actor } from '../operations/actor.js';
import type { SubscriptionSnapshot } from './subscription-ref.js';

export async function auditSubscriptionChange(
  db: Db,
  actor: Actor,
  action: string,
  subscriptionId: string,
  before: SubscriptionSnapshot | null,
  after: SubscriptionSnapshot,
  extra: { reason?: string | null; cause?: Record<string, unknown> } = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action,
      subjectType: 'subscription',
      subjectId: subscriptionId,
      before,
      after,
      reason: extra.reason ?? null,
      cause: extra.cause ?? null,
      requestId: actor.requestId,
    });
  });
}
