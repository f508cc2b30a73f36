/**
 * Payments converge whatever the order of their intent and charge events (a declined attempt, then a retry that
 * pays): the intent's fields and the charge's fields are versioned apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { event, eventId, fixture, IDS } from '../../story/index.js';
import { seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';

let h: StoryWorld;
beforeEach(async () => {
  h = await storyWorld({ label: 'payments-order' });
  await seedFixtureCatalogue(h.deps.db);
  await h.apply(fixture<Stripe.Event>('event.customer.created'));
});
afterEach(() => h.close());

function events() {
  const failedCharge = fixture<Stripe.Charge>('object.charge.failed');
  const failedIntent = fixture<Stripe.PaymentIntent>('object.payment_intent.requires_payment_method');
  const paidCharge: Stripe.Charge = {
    ...fixture<Stripe.Charge>('object.charge.succeeded'),
    id: 'ch_retry_paid',
    payment_intent: IDS.payment_intent_2,
    created: 1789664820,
  };
  const paidIntent: Stripe.PaymentIntent = {
    ...failedIntent,
    status: 'succeeded',
    last_payment_error: null,
    latest_charge: 'ch_retry_paid',
    amount_received: 2000,
  };
  return [
    event('charge.failed', failedCharge, 1789639443, { id: eventId('charge.failed') }),
    event('payment_intent.payment_failed', failedIntent, 1789639444, {
      id: eventId('payment_intent.payment_failed'),
    }),
    event('charge.succeeded', paidCharge, 1789664821, { id: eventId('charge.succeeded') }),
    event('payment_intent.succeeded', paidIntent, 1789664822, { id: eventId('payment_intent.succeeded') }),
  ];
}

const row = async () =>
  (
    await h.q(
      `SELECT stripe_charge_id, status, charge_status, failure_code, decline_code, amount_minor, card_brand FROM payments
       WHERE stripe_payment_intent_id = $1`,
      [IDS.payment_intent_2],
    )
  )[0];

const PAID = {
  stripe_charge_id: 'ch_retry_paid',
  status: 'succeeded',
  charge_status: 'succeeded',
  failure_code: null,
  decline_code: null,
  amount_minor: 2000,
  card_brand: 'visa',
};

describe('payment intent and charge events in any order', () => {
  it('in order: declined then paid', async () => {
    for (const e of events()) await h.apply(e);
    expect(await row()).toEqual(PAID);
  });

  it('reversed: the paid retry first, the decline after', async () => {
    for (const e of events().reverse()) await h.apply(e);
    expect(await row()).toEqual(PAID);
  });

  it('interleaved: intent paid, old charge failed, old intent failed, new charge', async () => {
    const [cf, pf, cs, ps] = events();
    for (const e of [ps!, cf!, pf!, cs!]) await h.apply(e);
    expect(await row()).toEqual(PAID);
  });

  it('only the decline: its codes are kept for the failure reports', async () => {
    const [cf, pf] = events();
    await h.apply(pf!);
    await h.apply(cf!);
    expect(await row()).toEqual({
      stripe_charge_id: IDS.charge_2_failed,
      status: 'requires_payment_method',
      charge_status: 'failed',
      failure_code: 'card_declined',
      decline_code: 'insufficient_funds',
      amount_minor: 2000,
      card_brand: 'visa',
    });
  });
});
