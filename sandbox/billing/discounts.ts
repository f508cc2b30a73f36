/** Coupons and promotion codes turned into discounts, and discounts applied to invoice lines. */
import { invalidRequest, resourceMissing } from '../protocol/errors.js';
import { str, type P } from '../protocol/params.js';
import { discountShape } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { addInterval, percentOf } from './proration.js';

export function getCoupon(sb: Sandbox, id: string, param = 'coupon'): Obj {
  const c = sb.store.get(id, 'coupon');
  if (!c || sb.store.m(id).deleted) throw resourceMissing('coupon', id, param);
  return c;
}

function redeemable(sb: Sandbox, coupon: Obj, at: number, param: string): void {
  if (!coupon.valid) throw invalidRequest(`Coupon ${coupon.id} is no longer valid.`, param, 'coupon_expired');
  if (coupon.redeem_by !== null && at > coupon.redeem_by) {
    throw invalidRequest(`Coupon ${coupon.id} is expired.`, param, 'coupon_expired');
  }
  if (coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions) {
    throw invalidRequest(`Coupon ${coupon.id} has been fully redeemed.`, param, 'coupon_expired');
  }
}

export function findPromotionCode(sb: Sandbox, idOrCode: string, param: string, at: number): Obj {
  const promo =
    sb.store.get(idOrCode, 'promotion_code') ??
    sb.store.all('promotion_code').find((x) => x.code.toLowerCase() === idOrCode.toLowerCase() && x.active);
  if (!promo) throw resourceMissing('promotion code', idOrCode, param);
  if (!promo.active)
    throw invalidRequest(`This promotion code is inactive.`, param, 'promotion_code_invalid');
  if (promo.expires_at !== null && at > promo.expires_at) {
    throw invalidRequest(`This promotion code has expired.`, param, 'promotion_code_expired');
  }
  if (promo.max_redemptions !== null && promo.times_redeemed >= promo.max_redemptions) {
    throw invalidRequest(`This promotion code has been fully redeemed.`, param, 'promotion_code_invalid');
  }
  return promo;
}

/** Parse `discounts[n][coupon|promotion_code]` into (coupon, promo) pairs, validating before any change. */
export function parseDiscounts(
  sb: Sandbox,
  list: P[],
  at: number,
  param = 'discounts',
): Array<{ coupon: Obj; promo: Obj | null }> {
  return list.map((d, i) => {
    const couponId = str(d, 'coupon');
    const promoId = str(d, 'promotion_code');
    if (couponId) {
      const coupon = getCoupon(sb, couponId, `${param}[${i}][coupon]`);
      redeemable(sb, coupon, at, `${param}[${i}][coupon]`);
      return { coupon, promo: null };
    }
    if (promoId) {
      const promo = findPromotionCode(sb, promoId, `${param}[${i}][promotion_code]`, at);
      const coupon = getCoupon(sb, promo.promotion.coupon, `${param}[${i}][promotion_code]`);
      redeemable(sb, coupon, at, `${param}[${i}][promotion_code]`);
      return { coupon, promo };
    }
    throw invalidRequest('Each discount needs a coupon or a promotion_code.', `${param}[${i}]`);
  });
}

/** Create discount objects for a subscription and count the redemptions. */
export function createDiscounts(
  sb: Sandbox,
  pairs: Array<{ coupon: Obj; promo: Obj | null }>,
  at: number,
  f: { customer: string; subscription?: string; checkout_session?: string },
): string[] {
  return pairs.map(({ coupon, promo }) => {
    const end =
      coupon.duration === 'repeating' ? addInterval(at, 'month', coupon.duration_in_months as number) : null;
    const d = discountShape(newId('di'), at, {
      coupon: structuredClone(coupon),
      promotion_code: promo?.id ?? null,
      customer: f.customer,
      subscription: f.subscription ?? null,
      checkout_session: f.checkout_session ?? null,
      end,
    });
    sb.store.insert(d);
    // redemption counters change silently (Stripe sends no coupon.updated for them)
    coupon.times_redeemed++;
    if (coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions)
      coupon.valid = false;
    if (promo) promo.times_redeemed++;
    return d.id as string;
  });
}

/** Discounts of a subscription that still apply to an invoice for a period starting at `at`. */
export function activeDiscounts(sb: Sandbox, discountIds: string[], at: number): Obj[] {
  return discountIds
    .map((id) => sb.store.get(id, 'discount'))
    .filter((d): d is Obj => d !== undefined)
    .filter((d) => d.end === null || d.end > at);
}

/**
 * Apply discounts to lines (mutates `discount_amounts` / `discounts` on each line) and return the invoice
 * totals. Discounts apply to positive, discountable lines only; percent first per line (rounded half up),
 * amount-off spread over lines in order, never below zero.
 */
export function applyDiscounts(
  lines: Obj[],
  discounts: Obj[],
  currency: string,
): Array<{ amount: number; discount: string }> {
  const totals: Array<{ amount: number; discount: string }> = [];
  for (const line of lines) {
    line.discount_amounts = [];
    line.discounts = [];
  }
  for (const d of discounts) {
    const c = d.source.coupon as Obj;
    let total = 0;
    if (c.percent_off !== null) {
      for (const line of lines) {
        if (!line.discountable || line.amount <= 0) continue;
        const already = (line.discount_amounts as Obj[]).reduce((s, x) => s + x.amount, 0);
        const amt = Math.min(percentOf(line.amount, c.percent_off), line.amount - already);
        line.discount_amounts.push({ amount: amt, discount: d.id });
        line.discounts.push(d.id);
        total += amt;
      }
    } else if (c.amount_off !== null && c.currency === currency) {
      let left = c.amount_off as number;
      for (const line of lines) {
        if (!line.discountable || line.amount <= 0) continue;
        const already = (line.discount_amounts as Obj[]).reduce((s, x) => s + x.amount, 0);
        const amt = Math.min(left, line.amount - already);
        line.discount_amounts.push({ amount: amt, discount: d.id });
        line.discounts.push(d.id);
        left -= amt;
        total += amt;
      }
    }
    totals.push({ amount: total, discount: d.id });
  }
  return totals;
}
