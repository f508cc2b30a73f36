/**
 * Hosted pages driven by plain form posts (the browser test covers the happy path): trial checkout,
 * 3D Secure challenge, portal plan switch and card update recovering a past-due subscription.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { catalog, customerOnClock, harness, T0, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  expect(h.problems).toEqual([]);
  await h.close();
});

async function post(url: string, form: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
}

describe('checkout page', () => {
  it('honours subscription_data.trial_period_days: nothing due, session no_payment_required', async () => {
    const { monthly } = await catalog(h.stripe);
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id, quantity: 2 }],
      success_url: 'https://app.example/ok',
      subscription_data: { trial_period_days: 7, metadata: { plan: 'pro' } },
    });
    const res = await post(session.url as string, { card: 'pm_card_visa', email: 'trial@example.com' });
    expect([res.status, res.headers.get('location')]).toEqual([303, 'https://app.example/ok']);
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    const sub = done.subscription as Stripe.Subscription;
    expect([
      done.payment_status,
      sub.status,
      sub.trial_end,
      sub.items.data[0]?.quantity,
      sub.metadata,
    ]).toEqual(['no_payment_required', 'trialing', T0 + 7 * 86400, 2, { plan: 'pro' }]);
    expect(((await h.stripe.customers.retrieve(done.customer as string)) as Stripe.Customer).email).toBe(
      'trial@example.com',
    );
  });

  it('asks for 3D Secure with the authentication card; failing it changes nothing, completing it pays', async () => {
    const { monthly } = await catalog(h.stripe);
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id }],
      success_url: 'https://app.example/ok',
      customer_email: 'sca@example.com',
    });
    const challenge = await post(session.url as string, { card: 'pm_card_authenticationRequired' });
    expect(await challenge.text()).toContain('data-testid="complete-auth"');
    const failed = await post(session.url as string, {
      card: 'pm_card_authenticationRequired',
      auth: 'fail',
    });
    expect(failed.status).toBe(402);
    expect((await h.stripe.subscriptions.list({ status: 'all' })).data).toHaveLength(0);
    const ok = await post(session.url as string, {
      card: 'pm_card_authenticationRequired',
      auth: 'complete',
    });
    expect(ok.status).toBe(303);
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['invoice'] });
    expect([done.status, (done.invoice as Stripe.Invoice).amount_paid]).toEqual(['complete', 2000]);
  });

  it('expires a session', async () => {
    const { monthly } = await catalog(h.stripe);
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id }],
      success_url: 'https://app.example/ok',
    });
    const expired = await h.stripe.checkout.sessions.expire(session.id);
    expect([expired.status, expired.url]).toEqual(['expired', null]);
    expect(h.ofType('checkout.session.expired')).toHaveLength(1);
  });
});

describe('portal page', () => {
  it('switches plan with prorations and updates the card, which pays the open invoice', async () => {
    const { monthly, premium } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe, 'pm_card_chargeCustomerFail');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 3,
    });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 3 * 86400 + 7200 });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');
    const portal = await h.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'https://app.example/account',
    });
    expect((await post(`${portal.url}/card`, { card: 'pm_card_mastercard' })).status).toBe(303);
    const recovered = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect([recovered.status, (recovered.latest_invoice as Stripe.Invoice).status]).toEqual([
      'active',
      'paid',
    ]);
    expect(
      ((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings
        .default_payment_method,
    ).toMatch(/^pm_/);

    expect((await post(`${portal.url}/switch`, { subscription: sub.id, price: premium.id })).status).toBe(
      303,
    );
    const switched = await h.stripe.subscriptions.retrieve(sub.id);
    expect(switched.items.data[0]?.price.id).toBe(premium.id);
    expect(
      (await h.stripe.invoiceItems.list({ customer: customer.id, pending: true })).data.map(
        (ii) => ii.proration,
      ),
    ).toEqual([true, true]);
  });
});
