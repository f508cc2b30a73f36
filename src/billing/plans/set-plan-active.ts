/**
 * setPlanActive: POST /api/admin/plans/:id/activate|deactivate. Sets `active` on the Stripe product and the plan
 * row (audited). A deactivated plan is no longer offered at checkout; its subscribers keep their subscriptions.
 * Idempotent: setting the current state again changes nothing and writes no audit row.
 */
import { appendAudit } from '../../audit/append-audit.js';
import { fromUnix } from '../../clock.js';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { savePlanRow } from './catalogue-rows.js';
import { findPlanRow, getPlan, type PlanView } from './plan-views.js';

export async function setPlanActive(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  planId: string,
  active: boolean,
): Promise<PlanView> {
  const { db, stripe } = deps;
  const plan = await findPlanRow(db, planId);
  if (!plan?.stripeProductId) throw notFound('Plan', 'plan_not_found');
  if (plan.active === active) return getPlan(db, planId);
  const productId = plan.stripeProductId;
  const product = await withOperationKey(
    db,
    active ? 'plan.activate' : 'plan.deactivate',
    `${planId}:${actor.operationId}`,
    (idempotencyKey) => stripe.products.update(productId, { active }, { idempotencyKey }),
  );
  await db.transaction(async (tx) => {
    await savePlanRow(tx, product, fromUnix(product.updated));
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: active ? 'plan.activated' : 'plan.deactivated',
      subjectType: 'plan',
      subjectId: planId,
      before: { active: plan.active },
      after: { active },
      requestId: actor.requestId,
    });
  });
  return getPlan(db, planId);
}
