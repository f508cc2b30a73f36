/**
 * Hosted pages in a real Chromium: a Checkout Session (mode=subscription) paid with a test card after a
 * decline, redirected to success_url; then the billing portal's cancel, which sets cancel_at_period_end
 * and cancel_at as Stripe's portal does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type Stripe from 'stripe';
import { catalog, harness, T0, type Harness } from './harness.js';

const FEB_1 = 1769904000;

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await harness();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('hosted pages', () => {
  it('pays a subscription Checkout Session in the browser and cancels it from the portal', async () => {
    const { monthly } = await catalog(h.stripe);
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id, quantity: 1 }],
      success_url: `${h.sandbox.url}/done?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${h.sandbox.url}/pricing`,
      customer_email: 'alex@example.com',
      client_reference_id: 'user_77',
      allow_promotion_codes: true,
    });
    expect([session.status, session.payment_status, session.url]).toEqual([
      'open',
      'unpaid',
      `${h.sandbox.url}/checkout/${session.id}`,
    ]);
    await h.stripe.coupons.create({ id: 'TENOFF', amount_off: 1000, currency: 'usd', duration: 'once' });
    await h.stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: 'TENOFF' }, code: 'TEN' });

    const page = await browser.newPage();
    await page.goto(session.url as string);
    expect(await page.getByTestId('total').textContent()).toBe('$20.00');
    await page.getByTestId('pm_card_chargeDeclined').check();
    await page.getByTestId('pay').click();
    expect(await page.getByTestId('error').textContent()).toBe('Your card was declined.');
    expect((await h.stripe.subscriptions.list({ status: 'all' })).data).toHaveLength(0);

    await page.getByTestId('pm_card_visa').check();
    await page.getByTestId('promo').fill('TEN');
    await Promise.all([page.waitForURL(/\/done\?session_id=/), page.getByTestId('pay').click()]);
    expect(page.url()).toBe(`${h.sandbox.url}/done?session_id=${session.id}`);

    const done = await h.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription', 'line_items'],
    });
    expect([
      done.status,
      done.payment_status,
      done.amount_total,
      done.total_details?.amount_discount,
    ]).toEqual(['complete', 'paid', 1000, 1000]);
    const sub = done.subscription as Stripe.Subscription;
    expect([sub.status, sub.items.data[0]?.price.id]).toEqual(['active', monthly.id]);
    expect(done.line_items?.data.map((li) => [li.price?.id, li.quantity])).toEqual([[monthly.id, 1]]);
    const completed = h.ofType('checkout.session.completed');
    expect(completed.map((e) => (e.data.object as Stripe.Checkout.Session).client_reference_id)).toEqual([
      'user_77',
    ]);

    const portal = await h.stripe.billingPortal.sessions.create({
      customer: done.customer as string,
      return_url: `${h.sandbox.url}/account`,
    });
    await page.goto(portal.url);
    expect(await page.getByTestId('card').textContent()).toBe('visa •••• 4242');
    await page.getByTestId('cancel-plan').click();
    await page.getByTestId('cancel-notice').waitFor();
    const canceled = await h.stripe.subscriptions.retrieve(sub.id);
    expect([
      canceled.status,
      canceled.cancel_at_period_end,
      canceled.cancel_at,
      canceled.canceled_at,
    ]).toEqual(['active', true, FEB_1, T0]);
    const update = h.ofType('customer.subscription.updated').at(-1);
    expect(update?.data.previous_attributes).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
    });
    await page.close();
    expect(h.problems).toEqual([]);
  });
});
