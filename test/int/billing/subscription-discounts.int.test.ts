/**
 * MRR after discounts through the subscription handler: expanded discounts are read from the payload and kept on
 * the row, so later payloads that carry only the discount ids need no Stripe call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { eventOf, fixture, harness, IDS, seedStory, type Harness } from '../../helpers/billing-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness('subscription-discounts');
  await seedStory(h);
  await h.apply(fixture<Stripe.Event>('event.customer.created'));
});
afterEach(() => h.close());

const T = 1_790_000_000;

function discount(o: {
  id: string;
  percent?: number;
  amountOff?: number;
  duration?: 'once' | 'repeating' | 'forever';
  end?: number | null;
}): Stripe.Discount {
  return {
    id: o.id,
    object: 'discount',
    checkout_session: null,
    customer: IDS.customer,
    customer_account: null,
    end: o.end ?? null,
    invoice: null,
    invoice_item: null,
    promotion_code: null,
    source: {
      type: 'coupon',
      coupon: {
        id: `co_${o.id}`,
        object: 'coupon',
        amount_off: o.amountOff ?? null,
        created: T - 1000,
        currency: o.amountOff ? 'usd' : null,
        duration: o.duration ?? 'forever',
        duration_in_months: null,
        livemode: false,
        max_redemptions: null,
        metadata: {},
        name: null,
        percent_off: o.percent ?? null,
        redeem_by: null,
        times_redeemed: 1,
        valid: true,
      } as Stripe.Coupon,
    },
    start: T - 1000,
    subscription: IDS.subscription,
    subscription_item: null,
  } as Stripe.Discount;
}

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
      eventOf('customer.subscription.created', sub([discount({ id: 'di_20', percent: 20 })]), { created: T }),
    );
    expect(await mrr()).toBe(1600);
    await h.apply(eventOf('customer.subscription.updated', sub(['di_20'], 2), { created: T + 10 }));
    expect(await mrr()).toBe(3200);
    expect(await h.q(`SELECT kind, delta_minor FROM mrr_movements ORDER BY id`)).toEqual([
      { kind: 'new', delta_minor: 1600 },
      { kind: 'expansion', delta_minor: 1600 },
    ]);
  });

  it('amount off 500 per month; a once coupon does not lower MRR; a repeating one only until its end', async () => {
    await h.apply(
      eventOf('customer.subscription.created', sub([discount({ id: 'di_500', amountOff: 500 })]), {
        created: T,
      }),
    );
    expect(await mrr()).toBe(1500);
    await h.apply(
      eventOf(
        'customer.subscription.updated',
        sub([discount({ id: 'di_once', percent: 50, duration: 'once' })]),
        { created: T + 10 },
      ),
    );
    expect(await mrr()).toBe(2000);
    await h.apply(
      eventOf(
        'customer.subscription.updated',
        sub([discount({ id: 'di_rep', percent: 25, duration: 'repeating', end: T + 1000 })]),
        {
          created: T + 20,
        },
      ),
    );
    expect(await mrr()).toBe(1500);
    await h.apply(eventOf('customer.subscription.updated', sub(['di_rep']), { created: T + 2000 }));
    expect(await mrr()).toBe(2000);
  });
});
