/**
 * listCoupons: GET /api/admin/coupons — what an admin can put on a subscription, read from Stripe (coupons live
 * there, not in our mirror): the coupons still redeemable (`valid`), newest first, and the active promotion codes
 * with the coupon each applies. The console's coupon picker offers these instead of asking for a typed id. At most
 * LIMIT of each: past that the picker still accepts a typed id, and `more` says the list was cut.
 */
import type Stripe from 'stripe';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { toAppError } from '../operations/with-operation-key.js';

const LIMIT = 300;

export const couponOption = z.object({
  id: z.string(),
  name: z.string().nullable(),
  /** Percent off (e.g. 25 for 25 %), or null for an amount off. */
  percentOff: z.number().nullable(),
  /** Amount off in the currency's minor unit, with its currency, or null for a percent off. */
  amountOff: z.number().int().nullable(),
  currency: z.string().nullable(),
  /** forever, once or repeating (as Stripe names it; a newer value passes through). */
  duration: z.string(),
  durationInMonths: z.number().int().nullable(),
  timesRedeemed: z.number().int(),
  maxRedemptions: z.number().int().nullable(),
  redeemBy: z.iso.datetime().nullable(),
});

export const promotionCodeOption = z.object({
  id: z.string(),
  code: z.string(),
  couponId: z.string().nullable(),
  expiresAt: z.iso.datetime().nullable(),
});

export const couponOptions = z.object({
  coupons: z.array(couponOption),
  promotionCodes: z.array(promotionCodeOption),
  /** True when Stripe holds more than were read (LIMIT of each). */
  more: z.boolean(),
});
export type CouponOptions = z.infer<typeof couponOptions>;

const iso = (unix: number | null) => (unix === null ? null : new Date(unix * 1000).toISOString());

/** The first LIMIT of a list (the SDK pages through it), and whether Stripe holds more. */
async function firstOf<T>(list: Stripe.ApiListPromise<T>): Promise<{ items: T[]; more: boolean }> {
  const items = await list.autoPagingToArray({ limit: LIMIT + 1 });
  return { items: items.slice(0, LIMIT), more: items.length > LIMIT };
}

export async function listCoupons(deps: Pick<Deps, 'stripe'>): Promise<CouponOptions> {
  // Stripe down or refusing: 503 stripe_unavailable / 422 stripe_refused, as every other Stripe call of ours
  const [coupons, codes] = await Promise.all([
    firstOf(deps.stripe.coupons.list({ limit: 100 })),
    firstOf(deps.stripe.promotionCodes.list({ active: true, limit: 100 })),
  ]).catch((e: unknown) => {
    throw toAppError(e);
  });
  return {
    coupons: coupons.items
      .filter((c) => c.valid)
      .map((c) => ({
        id: c.id,
        name: c.name,
        percentOff: c.percent_off,
        amountOff: c.amount_off,
        currency: c.currency,
        duration: c.duration,
        durationInMonths: c.duration_in_months,
        timesRedeemed: c.times_redeemed,
        maxRedemptions: c.max_redemptions,
        redeemBy: iso(c.redeem_by),
      })),
    promotionCodes: codes.items.map((p) => {
      const coupon = p.promotion.coupon;
      return {
        id: p.id,
        code: p.code,
        couponId: coupon === null ? null : typeof coupon === 'string' ? coupon : coupon.id,
        expiresAt: iso(p.expires_at),
      };
    }),
    more: coupons.more || codes.more,
  };
}
