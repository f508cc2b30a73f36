/**
 * Maps Stripe subscription shapes to the pure MRR inputs. Discounts must be expanded objects (the subscription's
 * `discounts[]` are ids in webhook payloads): the repository resolves ids from what it stored before, or asks
 * its resolver (a Stripe call for the missing object).
 */
import type Stripe from 'stripe';
import type { PriceInterval } from '../billing/billing.tables.js';
import type { MrrDiscount, MrrItem } from './monthly-amount.js';

/** What we keep of a discount (stored in subscriptions.discount): enough to recompute MRR without Stripe. */
export interface DiscountSummary extends MrrDiscount {
  id: string;
  couponId: string | null;
  promotionCodeId: string | null;
  /** The subscription item it belongs to, or null for the whole subscription. */
  subscriptionItemId: string | null;
}

export function discountSummary(d: Stripe.Discount, itemId: string | null = null): DiscountSummary {
  const coupon = d.source?.coupon && typeof d.source.coupon === 'object' ? d.source.coupon : null;
  const couponId = typeof d.source?.coupon === 'string' ? d.source.coupon : (coupon?.id ?? null);
  if (!coupon) throw new Error(`discount ${d.id}: coupon ${couponId ?? '?'} is not expanded`);
  return {
    id: d.id,
    couponId,
    promotionCodeId: typeof d.promotion_code === 'string' ? d.promotion_code : (d.promotion_code?.id ?? null),
    subscriptionItemId: itemId ?? d.subscription_item ?? null,
    percentOff: coupon.percent_off,
    amountOffMinor: coupon.amount_off,
    currency: coupon.currency?.toLowerCase() ?? null,
    duration: coupon.duration as MrrDiscount['duration'],
    end: d.end,
  };
}

export function mrrItemOf(item: Stripe.SubscriptionItem, discounts: readonly MrrDiscount[]): MrrItem {
  const price = item.price;
  return {
    unitAmountMinor: price.unit_amount,
    quantity: item.quantity ?? 1,
    currency: price.currency.toLowerCase(),
    interval: (price.recurring?.interval ?? 'month') as PriceInterval,
    intervalCount: price.recurring?.interval_count ?? 1,
    usageType: price.recurring?.usage_type === 'metered' ? 'metered' : 'licensed',
    discounts,
  };
}
