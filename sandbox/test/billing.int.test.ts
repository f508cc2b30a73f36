/**
 * Money: proration on plan changes (create_prorations / always_invoice / none / interval change) with the
 * invoice lines as literal integers, create_preview, coupons and promotion codes, refunds, disputes.
 * Proration is per second: Jan 1 → Feb 1 is 2,678,400 s; a change on Jan 11 leaves 1,814,400 s, so the
 * old 2000 credits round(2000 × 1814400 / 2678400) = 1355 and the new 5000 charges 3387.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { catalog, customerOnClock, harness, T0, type Harness } from './harness.js';

const JAN_11 = 1768089600;
const FEB_1 = 1769904000;
const MAR_1 = 1772323200;
const APR_1 = 1775001600;
const JAN_11_2027 = 1799625600;

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function activeMonthly(card = 'pm_card_visa') {
  const prices = await catalog(h.stripe);
  const { clock, customer } = await customerOnClock(h.stripe, card);
  const sub = await h.stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: prices.monthly.id }],
  });
  return { ...prices, clock, customer, sub, item: sub.items.data[0] as Stripe.SubscriptionItem };
}

const lineSummary = (inv: Stripe.Invoice) =>
  inv.lines.data.map((l) => [
    l.amount,
    l.pricing?.price_details?.price,
    l.parent?.subscription_item_details?.proration ?? l.parent?.invoice_item_details?.proration,
  ]);

describe('plan change with proration', () => {
  it('create_prorations: credit and charge wait for the next invoice, which create_preview shows', async () => {
    const { clock, sub, item, monthly, premium } = await activeMonthly();
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_11 });
    const preview = await h.stripe.invoices.createPreview({
      subscription: sub.id,
      subscription_details: {
        items: [{ id: item.id, price: premium.id }],
        proration_behavior: 'create_prorations',
      },
    });
    expect(lineSummary(preview)).toEqual([
      [-1355, monthly.id, true],
      [3387, premium.id, true],
      [5000, premium.id, false],
    ]);
    expect(preview.amount_due).toBe(7032);

    const updated = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: premium.id }],
      proration_behavior: 'create_prorations',
    });
    expect(updated.items.data[0]?.id).toBe(item.id);
    expect(updated.items.data[0]?.price.id).toBe(premium.id);
    const change = h.ofType('customer.subscription.updated').at(-1);
    const previousItems = (
      change?.data.previous_attributes as { items: Stripe.ApiList<Stripe.SubscriptionItem> }
    ).items;
    expect(previousItems.data[0]?.price.id).toBe(monthly.id);
    const pending = await h.stripe.invoiceItems.list({ customer: sub.customer as string, pending: true });
    expect(pending.data.map((ii) => ii.amount).sort((a, b) => a - b)).toEqual([-1355, 3387]);

    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: FEB_1 + 2 * 3600 });
    const renewal = (await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] }))
      .latest_invoice as Stripe.Invoice;
    expect(lineSummary(renewal)).toEqual([
      [-1355, monthly.id, true],
      [3387, premium.id, true],
      [5000, premium.id, false],
    ]);
    expect([renewal.subtotal, renewal.amount_paid, renewal.status]).toEqual([7032, 7032, 'paid']);
    expect(h.problems).toEqual([]);
  });

  it('always_invoice invoices the difference at once', async () => {
    const { clock, sub, item, premium } = await activeMonthly();
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_11 });
    const updated = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: premium.id }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    const inv = updated.latest_invoice as Stripe.Invoice;
    expect(inv.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-1355, 3387]);
    expect([inv.billing_reason, inv.amount_due, inv.status]).toEqual(['subscription_update', 2032, 'paid']);
    expect(updated.items.data[0]?.current_period_end).toBe(FEB_1);
    expect(h.problems).toEqual([]);
  });

  it('none changes the price without any proration line', async () => {
    const { clock, sub, item, premium } = await activeMonthly();
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_11 });
    await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: premium.id }],
      proration_behavior: 'none',
    });
    expect(
      (await h.stripe.invoiceItems.list({ customer: sub.customer as string, pending: true })).data,
    ).toEqual([]);
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: FEB_1 + 2 * 3600 });
    const renewal = (await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] }))
      .latest_invoice as Stripe.Invoice;
    expect(renewal.lines.data.map((l) => l.amount)).toEqual([5000]);
    expect(h.problems).toEqual([]);
  });

  it('monthly → yearly resets the anchor and invoices the year minus the unused month now', async () => {
    const { clock, sub, item, yearly } = await activeMonthly();
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_11 });
    const updated = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: item.id, price: yearly.id }],
      expand: ['latest_invoice'],
    });
    expect(updated.billing_cycle_anchor).toBe(JAN_11);
    expect([updated.items.data[0]?.current_period_start, updated.items.data[0]?.current_period_end]).toEqual([
      JAN_11,
      JAN_11_2027,
    ]);
    const inv = updated.latest_invoice as Stripe.Invoice;
    expect(inv.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-1355, 20000]);
    expect([inv.amount_paid, inv.status]).toEqual([18645, 'paid']);
    expect(h.problems).toEqual([]);
  });

  it('a downgrade credit larger than the charge becomes customer balance used by the next invoice', async () => {
    const prices = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: prices.premium.id }],
    });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_11 });
    const updated = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0]?.id, price: prices.monthly.id }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    const inv = updated.latest_invoice as Stripe.Invoice;
    // credit round(5000 × 1814400 / 2678400) = 3387, charge 1355: total -2032
    expect([inv.total, inv.amount_due, inv.ending_balance, inv.status]).toEqual([-2032, 0, -2032, 'paid']);
    expect(((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).balance).toBe(-2032);
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: FEB_1 + 2 * 3600 });
    const renewal = (await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] }))
      .latest_invoice as Stripe.Invoice;
    expect([renewal.total, renewal.amount_due, renewal.starting_balance, renewal.ending_balance]).toEqual([
      2000, 0, -2032, -32,
    ]);
    expect(h.problems).toEqual([]);
  });
});

describe('coupons and promotion codes', () => {
  it('a 25% coupon repeating for 2 months discounts two invoices, then stops', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const coupon = await h.stripe.coupons.create({
      percent_off: 25,
      duration: 'repeating',
      duration_in_months: 2,
    });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      discounts: [{ coupon: coupon.id }],
      expand: ['latest_invoice', 'discounts'],
    });
    const first = sub.latest_invoice as Stripe.Invoice;
    expect([first.subtotal, first.total, first.amount_paid]).toEqual([2000, 1500, 1500]);
    expect(first.total_discount_amounts?.map((d) => d.amount)).toEqual([500]);
    const discount = sub.discounts[0] as Stripe.Discount;
    expect([discount.source.coupon && (discount.source.coupon as Stripe.Coupon).id, discount.end]).toEqual([
      coupon.id,
      MAR_1,
    ]);
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: FEB_1 + 2 * 3600 });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: MAR_1 + 2 * 3600 });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: APR_1 + 2 * 3600 });
    const paid = (await h.stripe.invoices.list({ subscription: sub.id })).data.map((i) => i.amount_paid);
    expect(paid).toEqual([2000, 2000, 1500, 1500]);
    expect((await h.stripe.coupons.retrieve(coupon.id)).times_redeemed).toBe(1);
    expect(h.problems).toEqual([]);
  });

  it('a promotion code for 500 off once discounts only the first invoice', async () => {
    const { monthly } = await catalog(h.stripe);
    const { clock, customer } = await customerOnClock(h.stripe);
    const coupon = await h.stripe.coupons.create({ amount_off: 500, currency: 'usd', duration: 'once' });
    const promo = await h.stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'WELCOME',
    });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      discounts: [{ promotion_code: promo.id }],
    });
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: FEB_1 + 2 * 3600 });
    const paid = (await h.stripe.invoices.list({ subscription: sub.id })).data.map((i) => i.amount_paid);
    expect(paid).toEqual([2000, 1500]);
    expect((await h.stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(1);
    const bad = await h.stripe.subscriptions
      .create({ customer: customer.id, items: [{ price: monthly.id }], discounts: [{ coupon: 'NOPE' }] })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(bad).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'discounts[0][coupon]' });
    expect(h.problems).toEqual([]);
  });
});

describe('refunds and disputes', () => {
  async function paidCharge(): Promise<Stripe.Charge> {
    await activeMonthly();
    const charges = await h.stripe.charges.list({ limit: 1 });
    return charges.data[0] as Stripe.Charge;
  }

  it('refunds partially, then the rest; over-refunding is refused', async () => {
    const charge = await paidCharge();
    const r1 = await h.stripe.refunds.create({
      charge: charge.id,
      amount: 500,
      reason: 'requested_by_customer',
    });
    expect([r1.amount, r1.status, r1.charge]).toEqual([500, 'succeeded', charge.id]);
    let c = await h.stripe.charges.retrieve(charge.id);
    expect([c.amount_refunded, c.refunded]).toEqual([500, false]);
    const refunded = h.ofType('charge.refunded');
    expect(refunded[0]?.data.previous_attributes).toEqual({ amount_refunded: 0 });
    const tooMuch = await h.stripe.refunds
      .create({ charge: charge.id, amount: 1600 })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(tooMuch).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'amount',
      code: 'amount_too_large',
    });
    await h.stripe.refunds.create({ payment_intent: charge.payment_intent as string });
    c = await h.stripe.charges.retrieve(charge.id);
    expect([c.amount_refunded, c.refunded]).toEqual([2000, true]);
    expect((await h.stripe.refunds.list({ charge: charge.id })).data.map((r) => r.amount)).toEqual([
      1500, 500,
    ]);
    expect(h.problems).toEqual([]);
  });

  it('opens a dispute on a charge and closes it', async () => {
    const charge = await paidCharge();
    const dispute = await h.sandbox.control.createDispute(charge.id, { reason: 'fraudulent' });
    expect([dispute.status, dispute.amount, dispute.charge, dispute.reason]).toEqual([
      'needs_response',
      2000,
      charge.id,
      'fraudulent',
    ]);
    expect((await h.stripe.charges.retrieve(charge.id)).disputed).toBe(true);
    const fetched = await h.stripe.disputes.retrieve(dispute.id as string);
    expect(fetched.evidence_details.due_by).toBe(T0 + 21 * 86400);
    await h.stripe.disputes.close(dispute.id as string);
    expect((await h.stripe.disputes.retrieve(dispute.id as string)).status).toBe('lost');
    expect(h.ofType('charge.dispute.created')).toHaveLength(1);
    expect(h.ofType('charge.dispute.closed')).toHaveLength(1);
    expect(h.problems).toEqual([]);
  });
});
