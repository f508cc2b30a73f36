/**
 * updatePlan: PATCH /api/admin/plans/:id. Changes the plan's own fields on the Stripe product (name, description,
 * features, and plan_key/grants_role/trial_days in metadata), then the local row, with an audit row (before → after).
 * Idempotent per request id (stored key); prices are untouched (see addPlanPrice).
 */
import { appendAudit } from '../../audit/append-audit.js';
import { fromUnix } from '../../clock.js';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { savePlanRow } from './catalogue-rows.js';
import type { UpdatePlanInput } from './plan-input.js';
import { productParamsOf } from './plan-product.js';
import { findPlanRow, getPlan, type PlanView } from './plan-views.js';

export async function updatePlan(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  planId: string,
  input: UpdatePlanInput,
): Promise<PlanView> {
  const { db, stripe } = deps;
  const before = await findPlanRow(db, planId);
  if (!before?.stripeProductId) throw notFound('Plan', 'plan_not_found');
  const next = {
    key: before.key,
    name: input.name ?? before.name,
    description: input.description === undefined ? before.description : input.description,
    grantsRole: (input.grantsRole ?? before.grantsRole) as 'member' | 'professional' | 'enterprise',
    trialDays: input.trialDays ?? before.trialDays,
    features: input.features ?? before.features,
  };
  const params = productParamsOf(next);
  const productId = before.stripeProductId;
  const product = await withOperationKey(
    db,
    'plan.update',
    `${planId}:${actor.operationId}`,
    (idempotencyKey) =>
      stripe.products.update(
        productId,
        // An emptied description is sent as '' (Stripe's way to unset it).
        { ...params, description: next.description ?? '' },
        { idempotencyKey },
      ),
  );
  await db.transaction(async (tx) => {
    await savePlanRow(tx, product, fromUnix(product.updated));
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'plan.updated',
      subjectType: 'plan',
      subjectId: planId,
      before: {
        name: before.name,
        description: before.description,
        grantsRole: before.grantsRole,
        trialDays: before.trialDays,
        features: before.features,
      },
      after: {
        name: next.name,
        description: next.description,
        grantsRole: next.grantsRole,
        trialDays: next.trialDays,
        features: next.features,
      },
      requestId: actor.requestId,
    });
  });
  return getPlan(db, planId);
}
