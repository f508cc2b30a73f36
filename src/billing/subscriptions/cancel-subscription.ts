/**
 * cancelSubscription: POST /api/admin/subscriptions/:id/cancel { at: 'now' | 'period_end', reason? }.
 * `now` ends it in Stripe immediately; `period_end` sets cancel_at_period_end (the customer keeps access until the
 * period ends, then Stripe deletes it and the webhook ends it locally). `at: 'undo'` clears a scheduled cancellation.
 * Idempotent per request (stored key `subscription.cancel:<id>:<request>`); audited with Stripe's before/after.
 */
import { z } from 'zod';
import type Stripe from 'stripe';
import type { Deps } from '../../deps.js';
import { conflict } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { auditSubscriptionChange } from './audit-subscription-change.js';
import { findSubscription, snapshotOf, type SubscriptionSnapshot } from './subscription-ref.js';

export const cancelInput = z
  .object({
    at: z.enum(['now', 'period_end', 'undo']),
    reason: z.string().trim().max(500).optional(),
    /** Only for `now`: credit the unused time (Stripe's prorate + invoice_now). */
    prorate: z.boolean().default(false),
  })
  .strict();
export type CancelInput = z.infer<typeof cancelInput>;

const ENDED = new Set(['canceled', 'incomplete_expired']);

export async function cancelSubscription(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  ref: string,
  input: CancelInput,
): Promise<SubscriptionSnapshot> {
  const { db, stripe } = deps;
  const { subscription } = await findSubscription(db, ref);
  const before = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  if (ENDED.has(before.status)) throw conflict('subscription_ended', 'This subscription has already ended');
  const sid = subscription.stripeSubscriptionId;
  const details = input.reason ? { cancellation_details: { comment: input.reason } } : {};
  const after: Stripe.Subscription = await withOperationKey(
    db,
    'subscription.cancel',
    `${subscription.id}:${input.at}:${actor.operationId}`,
    (idempotencyKey) => {
      if (input.at === 'now') {
        return stripe.subscriptions.cancel(
          sid,
          { ...details, prorate: input.prorate, invoice_now: input.prorate },
          { idempotencyKey },
        );
      }
      return stripe.subscriptions.update(
        sid,
        { cancel_at_period_end: input.at === 'period_end', ...(input.at === 'period_end' ? details : {}) },
        { idempotencyKey },
      );
    },
  );
  const action = {
    now: 'subscription.canceled',
    period_end: 'subscription.cancel_scheduled',
    undo: 'subscription.cancel_undone',
  }[input.at];
  await auditSubscriptionChange(db, actor, action, subscription.id, snapshotOf(before), snapshotOf(after), {
    reason: input.reason ?? null,
  });
  return snapshotOf(after);
}
