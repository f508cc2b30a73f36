/**
 * The remaining endpoints an app touches: customer deletion, payment method detach, manual invoices
 * (items, finalize, pay, mark_uncollectible), subscription item quantity changes, off-session 3D Secure,
 * trials ending without a payment method, send_invoice collection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { catalog, customerOnClock, harness, T0, type Harness } from './harness.js';

const DAY = 86400;
const JAN_11 = 1768089600;

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  expect(h.problems).toEqual([]);
  await h.close();
});

describe('customers and payment methods', () => {
  it('deleting a customer cancels its subscriptions and leaves a deleted stub', async () => {
    const { monthly } = await catalog(h.stripe);
    const { customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    const deleted = await h.stripe.customers.del(customer.id);
    expect(deleted).toMatchObject({ id: customer.id, deleted: true });
    expect(await h.stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
    expect(h.ofType('customer.deleted')).toHaveLength(1);
    expect((await h.stripe.customers.list()).data).toHaveLength(0);
  });

  it('detaching the default card clears it and emits payment_method.detached', async () => {
    const { customer, pm } = await customerOnClock(h.stripe);
    const detached = await h.stripe.paymentMethods.detach(pm.id);
    expect(detached.customer).toBeNull();
    expect(
      ((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings
        .default_payment_method,
    ).toBeNull();
    expect(h.ofType('payment_method.detached')[0]?.data.previous_attributes).toEqual({
      customer: customer.id,
    });
    const err = await h.stripe.customers
      .update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]' });
    const listed = await h.stripe.paymentMethods.list({ customer: customer.id });
    expect(listed.data).toHaveLength(0);
  });
});

describe('manual invoices', () => {
  it('sweeps pending items, finalizes, pays with a given card, or is marked uncollectible', async () => {
    const { customer } = await customerOnClock(h.stripe, 'pm_card_chargeCustomerFail');
    await h.stripe.invoiceItems.create({
      customer: customer.id,
      amount: 1234,
      currency: 'usd',
      description: 'Setup fee',
    });
    const draft = await h.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    expect([draft.status, draft.amount_due, draft.lines.data.map((l) => l.amount)]).toEqual([
      'draft',
      1234,
      [1234],
    ]);
    const open = await h.stripe.invoices.finalizeInvoice(draft.id as string, { auto_advance: false });
    expect([open.status, open.number]).toEqual(['open', `${customer.invoice_prefix}-0001`]);
    const declined = await h.stripe.invoices
      .pay(open.id as string)
      .catch((e: Stripe.errors.StripeError) => e);
    expect(declined).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    const visa = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const paid = await h.stripe.invoices.pay(open.id as string, { payment_method: visa.id });
    expect([paid.status, paid.amount_paid, paid.attempt_count]).toEqual(['paid', 1234, 2]);

    await h.stripe.invoiceItems.create({ customer: customer.id, amount: 500, currency: 'usd' });
    const second = await h.stripe.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    await h.stripe.invoices.finalizeInvoice(second.id as string, { auto_advance: false });
    const lost = await h.stripe.invoices.markUncollectible(second.id as string);
    expect(lost.status).toBe('uncollectible');
    expect(h.ofType('invoice.marked_uncollectible')).toHaveLength(1);
    const bad = await h.stripe.invoices
      .voidInvoice(paid.id as string)
      .catch((e: Stripe.errors.StripeError) => e);
    expect(bad).toMatchObject({ statusCode: 400 });
  });
});

describe('subscription items and collection', () => {
  it('a quantity change prorates per seat', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id, quantity: 1 }],
    });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_11 });
    const item = await h.stripe.subscriptionItems.update(sub.items.data[0]?.id as string, {
      quantity: 3,
      proration_behavior: 'always_invoice',
    });
    expect(item.quantity).toBe(3);
    const s = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    const inv = s.latest_invoice as Stripe.Invoice;
    // credit round(2000 × 1814400 / 2678400) = 1355, charge round(6000 × 1814400 / 2678400) = 4065
    expect(inv.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-1355, 4065]);
    expect(inv.amount_paid).toBe(2710);
  });

  it('an off-session renewal with the 3DS card needs action', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe, 'pm_card_authenticationRequired');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 1,
    });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + DAY + 7200 });
    const s = await h.stripe.subscriptions.retrieve(sub.id, {
      expand: ['latest_invoice.payments.data.payment.payment_intent'],
    });
    expect(s.status).toBe('past_due');
    const pi = (s.latest_invoice as Stripe.Invoice).payments?.data[0]?.payment
      .payment_intent as Stripe.PaymentIntent;
    expect([pi.status, pi.next_action?.type]).toEqual(['requires_action', 'use_stripe_sdk']);
    expect(h.ofType('invoice.payment_action_required')).toHaveLength(1);
  });

  it('a trial ending without a payment method cancels or pauses per trial_settings', async () => {
    const { monthly } = await catalog(h.stripe);
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await h.stripe.customers.create({ email: 'nocard@example.com', test_clock: clock.id });
    const cancel = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
    });
    const pause = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
    });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 8 * DAY });
    expect((await h.stripe.subscriptions.retrieve(cancel.id)).status).toBe('canceled');
    const paused = await h.stripe.subscriptions.retrieve(pause.id);
    expect([paused.status, paused.status_details?.paused.subscription.type]).toEqual([
      'paused',
      'trial_end_without_payment_method',
    ]);
  });

  it('send_invoice subscriptions are active with an open invoice due in days_until_due', async () => {
    const { monthly } = await catalog(h.stripe);
    const customer = await h.stripe.customers.create({ email: 'ap@example.com' });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      collection_method: 'send_invoice',
      days_until_due: 14,
      expand: ['latest_invoice'],
    });
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect([sub.status, inv.status, inv.due_date, inv.attempt_count]).toEqual([
      'active',
      'open',
      T0 + 14 * DAY,
      0,
    ]);
    const paid = await h.stripe.invoices.pay(inv.id as string, { paid_out_of_band: true });
    expect(paid.status).toBe('paid');
  });
});

describe('default_incomplete', () => {
  it('leaves the first invoice open until its PaymentIntent is confirmed', async () => {
    const { monthly } = await catalog(h.stripe);
    const { customer, pm } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      payment_behavior: 'default_incomplete',
      expand: ['latest_invoice.payments'],
    });
    expect(sub.status).toBe('incomplete');
    const inv = sub.latest_invoice as Stripe.Invoice;
    const piId = inv.payments?.data[0]?.payment.payment_intent as string;
    expect((await h.stripe.paymentIntents.retrieve(piId)).status).toBe('requires_payment_method');
    const confirmed = await h.stripe.paymentIntents.confirm(piId, { payment_method: pm.id });
    expect(confirmed.status).toBe('succeeded');
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect((await h.stripe.invoices.retrieve(inv.id as string)).status).toBe('paid');
  });
});
