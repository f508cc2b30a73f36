import { describe, expect, it } from 'vitest';
import { cardNumbersIn, luhnValid } from '../helpers/db-scan.js';

describe('card number detection for the stored-secrets scan', () => {
  it('Luhn: test card numbers pass, one digit off fails', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('5555555555554444')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true); // Amex, 15 digits
    expect(luhnValid('4222222222222')).toBe(true); // Visa, 13 digits
  });

  it('finds card numbers in text, grouped or not; ignores timestamps, short runs and non-Luhn runs', () => {
    expect(cardNumbersIn('card 4242424242424242 used')).toEqual(['4242424242424242']);
    expect(cardNumbersIn('4242 4242 4242 4242')).toEqual(['4242 4242 4242 4242']);
    expect(cardNumbersIn('5555-5555-5555-4444')).toEqual(['5555-5555-5555-4444']);
    expect(cardNumbersIn('{"created_ms":1793491200000}')).toEqual([]); // starts with 1: no card network
    expect(cardNumbersIn('4242424242424241')).toEqual([]);
    expect(cardNumbersIn('last4 4242, exp 12/2030')).toEqual([]);
    expect(cardNumbersIn('id 942424242424242424242')).toEqual([]); // 21 digits: not a card
    // A uuid whose groups are all digits (one in 65,536 has four such groups in a row) is an id, not a card.
    expect(cardNumbersIn('"e2d1a7c0-3008-4658-8494-1387ab12cd34"')).toEqual([]);
    expect(cardNumbersIn('key in_x:51-8353-4757-983f')).toEqual([]);
    expect(cardNumbersIn('("4242-4242-4242-4242")')).toEqual(['4242-4242-4242-4242']);
  });
});
