import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  add,
  currencyExponent,
  divRound,
  formatMoney,
  money,
  mulDiv,
  parseMajor,
  prorate,
  subtract,
  sum,
  sumByCurrency,
  toDecimalString,
} from './money.js';

describe('currency exponent', () => {
  it('knows zero-, two- and three-decimal currencies', () => {
    expect(currencyExponent('jpy')).toBe(0);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('usd')).toBe(2);
    expect(currencyExponent('eur')).toBe(2);
    expect(currencyExponent('bhd')).toBe(3);
    expect(currencyExponent('kwd')).toBe(3);
  });
  it('refuses a non-ISO code', () => {
    expect(() => currencyExponent('dollars')).toThrow(expect.objectContaining({ code: 'invalid_currency' }));
  });
});

describe('formatting', () => {
  it('formats with the currency exponent', () => {
    expect(formatMoney(money(2900, 'usd'))).toBe('$29.00');
    expect(formatMoney(money(500, 'jpy'))).toBe('¥500');
    expect(formatMoney(money(1234, 'bhd'))).toBe('BHD\u00a01.234');
    expect(formatMoney(money(-5, 'usd'))).toBe('-$0.05');
    expect(formatMoney(money(123456789, 'eur'), 'de-DE')).toBe('1.234.567,89\u00a0€');
  });
  it('keeps every digit of large amounts (no float rounding)', () => {
    expect(toDecimalString(money(9007199254740991, 'usd'))).toBe('90071992547409.91');
    expect(formatMoney(money(9007199254740991, 'usd'))).toBe('$90,071,992,547,409.91');
  });
  it('decimal strings', () => {
    expect(toDecimalString(money(7, 'usd'))).toBe('0.07');
    expect(toDecimalString(money(7, 'bhd'))).toBe('0.007');
    expect(toDecimalString(money(7, 'jpy'))).toBe('7');
    expect(toDecimalString(money(-2900, 'usd'))).toBe('-29.00');
  });
  it('parses major units exactly and refuses extra precision', () => {
    expect(parseMajor('29.00', 'usd')).toEqual({ amountMinor: 2900, currency: 'usd' });
    expect(parseMajor('29.9', 'usd')).toEqual({ amountMinor: 2990, currency: 'usd' });
    expect(parseMajor('500', 'jpy')).toEqual({ amountMinor: 500, currency: 'jpy' });
    expect(parseMajor('1.234', 'BHD')).toEqual({ amountMinor: 1234, currency: 'bhd' });
    expect(() => parseMajor('1.5', 'jpy')).toThrow(expect.objectContaining({ code: 'invalid_amount' }));
    expect(() => parseMajor('abc', 'usd')).toThrow(expect.objectContaining({ code: 'invalid_amount' }));
  });
  it('round-trips toDecimalString and parseMajor', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('usd', 'jpy', 'bhd'), (n, c) => {
        expect(parseMajor(toDecimalString(money(n, c)), c).amountMinor).toBe(n);
      }),
    );
  });
});

describe('arithmetic never mixes currencies', () => {
  it('adds and subtracts in one currency', () => {
    expect(add(money(2900, 'usd'), money(100, 'USD'))).toEqual({ amountMinor: 3000, currency: 'usd' });
    expect(subtract(money(2900, 'usd'), money(3000, 'usd'))).toEqual({ amountMinor: -100, currency: 'usd' });
    expect(sum([money(1, 'eur'), money(2, 'eur'), money(3, 'eur')])).toEqual({
      amountMinor: 6,
      currency: 'eur',
    });
    expect(sum([], 'jpy')).toEqual({ amountMinor: 0, currency: 'jpy' });
  });
  it('throws currency_mismatch on a mix', () => {
    expect(() => add(money(1, 'usd'), money(1, 'eur'))).toThrow(
      expect.objectContaining({ code: 'currency_mismatch' }),
    );
    expect(() => sum([money(1, 'usd'), money(1, 'jpy')])).toThrow(
      expect.objectContaining({ code: 'currency_mismatch' }),
    );
    expect(() => sum([])).toThrow(expect.objectContaining({ code: 'invalid_amount' }));
  });
  it('totals per currency', () => {
    const totals = sumByCurrency([money(2900, 'usd'), money(500, 'jpy'), money(100, 'usd')]);
    expect([...totals.entries()]).toEqual([
      ['usd', 3000],
      ['jpy', 500],
    ]);
  });
  it('refuses non-integer amounts', () => {
    expect(() => money(29.5, 'usd')).toThrow(expect.objectContaining({ code: 'invalid_amount' }));
  });
});

describe('proration: round half away from zero', () => {
  it('rounds the exact value', () => {
    expect(mulDiv(2900, 1, 3)).toBe(967);
    expect(mulDiv(2900, 2, 3)).toBe(1933);
    expect(mulDiv(5, 1, 2)).toBe(3);
    expect(mulDiv(-5, 1, 2)).toBe(-3);
    expect(mulDiv(7, 1, 4)).toBe(2);
    expect(mulDiv(10, 1, -4)).toBe(-3);
    expect(divRound(-7n, 4n)).toBe(-2n);
    expect(mulDiv(9007199254740991, 3, 3)).toBe(9007199254740991);
  });
  it('prorates a period share', () => {
    // 15 of 30 days of 2900: 1450; 1 of 31 days: 93.548… → 94.
    expect(prorate(money(2900, 'usd'), 15, 30)).toEqual({ amountMinor: 1450, currency: 'usd' });
    expect(prorate(money(2900, 'usd'), 1, 31)).toEqual({ amountMinor: 94, currency: 'usd' });
    expect(() => prorate(money(2900, 'usd'), 2, 1)).toThrow(
      expect.objectContaining({ code: 'invalid_amount' }),
    );
    expect(() => mulDiv(1, 1, 0)).toThrow(expect.objectContaining({ code: 'invalid_amount' }));
  });
  it('never differs from the exact value by more than one half', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 1e6 }),
        (v, n, d) => {
          const r = BigInt(mulDiv(v, n, d));
          const twiceErr = (r * BigInt(d) - BigInt(v) * BigInt(n)) * 2n;
          const abs = twiceErr < 0n ? -twiceErr : twiceErr;
          expect(abs <= BigInt(d)).toBe(true);
        },
      ),
    );
  });
});
