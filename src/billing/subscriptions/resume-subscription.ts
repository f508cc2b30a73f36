/**
 * resumeSubscription: POST /api/admin/subscriptions/:id/resume. Clears `pause_collection`, or resumes a subscription
 * Stripe itself paused (status `paused`: a trial that ended without a payment method). Idempotent per request; audited.
 */
import type Stripe from 'stripe';
import type { Deps } from '../../deps.js';
import { conflict } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { auditSubscriptionChange } from './audit-subscription-change.js';
import { findSubscription, snapshotOf, type SubscriptionSnapshot } from './subscription-ref.js';

export async function resumeSubscription(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  ref: string,
): Promise<SubscriptionSnapshot> {
  const { db, stripe } = deps;
  const { subscription } = await findSubscription(db, ref);
  const before = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  const sid = subscription.stripeSubscriptionId;
  let after: Stripe.Subscription;
  if (before.status === 'paused') {
    // Stripe's own paused status (a trial that ended without a payment method): resume (bills from now, Stripe's default).
    after = await withOperationKey(
      db,
      'subscription.resume',
      `${subscription.id}:${actor.operationId}`,
      (idempotencyKey) => stripe.subscriptions.resume(sid, {}, { idempotencyKey }),
    );
  } else if (before.pause_collection) {
    after = await withOperationKey(
      db,
      'subscription.resume',
      `${subscription.id}:${actor.operationId}`,
      (idempotencyKey) => stripe.subscriptions.update(sid, { pause_collection: '' }, { idempotencyKey }),
    );
  } else {
    throw conflict('subscription_not_paused', 'This subscription is not paused');
  }
  await auditSubscriptionChange(
    db,
    actor,
    'subscription.resumed',
    subscription.id,
    snapshotOf(before),
    snapshotOf(after),
  );
  return snapshotOf(after);
}
