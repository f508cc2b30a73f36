import { describe, expect, it } from 'vitest';
import { monthlyAmount, type MrrDiscount, type MrrItem } from './monthly-amount.js';

const item = (o: Partial<MrrItem> = {}): MrrItem => ({
  unitAmountMinor: 2900,
  quantity: 1,
  currency: 'usd',
  interval: 'month',
  intervalCount: 1,
  ...o,
});
const pct = (percentOff: number, o: Partial<MrrDiscount> = {}): MrrDiscount => ({
  percentOff,
  amountOffMinor: null,
  currency: null,
  duration: 'forever',
  end: null,
  ...o,
});
const off = (amountOffMinor: number, o: Partial<MrrDiscount> = {}): MrrDiscount => ({
  percentOff: null,
  amountOffMinor,
  currency: 'usd',
  duration: 'forever',
  end: null,
  ...o,
});
const mrr = (...a: Parameters<typeof monthlyAmount>) => monthlyAmount(...a).amountMinor;

describe('monthlyAmount: normalisation to a month', () => {
  it('monthly price × quantity', () => {
    expect(monthlyAmount([item()], [], 'active')).toEqual({ amountMinor: 2900, currency: 'usd' });
    expect(mrr([item({ quantity: 3 })], [], 'active')).toBe(8700);
  });
  it('yearly / 12, rounded half away from zero', () => {
    expect(mrr([item({ unitAmountMinor: 20000, interval: 'year' })], [], 'active')).toBe(1667);
    expect(mrr([item({ unitAmountMinor: 24000, interval: 'year' })], [], 'active')).toBe(2000);
    expect(mrr([item({ unitAmountMinor: 18, interval: 'year' })], [], 'active')).toBe(2); // 1.5 → 2
  });
  it('week × 52 / 12 and day × 365 / 12', () => {
    expect(mrr([item({ unitAmountMinor: 1000, interval: 'week' })], [], 'active')).toBe(4333);
    expect(mrr([item({ unitAmountMinor: 100, interval: 'day' })], [], 'active')).toBe(3042); // 3041.67
  });
  it('divides by interval_count', () => {
    expect(mrr([item({ unitAmountMinor: 9000, intervalCount: 3 })], [], 'active')).toBe(3000);
    expect(mrr([item({ unitAmountMinor: 20000, interval: 'year', intervalCount: 2 })], [], 'active')).toBe(
      833,
    );
    expect(() => mrr([item({ intervalCount: 0 })], [], 'active')).toThrow(
      expect.objectContaining({ code: 'invalid_price' }),
    );
  });
  it('sums items before rounding once', () => {
    // 1/12 of 10 twice: 0.8333 × 2 = 1.67 → 2 (rounding each would give 1 + 1 = 2 too; 3 × 0.8333 = 2.5 → 3)
    const small = item({ unitAmountMinor: 10, interval: 'year' });
    expect(mrr([small, small, small], [], 'active')).toBe(3);
    expect(mrr([item(), item({ unitAmountMinor: 500, quantity: 2 })], [], 'active')).toBe(3900);
  });
  it('zero-decimal and three-decimal currencies are plain integers', () => {
    expect(
      monthlyAmount([item({ unitAmountMinor: 12000, currency: 'jpy', interval: 'year' })], [], 'active'),
    ).toEqual({
      amountMinor: 1000,
      currency: 'jpy',
    });
    expect(mrr([item({ unitAmountMinor: 12345, currency: 'bhd' })], [], 'active')).toBe(12345);
  });
  it('metered and tiered prices count 0', () => {
    expect(mrr([item({ usageType: 'metered' })], [], 'active')).toBe(0);
    expect(mrr([item({ unitAmountMinor: null }), item()], [], 'active')).toBe(2900);
  });
  it('refuses items in two currencies', () => {
    expect(() => mrr([item(), item({ currency: 'eur' })], [], 'active')).toThrow(
      expect.objectContaining({ code: 'currency_mismatch' }),
    );
  });
});

describe('monthlyAmount: status', () => {
  it.each([
    ['active', 2900],
    ['past_due', 2900],
    ['trialing', 0],
    ['incomplete', 0],
    ['incomplete_expired', 0],
    ['canceled', 0],
    ['unpaid', 0],
    ['paused', 0],
  ])('%s counts %i', (status, expected) => {
    expect(mrr([item()], [], status)).toBe(expected);
  });
  it('no items: 0 in the given currency', () => {
    expect(monthlyAmount([], [], 'active', { currency: 'eur' })).toEqual({ amountMinor: 0, currency: 'eur' });
  });
});

describe('monthlyAmount: discounts', () => {
  it('percent off (decimal percents exactly)', () => {
    expect(mrr([item()], [pct(20)], 'active')).toBe(2320);
    expect(mrr([item()], [pct(12.5)], 'active')).toBe(2538); // 2537.5 → 2538
    expect(mrr([item()], [pct(100)], 'active')).toBe(0);
    expect(mrr([item({ unitAmountMinor: 20000, interval: 'year' })], [pct(50)], 'active')).toBe(833);
  });
  it('amount off per invoice, normalised by the subscription interval, never below 0', () => {
    expect(mrr([item()], [off(500)], 'active')).toBe(2400);
    expect(mrr([item({ unitAmountMinor: 24000, interval: 'year' })], [off(1200)], 'active')).toBe(1900);
    expect(mrr([item()], [off(5000)], 'active')).toBe(0);
    expect(mrr([item()], [off(500, { currency: 'eur' })], 'active')).toBe(2900);
  });
  it('in order: percent then amount differs from amount then percent', () => {
    expect(mrr([item({ unitAmountMinor: 1000 })], [pct(10), off(100)], 'active')).toBe(800);
    expect(mrr([item({ unitAmountMinor: 1000 })], [off(100), pct(10)], 'active')).toBe(810);
  });
  it('item-level discounts apply to their item only', () => {
    expect(mrr([item({ discounts: [pct(50)] }), item({ unitAmountMinor: 1000 })], [], 'active')).toBe(2450);
  });
  it('duration: once never counts, repeating until its end, forever always', () => {
    const asOf = 1_800_000_000;
    expect(mrr([item()], [pct(50, { duration: 'once' })], 'active', { asOf })).toBe(2900);
    expect(mrr([item()], [pct(50, { duration: 'repeating', end: asOf + 1 })], 'active', { asOf })).toBe(1450);
    expect(mrr([item()], [pct(50, { duration: 'repeating', end: asOf })], 'active', { asOf })).toBe(2900);
    expect(mrr([item()], [pct(50, { duration: 'repeating', end: null })], 'active', { asOf })).toBe(1450);
    expect(mrr([item()], [pct(50, { end: asOf - 100 })], 'active', { asOf })).toBe(1450);
  });
  it('refuses a percent above 100', () => {
    expect(() => mrr([item()], [pct(101)], 'active')).toThrow(
      expect.objectContaining({ code: 'invalid_discount' }),
    );
  });
  it('discounts do not matter while not counted', () => {
    expect(mrr([item()], [pct(50)], 'trialing')).toBe(0);
  });
});
