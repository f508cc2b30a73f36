/**
 * addPlanPrice: POST /api/admin/plans/:id/prices. Stripe prices are immutable, so a price change is a NEW Stripe
 * price; the active price it replaces (same currency and billing interval) is archived (active=false in Stripe and
 * locally). Existing subscribers keep the archived price until migrated; checkout offers only active prices.
 * Idempotent per request id (stored keys).
 */
import { and, eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import { appendAudit } from '../../audit/append-audit.js';
import { fromUnix } from '../../clock.js';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { planPrices } from '../billing.tables.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { savePriceRow } from './catalogue-rows.js';
import { priceParamsOf } from './create-plan.js';
import type { PriceInput } from './plan-input.js';
import { findPlanRow, getPlan, type PlanView } from './plan-views.js';

export async function addPlanPrice(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  planId: string,
  input: PriceInput,
): Promise<PlanView> {
  const { db, stripe } = deps;
  const plan = await findPlanRow(db, planId);
  if (!plan?.stripeProductId) throw notFound('Plan', 'plan_not_found');
  const productId = plan.stripeProductId;
  const replaced = await db
    .select()
    .from(planPrices)
    .where(
      and(
        eq(planPrices.planId, planId),
        eq(planPrices.currency, input.currency),
        eq(planPrices.interval, input.interval),
        eq(planPrices.intervalCount, input.intervalCount),
        eq(planPrices.active, true),
      ),
    );
  const created = await withOperationKey(
    db,
    'plan.price',
    `${planId}:${actor.operationId}`,
    (idempotencyKey) => stripe.prices.create(priceParamsOf(productId, plan.key, input), { idempotencyKey }),
  );
  const archived: Stripe.Price[] = [];
  for (const old of replaced) {
    archived.push(
      await withOperationKey(
        db,
        'price.archive',
        `${old.stripePriceId}:${actor.operationId}`,
        (idempotencyKey) => stripe.prices.update(old.stripePriceId, { active: false }, { idempotencyKey }),
      ),
    );
  }
  await db.transaction(async (tx) => {
    await savePriceRow(tx, planId, created, fromUnix(created.created));
    // A price has no `updated` timestamp; the archive is newer than anything we hold for it.
    for (const a of archived) {
      const old = replaced.find((r) => r.stripePriceId === a.id);
      const at =
        old?.stripeVersionAt && old.stripeVersionAt > fromUnix(a.created)
          ? old.stripeVersionAt
          : fromUnix(a.created);
      await savePriceRow(tx, planId, a, at);
    }
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'plan.price_added',
      subjectType: 'plan',
      subjectId: planId,
      before: {
        activePrices: replaced.map((r) => ({
          stripePriceId: r.stripePriceId,
          unitAmount: r.unitAmountMinor,
        })),
      },
      after: {
        stripePriceId: created.id,
        currency: input.currency,
        unitAmount: input.unitAmount,
        interval: input.interval,
        intervalCount: input.intervalCount,
        archived: archived.map((a) => a.id),
      },
      requestId: actor.requestId,
    });
  });
  return getPlan(db, planId);
}
