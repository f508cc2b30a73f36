import { describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { orderingKeyOf } from './types.js';

const ev = (object: Record<string, unknown>) =>
  ({ id: 'evt_x', data: { object } }) as unknown as Stripe.Event;

describe('orderingKeyOf', () => {
  it('is the customer id for objects that have one (string or expanded)', () => {
    expect(orderingKeyOf(ev({ id: 'sub_1', object: 'subscription', customer: 'cus_1' }))).toBe('cus_1');
    expect(
      orderingKeyOf(ev({ id: 'in_1', object: 'invoice', customer: { id: 'cus_2', object: 'customer' } })),
    ).toBe('cus_2');
  });
  it("is a customer's own id", () => {
    expect(orderingKeyOf(ev({ id: 'cus_3', object: 'customer' }))).toBe('cus_3');
  });
  it('is the object id otherwise', () => {
    expect(orderingKeyOf(ev({ id: 'price_1', object: 'price' }))).toBe('price_1');
    expect(orderingKeyOf(ev({ id: 'ch_1', object: 'charge', customer: null }))).toBe('ch_1');
  });
});
