/**
 * applyCoupon / removeCoupon: POST /api/admin/subscriptions/:id/coupon { coupon | promotionCode, reason? } and
 * POST /api/admin/subscriptions/:id/coupon/remove { reason? }. The subscription's discounts become exactly that
 * coupon, or the coupon of that promotion code (Stripe's `discounts`), or none. An unknown coupon is 404
 * `coupon_not_found`, an unknown promotion code 404 `promotion_code_not_found`; Stripe refuses an expired or
 * used-up one (422 `stripe_refused`); an ended subscription is 409 `subscription_ended`. Idempotent per request
 * (stored key); audited with the coupons before and after. MRR follows from the `customer.subscription.updated` webhook: the mirror computes the discounted
 * monthly amount as for any discount.
 */
import type Stripe from 'stripe';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { AppError, conflict, notFound } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { auditSubscriptionChange } from './audit-subscription-change.js';
import { findSubscription, snapshotOf } from './subscription-ref.js';

export const applyCouponInput = z
  .object({
    /** A Stripe coupon id (GET /api/admin/coupons lists them). */
    coupon: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, 'a Stripe coupon id')
      .optional(),
    /** Or a Stripe promotion code's id (`promo_…`): its coupon is applied and the code counts a redemption. */
    promotionCode: z
      .string()
      .trim()
      .regex(/^promo_[A-Za-z0-9]{1,100}$/, 'a Stripe promotion code id (promo_…)')
      .optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict()
  .refine((v) => (v.coupon === undefined) !== (v.promotionCode === undefined), {
    message: 'Give exactly one of coupon or promotionCode',
  });
type Discount = { coupon: string } | { promotion_code: string };
export const removeCouponInput = z.object({ reason: z.string().trim().max(500).optional() }).strict();

export const couponResult = z.object({
  stripeSubscriptionId: z.string(),
  /** The coupons of the subscription's discounts after the change. */
  couponIds: z.array(z.string()),
});
type CouponResult = z.infer<typeof couponResult>;

const ENDED = new Set(['canceled', 'incomplete_expired']);

function couponIdsOf(s: Stripe.Subscription): string[] {
  return (s.discounts ?? []).flatMap((d) => {
    if (typeof d === 'string') return [];
    const c = d.source?.coupon;
    return c ? [typeof c === 'string' ? c : c.id] : [];
  });
}

async function changeDiscounts(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  ref: string,
  discount: Discount | null,
  reason: string | undefined,
): Promise<CouponResult> {
  const { db, stripe } = deps;
  const { subscription } = await findSubscription(db, ref);
  const sid = subscription.stripeSubscriptionId;
  const before = await stripe.subscriptions.retrieve(sid, { expand: ['discounts'] });
  if (ENDED.has(before.status))
    throw conflict('subscription_ended', `A ${before.status} subscription cannot take a coupon`);
  const had = couponIdsOf(before);
  if (discount === null && had.length === 0)
    throw conflict('no_coupon', 'The subscription has no coupon to remove');
  const after = await withOperationKey(
    db,
    discount ? 'subscription.apply_coupon' : 'subscription.remove_coupon',
    `${subscription.id}:${discount ? Object.values(discount)[0] : ''}:${actor.operationId}`,
    (idempotencyKey) =>
      stripe.subscriptions.update(
        sid,
        { discounts: discount ? [discount] : '', expand: ['discounts'] },
        { idempotencyKey },
      ),
  ).catch((e: unknown) => {
    // The only object of this request Stripe can miss is the coupon or code (the subscription was just read).
    if (e instanceof AppError && e.code === 'stripe_not_found') {
      throw discount && 'promotion_code' in discount
        ? notFound('Promotion code', 'promotion_code_not_found')
        : notFound('Coupon', 'coupon_not_found');
    }
    throw e;
  });
  const now = couponIdsOf(after);
  await auditSubscriptionChange(
    db,
    actor,
    discount ? 'subscription.coupon_applied' : 'subscription.coupon_removed',
    subscription.id,
    { ...snapshotOf(before), couponIds: had } as ReturnType<typeof snapshotOf>,
    { ...snapshotOf(after), couponIds: now } as ReturnType<typeof snapshotOf>,
    { reason: reason ?? null },
  );
  return { stripeSubscriptionId: sid, couponIds: now };
}

export function applyCoupon(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  ref: string,
  input: z.infer<typeof applyCouponInput>,
): Promise<CouponResult> {
  const discount: Discount = input.promotionCode
    ? { promotion_code: input.promotionCode }
    : { coupon: input.coupon! };
  return changeDiscounts(deps, actor, ref, discount, input.reason);
}

export function removeCoupon(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  ref: string,
  input: z.infer<typeof removeCouponInput>,
): Promise<CouponResult> {
  return changeDiscounts(deps, actor, ref, null, input.reason);
}
