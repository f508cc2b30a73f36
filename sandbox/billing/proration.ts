/**
 * Pure time and money arithmetic for the sandbox's billing engine.
 *
 * Proration rule (documented in the README): Stripe prorates per second of the period. An item worth
 * `amount` for a period of `periodSeconds` is worth, for `remainingSeconds` of it,
 *   round_half_away_from_zero(amount × remainingSeconds / periodSeconds)
 * computed in exact integer arithmetic (BigInt), so every line is an exact integer in the minor unit.
 * A credit line is the negation of the same computation for the old item.
 */
export function prorate(amount: number, remainingSeconds: number, periodSeconds: number): number {
  if (periodSeconds <= 0) throw new Error('period must be positive');
  const r = BigInt(Math.max(0, Math.min(remainingSeconds, periodSeconds)));
  const a = BigInt(Math.abs(amount));
  const p = BigInt(periodSeconds);
  const q = (2n * a * r + p) / (2n * p);
  return amount < 0 ? -Number(q) : Number(q);
}

/** `amount × percent / 100` rounded half up, percent with up to two decimals, in integers. */
export function percentOf(amount: number, percent: number): number {
  const hundredths = BigInt(Math.round(percent * 100));
  return Number((2n * BigInt(amount) * hundredths + 10000n) / 20000n);
}

export type Interval = 'day' | 'week' | 'month' | 'year';

/** Calendar arithmetic in UTC as Stripe bills: months keep the anchor's day, clamped to the month's end. */
export function addInterval(unix: number, interval: Interval, count: number): number {
  const d = new Date(unix * 1000);
  switch (interval) {
    case 'day':
      return unix + 86400 * count;
    case 'week':
      return unix + 7 * 86400 * count;
    case 'month':
    case 'year': {
      const months = interval === 'year' ? 12 * count : count;
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth() + months;
      const targetYear = y + Math.floor(m / 12);
      const targetMonth = ((m % 12) + 12) % 12;
      const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
      const day = Math.min(d.getUTCDate(), lastDay);
      return Math.floor(
        Date.UTC(targetYear, targetMonth, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000,
      );
    }
  }
}

/** The end of the billing period that starts at `start`, counted from `anchor` so short months don't drift. */
export function periodEndAfter(anchor: number, start: number, interval: Interval, count: number): number {
  for (let k = 1; k < 100000; k++) {
    const t = addInterval(anchor, interval, count * k);
    if (t > start) return t;
  }
  throw new Error('period overflow');
}

export function formatMoney(amount: number, currency: string): string {
  const zeroDecimal = ['jpy', 'krw', 'vnd', 'clp', 'isk', 'ugx', 'xaf', 'xof'].includes(currency);
  const sign = amount < 0 ? '-' : '';
  const a = Math.abs(amount);
  const symbol =
    currency === 'usd'
      ? '$'
      : currency === 'eur'
        ? '€'
        : currency === 'gbp'
          ? '£'
          : `${currency.toUpperCase()} `;
  if (zeroDecimal) return `${sign}${symbol}${a}`;
  return `${sign}${symbol}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

export function formatDate(unix: number): string {
  const d = new Date(unix * 1000);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
