/**
 * MRR after discounts through the subscription handler: expanded discounts are read from the payload and kept on
 * the row, so later payloads that carry only the discount ids need no Stripe call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { discountObject, event, eventId, fixture, IDS, type DiscountSpec } from '../../story/index.js';
import { seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';

let h: StoryWorld;
beforeEach(async () => {
  h = await storyWorld({ label: 'subscription-discounts' });
  await seedFixtureCatalogue(h.deps.db);
  await h.apply(fixture<Stripe.Event>('event.customer.created'));
});
afterEach(() => h.close());

const T = 1_790_000_000;

/** A discount of the fixture story's subscription, started (and its coupon created) at T − 1000. */
const discount = (o: Omit<DiscountSpec, 'customer' | 'subscription' | 'start'>) =>
  discountObject({ ...o, customer: IDS.customer, subscription: IDS.subscription, start: T - 1000 });

function sub(discounts: Array<string | Stripe.Discount>, quantity = 1): Stripe.Subscription {
  const s = fixture<Stripe.Subscription>('object.subscription.active');
  s.discounts = discounts;
  s.items.data[0]!.quantity = quantity;
  return s;
}

const mrr = async () =>
  (await h.q<{ mrr_minor: number }>(`SELECT mrr_minor FROM subscriptions`))[0]?.mrr_minor;

describe('subscription MRR after discounts', () => {
  it('20% forever: 1600; a later payload with the id only reuses the stored discount', async () => {
    await h.apply(
      event('customer.subscription.created', sub([discount({ id: 'di_20', percent: 20 })]), T, {
        id: eventId('customer.subscription.created'),
      }),
    );
    expect(await mrr()).toBe(1600);
    await h.apply(
      event('customer.subscription.updated', sub(['di_20'], 2), T + 10, {
        id: eventId('customer.subscription.updated'),
      }),
    );
    expect(await mrr()).toBe(3200);
    expect(await h.q(`SELECT kind, delta_minor FROM mrr_movements ORDER BY id`)).toEqual([
      { kind: 'new', delta_minor: 1600 },
      { kind: 'expansion', delta_minor: 1600 },
    ]);
  });

  it('amount off 500 per month; a once coupon does not lower MRR; a repeating one only until its end', async () => {
    await h.apply(
      event('customer.subscription.created', sub([discount({ id: 'di_500', amountOff: 500 })]), T, {
        id: eventId('customer.subscription.created'),
      }),
    );
    expect(await mrr()).toBe(1500);
    await h.apply(
      event(
        'customer.subscription.updated',
        sub([discount({ id: 'di_once', percent: 50, duration: 'once' })]),
        T + 10,
        { id: eventId('customer.subscription.updated') },
      ),
    );
    expect(await mrr()).toBe(2000);
    await h.apply(
      event(
        'customer.subscription.updated',
        sub([discount({ id: 'di_rep', percent: 25, duration: 'repeating', end: T + 1000 })]),
        T + 20,
        { id: eventId('customer.subscription.updated') },
      ),
    );
    expect(await mrr()).toBe(1500);
    await h.apply(
      event('customer.subscription.updated', sub(['di_rep']), T + 2000, {
        id: eventId('customer.subscription.updated'),
      }),
    );
    expect(await mrr()).toBe(2000);
  });
});
