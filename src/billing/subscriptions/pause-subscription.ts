/**
 * pauseSubscription: POST /api/admin/subscriptions/:id/pause { behavior?, resumesAt?, reason? }. Pausing is Stripe's
 * `pause_collection` (invoices are voided, kept as drafts or marked uncollectible while paused; the subscription
 * stays). Idempotent per request (stored key); audited with Stripe's before/after.
 */
import { z } from 'zod';
import { toUnix } from '../../clock.js';
import type { Deps } from '../../deps.js';
import { conflict } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { auditSubscriptionChange } from './audit-subscription-change.js';
import { findSubscription, snapshotOf, type SubscriptionSnapshot } from './subscription-ref.js';

export const pauseInput = z
  .object({
    behavior: z.enum(['void', 'keep_as_draft', 'mark_uncollectible']).default('void'),
    resumesAt: z.iso.datetime({ offset: true }).optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();
export type PauseInput = z.infer<typeof pauseInput>;

const PAUSABLE = new Set(['active', 'trialing', 'past_due', 'unpaid']);

export async function pauseSubscription(
  deps: Pick<Deps, 'db' | 'stripe' | 'clock'>,
  actor: Actor,
  ref: string,
  input: PauseInput,
): Promise<SubscriptionSnapshot> {
  const { db, stripe } = deps;
  const { subscription } = await findSubscription(db, ref);
  const before = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  if (!PAUSABLE.has(before.status))
    throw conflict('subscription_not_pausable', `A ${before.status} subscription cannot be paused`);
  if (before.pause_collection) throw conflict('subscription_already_paused', 'Collection is already paused');
  if (input.resumesAt && new Date(input.resumesAt) <= deps.clock.now()) {
    throw conflict('resumes_at_in_past', 'resumesAt must be in the future');
  }
  const sid = subscription.stripeSubscriptionId;
  const after = await withOperationKey(
    db,
    'subscription.pause',
    `${subscription.id}:${actor.operationId}`,
    (idempotencyKey) =>
      stripe.subscriptions.update(
        sid,
        {
          pause_collection: {
            behavior: input.behavior,
            ...(input.resumesAt ? { resumes_at: toUnix(new Date(input.resumesAt)) } : {}),
          },
        },
        { idempotencyKey },
      ),
  );
  await auditSubscriptionChange(
    db,
    actor,
    'subscription.paused',
    subscription.id,
    snapshotOf(before),
    snapshotOf(after),
    {
      reason: input.reason ?? null,
    },
  );
  return snapshotOf(after);
}
