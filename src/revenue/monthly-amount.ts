/**
 * MRR of one subscription (docs/DESIGN.md §7): price × quantity normalised to a month (year / 12, week × 52 / 12,
 * day × 365 / 12, each divided by the price's interval_count), after discounts, before tax; counted only while the
 * subscription is `active` or `past_due` (trials, incomplete, paused, unpaid and ended subscriptions count 0).
 *
 * Pure: no I/O, no clock — the caller passes `asOf` (the event's `created`) for discount expiry.
 *
 * Discounts:
 * - `forever` always applies; `repeating` applies while its `end` is in the future of `asOf` (or has no end);
 *   `once` never counts: it reduces one invoice, not the recurring run rate.
 * - item discounts apply to their item, then subscription discounts apply to the sum, in the order given;
 *   `percent_off` multiplies, `amount_off` (per invoice, i.e. per billing interval of the subscription — its first
 *   item) is normalised to a month and subtracted; an `amount_off` in another currency is ignored (Stripe would
 *   not apply it either). The result never goes below 0.
 * - metered or tiered prices (no fixed unit amount) contribute 0.
 *
 * Rounding: everything is computed as an exact fraction and rounded ONCE at the end, half away from zero
 * (money.ts's one rule). A yearly 20000 → 1666.67 → 1667; a weekly 1000 → 4333.3 → 4333.
 */
import { AppError } from '../errors.js';
import { divRound, type Money } from '../money.js';
import type { PriceInterval, SubscriptionStatus } from '../billing/billing.tables.js';

export interface MrrDiscount {
  percentOff: number | null;
  amountOffMinor: number | null;
  /** Currency of `amountOffMinor` (lowercase). */
  currency: string | null;
  duration: 'once' | 'repeating' | 'forever';
  /** Unix seconds; null = no end. */
  end: number | null;
}

export interface MrrItem {
  /** null for metered/tiered prices. */
  unitAmountMinor: number | null;
  quantity: number;
  currency: string;
  interval: PriceInterval;
  intervalCount: number;
  usageType?: 'licensed' | 'metered';
  discounts?: readonly MrrDiscount[];
}

export const COUNTED_STATUSES: readonly SubscriptionStatus[] = ['active', 'past_due'];

/** Months per interval, as a fraction: [numerator, denominator] of "one interval expressed in months" inverse. */
const PER_MONTH: Record<PriceInterval, readonly [bigint, bigint]> = {
  // monthly amount = amount × num / den
  month: [1n, 1n],
  year: [1n, 12n],
  week: [52n, 12n],
  day: [365n, 12n],
};

/** An exact non-negative fraction on BigInts. */
interface Frac {
  n: bigint;
  d: bigint;
}
const frac = (n: bigint, d: bigint = 1n): Frac => ({ n, d });
const mul = (a: Frac, b: Frac): Frac => ({ n: a.n * b.n, d: a.d * b.d });
const addF = (a: Frac, b: Frac): Frac => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const subClamp = (a: Frac, b: Frac): Frac => {
  const n = a.n * b.d - b.n * a.d;
  return n <= 0n ? frac(0n) : { n, d: a.d * b.d };
};

/** A percent like 12.5 as an exact fraction of 1 (no float arithmetic: read from its decimal representation). */
function percentFraction(percent: number): Frac {
  const text = String(percent);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new AppError('invalid_discount', `percent_off ${text} is not a decimal in 0..100`, 422);
  const [, whole, decimals = ''] = m;
  const scale = 10n ** BigInt(decimals.length);
  const n = BigInt(`${whole}${decimals}`);
  if (n > 100n * scale) throw new AppError('invalid_discount', `percent_off ${text} is above 100`, 422);
  return frac(n, 100n * scale);
}

function applies(d: MrrDiscount, asOf: number | undefined): boolean {
  if (d.duration === 'once') return false;
  if (d.duration === 'forever') return true;
  return d.end === null || asOf === undefined || d.end > asOf;
}

function applyDiscounts(
  amount: Frac,
  discounts: readonly MrrDiscount[],
  currency: string,
  perMonth: Frac,
  asOf?: number,
): Frac {
  let out = amount;
  for (const d of discounts) {
    if (!applies(d, asOf)) continue;
    if (d.percentOff !== null) {
      out = mul(out, subClamp(frac(1n), percentFraction(d.percentOff)));
    } else if (d.amountOffMinor !== null && d.currency === currency) {
      out = subClamp(out, mul(frac(BigInt(d.amountOffMinor)), perMonth));
    }
  }
  return out;
}

function monthlyFactor(item: MrrItem): Frac {
  const [n, d] = PER_MONTH[item.interval];
  if (!Number.isSafeInteger(item.intervalCount) || item.intervalCount < 1) {
    throw new AppError(
      'invalid_price',
      `interval_count ${item.intervalCount} must be a positive integer`,
      422,
    );
  }
  return frac(n, d * BigInt(item.intervalCount));
}

/**
 * The subscription's monthly recurring amount in minor units of its currency.
 * Throws `currency_mismatch` if items are in different currencies (Stripe does not allow it).
 */
export function monthlyAmount(
  items: readonly MrrItem[],
  discounts: readonly MrrDiscount[],
  status: SubscriptionStatus | string,
  opts: { asOf?: number; currency?: string } = {},
): Money {
  const currency = (items[0]?.currency ?? opts.currency ?? '').toLowerCase();
  for (const item of items) {
    if (item.currency.toLowerCase() !== currency) {
      throw new AppError('currency_mismatch', `subscription items in ${currency} and ${item.currency}`, 422);
    }
  }
  if (!(COUNTED_STATUSES as readonly string[]).includes(status) || items.length === 0) {
    return { amountMinor: 0, currency };
  }
  let total = frac(0n);
  for (const item of items) {
    if (item.unitAmountMinor === null || item.usageType === 'metered') continue;
    const factor = monthlyFactor(item);
    const perInterval = frac(BigInt(item.unitAmountMinor) * BigInt(item.quantity));
    const discounted = applyDiscounts(perInterval, item.discounts ?? [], currency, frac(1n), opts.asOf);
    total = addF(total, mul(discounted, factor));
  }
  // A subscription-level amount_off is taken once per invoice, i.e. per billing interval of the subscription.
  const first = items[0];
  const subscriptionFactor = first ? monthlyFactor(first) : frac(1n);
  total = applyDiscounts(total, discounts, currency, subscriptionFactor, opts.asOf);
  return { amountMinor: Number(divRound(total.n, total.d)), currency };
}
