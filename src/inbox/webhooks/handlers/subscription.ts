/**
 * customer.subscription.created / updated / deleted / paused / resumed / trial_will_end / pending_update_* — every
 * change of a subscription's state, items, period or discounts. Safe twice and out of order: upsertSubscription
 * applies the object only if newer (created, then status rank, then event id), so a duplicate is stale, an
 * `updated(active)` before `created(incomplete)` ends active and a stale `updated` never resurrects a canceled one;
 * its MRR movement is unique per (subscription, event).
 */
import type Stripe from 'stripe';
import { eventAt } from '../../../billing/mirror/event-time.js';
import { raiseBillingError } from '../../../billing/errors/raise-billing-error.js';
import { upsertSubscription } from '../../../billing/subscriptions/subscriptions.repo.js';
import { successionOf } from '../../../billing/mirror/version-guard.js';
import type { SubscriptionMirrorResult } from '../../../billing/subscriptions/subscriptions.repo.js';
import { onSubscriptionChanged } from '../../../dunning/on-subscription-changed.js';
import { applyEntitledRole } from '../../../accounts/roles/apply-entitled-role.js';
import { notifyTrialEnding } from '../../../notifications/notify-trial-ending.js';
import { notifyDowngraded } from '../../../notifications/notify-downgraded.js';
import type { EventContext } from '../types.js';
import { auditEvent, isChange, outcomeOf } from './handler-kit.js';
import type { FamilyHandler } from './handler-kit.js';

type T =
  | 'customer.subscription.created'
  | 'customer.subscription.updated'
  | 'customer.subscription.deleted'
  | 'customer.subscription.paused'
  | 'customer.subscription.resumed'
  | 'customer.subscription.trial_will_end'
  | 'customer.subscription.pending_update_applied'
  | 'customer.subscription.pending_update_expired';

/** Webhook payloads carry discount ids only: the missing objects are fetched (the one Stripe call allowed here). */
export async function fetchDiscounts(stripe: Stripe, subscriptionId: string): Promise<Stripe.Discount[]> {
  const s = await stripe.subscriptions.retrieve(subscriptionId, {
    expand: ['discounts.source.coupon', 'items.data.discounts'],
  });
  const all = [...s.discounts, ...s.items.data.flatMap((i) => i.discounts)].filter(
    (d): d is Stripe.Discount => typeof d === 'object',
  );
  for (const d of all) {
    if (typeof d.source?.coupon === 'string')
      d.source.coupon = await stripe.coupons.retrieve(d.source.coupon);
  }
  return all;
}

/**
 * The effects of a subscription change after its mirror row (and MRR movement) is written, in the event's
 * transaction and in this order: dunning reacts (opens, recovers or loses the case) → the user's role is recomputed
 * (one call, the cause chain event → subscription change → role change) → the "downgraded" notice of a case lost
 * here. The caller writes the audit row last. Also used by checkout.session.completed for a subscription it fetched.
 */
export async function subscriptionEffects(ctx: EventContext, r: SubscriptionMirrorResult): Promise<void> {
  const change = await onSubscriptionChanged(ctx.tx, ctx.deps, ctx.event, r);
  if (!change?.userId || !r.row) return;
  const application = await applyEntitledRole(
    ctx.tx,
    change.userId,
    {
      kind: 'stripe_event',
      eventId: ctx.event.id,
      eventType: ctx.event.type,
      subscription: {
        id: r.row.id,
        stripeId: r.row.stripeSubscriptionId,
        from: r.before?.status ?? null,
        to: r.row.status,
      },
      dunningCaseId: change.dunningCaseId,
    },
    change.at,
    { defaultGraceDays: ctx.deps.config.graceDays },
  );
  if (change.lost)
    await notifyDowngraded(ctx.tx, ctx.deps, { ...change.lost, userId: change.userId, application });
}

export const subscriptionChanged: FamilyHandler<T> = async (ctx) => {
  const sub = ctx.event.data.object;
  const r = await upsertSubscription(ctx.tx, sub, eventAt(ctx.event), ctx.event.id, {
    resolveDiscounts: (id) => fetchDiscounts(ctx.deps.stripe, id),
    succession: successionOf(ctx.event),
  });
  await notifyTrialEnding(ctx.tx, ctx.deps, ctx.event); // issue 5: trial_will_end → "trial ending" email (once)
  if (r.outcome === 'stale') return outcomeOf(r);
  // docs/RELIABILITY.md 10: mirrored (no plan, so no role), and a person is told.
  for (const price of r.unknownPrices) {
    await raiseBillingError(ctx.tx, {
      kind: 'unknown_price',
      subject: price,
      eventId: ctx.event.id,
      message: `subscription ${sub.id} uses price ${price}, which is not in the catalogue`,
      at: ctx.deps.clock.now(),
    });
  }
  if (isChange(r)) {
    await subscriptionEffects(ctx, r);
    await auditEvent(ctx, {
      subjectType: 'subscription',
      subjectId: sub.id,
      before: r.before,
      after: r.row,
      extra: {
        ...(r.movement ? { mrrMovement: r.movement } : {}),
        ...(r.unknownPrices.length ? { unknownPrices: r.unknownPrices } : {}),
      },
    });
  }
  return outcomeOf(r, r.unknownPrices.length ? `unknown price ${r.unknownPrices.join(', ')}` : undefined);
};
