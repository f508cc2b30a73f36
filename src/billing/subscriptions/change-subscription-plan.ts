/**
 * changeSubscriptionPlan: POST /api/admin/subscriptions/:id/change-plan { priceId, prorationBehavior, prorationDate? }.
 * Swaps the subscription's item to another ACTIVE catalogue price in Stripe with the chosen proration; passing the
 * preview's `prorationDate` makes the applied proration equal the previewed amounts. Idempotent per request
 * (stored key); audited with Stripe's before/after; the mirror row and MRR movement follow from the webhook.
 */
import { z } from 'zod';
import type Stripe from 'stripe';
import type { Deps } from '../../deps.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { auditSubscriptionChange } from './audit-subscription-change.js';
import { loadChange, prorationBehavior } from './preview-plan-change.js';
import { snapshotOf, type SubscriptionSnapshot } from './subscription-ref.js';

export const changePlanInput = z
  .object({
    priceId: z.string().min(1).max(100),
    prorationBehavior: prorationBehavior.default('create_prorations'),
    prorationDate: z.number().int().positive().optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();
export type ChangePlanInput = z.infer<typeof changePlanInput>;

export async function changeSubscriptionPlan(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  ref: string,
  input: ChangePlanInput,
): Promise<SubscriptionSnapshot> {
  const { subscription, current, item, target } = await loadChange(deps, ref, input.priceId);
  const params: Stripe.SubscriptionUpdateParams = {
    items: [{ id: item.id, price: target.price.stripePriceId, quantity: item.quantity ?? 1 }],
    proration_behavior: input.prorationBehavior,
    ...(input.prorationDate ? { proration_date: input.prorationDate } : {}),
    metadata: { plan_key: target.plan.key },
  };
  const after = await withOperationKey(
    deps.db,
    'subscription.change_plan',
    `${subscription.id}:${actor.operationId}`,
    (idempotencyKey) => deps.stripe.subscriptions.update(current.id, params, { idempotencyKey }),
  );
  await auditSubscriptionChange(
    deps.db,
    actor,
    'subscription.plan_changed',
    subscription.id,
    snapshotOf(current),
    snapshotOf(after),
    {
      reason: input.reason ?? null,
      cause: {
        toPlan: target.plan.key,
        prorationBehavior: input.prorationBehavior,
        prorationDate: input.prorationDate ?? null,
      },
    },
  );
  return snapshotOf(after);
}
