/**
 * Subscription stories told through a test clock, driven only by the SDK and the control API:
 * trial → active → renewal; failed renewal → past_due → retries → recovered; retries exhausted → canceled
 * or unpaid; cancel at period end; pause_collection and pause/resume.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { catalog, customerOnClock, harness, T0, type Harness } from './harness.js';

const DAY = 86400;
const JAN_12 = 1768176000;
const JAN_15 = 1768435200;
const FEB_15 = 1771113600;
const MAR_15 = 1773532800;

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function invoice(id: string | Stripe.Invoice | null): Promise<Stripe.Invoice> {
  return h.stripe.invoices.retrieve(typeof id === 'string' ? id : ((id as Stripe.Invoice).id as string));
}

describe('trial → active → renewal', () => {
  it('sends trial_will_end 3 days before, invoices at trial end and renews a month later', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 14,
    });
    expect(sub.status).toBe('trialing');
    expect(sub.trial_end).toBe(JAN_15);
    expect(sub.items.data[0]?.current_period_end).toBe(JAN_15);
    const trialInvoice = await invoice(sub.latest_invoice);
    expect([trialInvoice.status, trialInvoice.amount_due, trialInvoice.billing_reason]).toEqual([
      'paid',
      0,
      'subscription_create',
    ]);
    const created = h.ofType('customer.subscription.created')[0]?.data.object as Stripe.Subscription;
    expect(created.latest_invoice).toBe(trialInvoice.id);

    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_12 + 60 });
    const twe = h.ofType('customer.subscription.trial_will_end');
    expect(twe).toHaveLength(1);
    expect(twe[0]?.created).toBe(JAN_12);

    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_15 + 2 * 3600 });
    const active = await h.stripe.subscriptions.retrieve(sub.id, {
      expand: ['latest_invoice.payments.data.payment.payment_intent'],
    });
    expect(active.status).toBe('active');
    expect(active.items.data[0]?.current_period_start).toBe(JAN_15);
    expect(active.items.data[0]?.current_period_end).toBe(FEB_15);
    const first = active.latest_invoice as Stripe.Invoice;
    expect([first.status, first.amount_paid, first.billing_reason, first.created]).toEqual([
      'paid',
      2000,
      'subscription_cycle',
      JAN_15,
    ]);
    expect(first.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(
      first.lines.data.map((l) => [
        l.amount,
        l.pricing?.price_details?.price,
        l.parent?.subscription_item_details?.proration,
      ]),
    ).toEqual([[2000, monthly.id, false]]);
    const payment = first.payments?.data[0]?.payment.payment_intent as Stripe.PaymentIntent;
    expect([payment.status, payment.amount]).toEqual(['succeeded', 2000]);
    expect(first.status_transitions.finalized_at).toBe(JAN_15 + 3600);

    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: FEB_15 + 2 * 3600 });
    const renewed = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(renewed.items.data[0]?.current_period_end).toBe(MAR_15);
    const second = renewed.latest_invoice as Stripe.Invoice;
    expect([second.status, second.amount_paid, second.period_start, second.period_end]).toEqual([
      'paid',
      2000,
      JAN_15,
      FEB_15,
    ]);
    expect(h.ofType('invoice.paid').map((e) => (e.data.object as Stripe.Invoice).amount_paid)).toEqual([
      0, 2000, 2000,
    ]);
    const statusChange = h
      .ofType('customer.subscription.updated')
      .find((e) => (e.data.previous_attributes as { status?: string } | undefined)?.status === 'trialing');
    expect((statusChange?.data.object as Stripe.Subscription).status).toBe('active');
    await h.sandbox.control.flush();
    expect(h.deliveries.length).toBe(h.events.length);
    expect(h.problems).toEqual([]);
  });
});

describe('failed renewals', () => {
  async function failingSubscription(): Promise<{
    clock: Stripe.TestHelpers.TestClock;
    customer: Stripe.Customer;
    sub: Stripe.Subscription;
  }> {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe, 'pm_card_chargeCustomerFail');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 14,
    });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_15 + 2 * 3600 });
    return { clock, customer, sub };
  }

  it('goes past_due, retries after 3 and 5 days, and recovers with a new card', async () => {
    const { clock, customer, sub } = await failingSubscription();
    let s = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(s.status).toBe('past_due');
    let inv = s.latest_invoice as Stripe.Invoice;
    expect([inv.status, inv.attempt_count, inv.next_payment_attempt]).toEqual([
      'open',
      1,
      JAN_15 + 3600 + 3 * DAY,
    ]);
    const failed = h.ofType('charge.failed')[0]?.data.object as Stripe.Charge;
    expect([failed.failure_code, failed.outcome?.reason]).toEqual(['card_declined', 'generic_decline']);

    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_15 + 4 * DAY });
    inv = await invoice(inv.id as string);
    expect([inv.status, inv.attempt_count, inv.next_payment_attempt]).toEqual([
      'open',
      2,
      JAN_15 + 3600 + 8 * DAY,
    ]);

    const visa = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: visa.id } });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_15 + 9 * DAY });
    inv = await invoice(inv.id as string);
    expect([inv.status, inv.attempt_count, inv.amount_paid]).toEqual(['paid', 3, 2000]);
    s = await h.stripe.subscriptions.retrieve(sub.id);
    expect(s.status).toBe('active');
    expect(h.ofType('invoice.payment_failed')).toHaveLength(2);
    expect(((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).delinquent).toBe(false);
    expect(h.problems).toEqual([]);
  });

  it('cancels the subscription when the last retry fails (default setting)', async () => {
    const { clock, sub } = await failingSubscription();
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_15 + 20 * DAY });
    const s = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(s.status).toBe('canceled');
    expect(s.cancellation_details?.reason).toBe('payment_failed');
    expect(s.ended_at).toBe(JAN_15 + 3600 + 15 * DAY);
    expect((s.latest_invoice as Stripe.Invoice).attempt_count).toBe(4);
    expect(h.ofType('customer.subscription.deleted')).toHaveLength(1);
    expect(h.problems).toEqual([]);
  });

  it('marks it unpaid instead when the setting says so', async () => {
    await h.sandbox.control.settings({ afterRetries: 'unpaid', retryDays: [1, 2] });
    const { clock, sub } = await failingSubscription();
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_15 + 5 * DAY });
    const s = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(s.status).toBe('unpaid');
    expect((s.latest_invoice as Stripe.Invoice).attempt_count).toBe(3);
    expect(h.problems).toEqual([]);
  });
});

describe('incomplete', () => {
  it('expires an incomplete subscription after 23 hours and voids its invoice', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe, 'pm_card_chargeCustomerFail');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    expect(sub.status).toBe('incomplete');
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 24 * 3600 });
    const s = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(s.status).toBe('incomplete_expired');
    expect((s.latest_invoice as Stripe.Invoice).status).toBe('void');
    expect(h.problems).toEqual([]);
  });

  it('error_if_incomplete refuses with the card error and creates nothing', async () => {
    const { monthly } = await catalog(h.stripe);
    const { customer } = await customerOnClock(h.stripe, 'pm_card_chargeCustomerFail');
    const err = await h.stripe.subscriptions
      .create({
        customer: customer.id,
        items: [{ price: monthly.id }],
        payment_behavior: 'error_if_incomplete',
      })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({
      type: 'StripeCardError',
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    expect((await h.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(
      0,
    );
  });
});

describe('cancellation and pausing', () => {
  it('cancel_at_period_end sets cancel_at and ends the subscription at the period end', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    expect(sub.status).toBe('active');
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 5 * DAY });
    const updated = await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect([updated.status, updated.cancel_at_period_end, updated.cancel_at, updated.canceled_at]).toEqual([
      'active',
      true,
      1769904000,
      T0 + 5 * DAY,
    ]);
    const ev = h.ofType('customer.subscription.updated').at(-1);
    expect(ev?.data.previous_attributes).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1769904000 + DAY });
    const ended = await h.stripe.subscriptions.retrieve(sub.id);
    expect([ended.status, ended.ended_at, ended.canceled_at]).toEqual(['canceled', 1769904000, T0 + 5 * DAY]);
    expect((await h.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    expect(h.problems).toEqual([]);
  });

  it('cancels now', async () => {
    const { monthly } = await catalog(h.stripe);
    const { customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    const canceled = await h.stripe.subscriptions.cancel(sub.id, {
      cancellation_details: { comment: 'too expensive' },
    });
    expect([canceled.status, canceled.ended_at, canceled.cancellation_details?.comment]).toEqual([
      'canceled',
      T0,
      'too expensive',
    ]);
    expect(h.ofType('customer.subscription.deleted')).toHaveLength(1);
    expect(h.problems).toEqual([]);
  });

  it('pause_collection=void voids renewals until it is cleared', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    await h.stripe.subscriptions.update(sub.id, { pause_collection: { behavior: 'void' } });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1769904000 + 2 * 3600 });
    let s = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect([s.status, (s.latest_invoice as Stripe.Invoice).status]).toEqual(['active', 'void']);
    await h.stripe.subscriptions.update(sub.id, { pause_collection: '' });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1772323200 + 2 * 3600 });
    s = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect([
      (s.latest_invoice as Stripe.Invoice).status,
      (s.latest_invoice as Stripe.Invoice).amount_paid,
    ]).toEqual(['paid', 2000]);
    expect(h.problems).toEqual([]);
  });

  it('pause and resume emit paused/resumed; resuming starts a paid period', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    const paused = await h.stripe.subscriptions.pause(sub.id);
    expect(paused.status).toBe('paused');
    expect(h.ofType('customer.subscription.paused')).toHaveLength(1);
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1769904000 + 10 * DAY });
    expect((await h.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    const resumed = await h.stripe.subscriptions.resume(sub.id, { expand: ['latest_invoice'] });
    expect([
      resumed.status,
      resumed.items.data[0]?.current_period_start,
      (resumed.latest_invoice as Stripe.Invoice).status,
    ]).toEqual(['active', 1769904000 + 10 * DAY, 'paid']);
    expect(h.ofType('customer.subscription.resumed')).toHaveLength(1);
    expect(h.problems).toEqual([]);
  });
});

describe('the sandbox-wide clock', () => {
  it('renews subscriptions of customers without a test clock when control.advanceClock moves it', async () => {
    const { monthly } = await catalog(h.stripe);
    const customer = await h.stripe.customers.create({
      email: 'noclock@example.com',
      payment_method: 'pm_card_visa',
    });
    const pm = (await h.stripe.paymentMethods.list({ customer: customer.id }))
      .data[0] as Stripe.PaymentMethod;
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      default_payment_method: pm.id,
    });
    expect(sub.items.data[0]?.current_period_end).toBe(1769904000);
    const { now } = await h.sandbox.control.advanceClock({ by: 31 * DAY + 2 * 3600 });
    expect(now).toBe(1769904000 + 2 * 3600);
    const renewed = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    const inv = renewed.latest_invoice as Stripe.Invoice;
    expect([inv.created, inv.status, inv.amount_paid, renewed.items.data[0]?.current_period_end]).toEqual([
      1769904000,
      'paid',
      2000,
      1772323200,
    ]);
    expect(h.ofType('invoice.paid').map((e) => e.created)).toEqual([T0, 1769904000 + 3600]);
    expect(h.problems).toEqual([]);
  });
});
