/**
 * The fixture customer's story through the real ingest, dispatcher and handlers, in order, with literal expected
 * rows: trial, first payment, a failed renewal (past_due), a switch to yearly, a refund, a dispute, cancellation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { event, eventId, fixture, IDS } from '../../story/index.js';
import { count, seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';

let h: StoryWorld;
beforeAll(async () => {
  h = await storyWorld({ label: 'handlers-story' });
  await seedFixtureCatalogue(h.deps.db);
});
afterAll(() => h.close());

const ev = (name: string) => fixture<Stripe.Event>(`event.${name}`);
const sub = async () =>
  (
    await h.q<{
      status: string;
      mrr_minor: number;
      plan_key: string | null;
      stripe_price_id: string;
      current_period_end: Date;
      trial_end: Date | null;
    }>(
      `SELECT s.status, s.mrr_minor, p.key AS plan_key, s.stripe_price_id, s.current_period_end, s.trial_end
       FROM subscriptions s LEFT JOIN plans p ON p.id = s.plan_id WHERE s.stripe_subscription_id = $1`,
      [IDS.subscription],
    )
  )[0];
const movements = () =>
  h.q<{ kind: string; mrr_before_minor: number; mrr_after_minor: number; delta_minor: number }>(
    `SELECT kind, mrr_before_minor, mrr_after_minor, delta_minor FROM mrr_movements ORDER BY at, id`,
  );

describe('the fixture customer story', () => {
  it('customer.created links the customer to user_42 by metadata', async () => {
    await h.apply(ev('customer.created'));
    const [c] = await h.q(
      `SELECT user_id, email, name, country, delinquent, deleted_at FROM customers WHERE stripe_customer_id = $1`,
      [IDS.customer],
    );
    expect(c).toEqual({
      user_id: 'user_42',
      email: 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
      country: 'US',
      delinquent: false,
      deleted_at: null,
    });
    expect(await count(h, 'audit_log', `action = 'customer.created' AND actor_type = 'stripe'`)).toBe(1);
  });

  it('payment_method.attached + customer.updated set the default card (brand, last4, expiry only)', async () => {
    const pm = fixture('object.payment_method');
    await h.apply(
      event('payment_method.attached', pm, 1785747691, { id: eventId('payment_method.attached') }),
      ev('customer.updated'),
    );
    const [c] = await h.q(
      `SELECT default_payment_method_id, default_pm_brand, default_pm_last4, default_pm_exp_month, default_pm_exp_year FROM customers`,
    );
    expect(c).toEqual({
      default_payment_method_id: IDS.payment_method,
      default_pm_brand: 'visa',
      default_pm_last4: '4242',
      default_pm_exp_month: 12,
      default_pm_exp_year: 2030,
    });
  });

  it('subscription created in trial: trialing, plan pro, MRR 0, no movement', async () => {
    await h.apply(ev('customer.subscription.created'), ev('customer.subscription.trial_will_end'));
    expect(await sub()).toMatchObject({
      status: 'trialing',
      mrr_minor: 0,
      plan_key: 'pro',
      stripe_price_id: IDS.price_monthly,
    });
    expect(await movements()).toEqual([]);
    expect(await count(h, 'subscription_items')).toBe(1);
  });

  it('first invoice created, finalized, paid; the trial ends: active, MRR 2000, movement new', async () => {
    await h.apply(
      ev('invoice.created'),
      ev('invoice.finalized'),
      ev('invoice.paid'),
      ev('invoice.payment_succeeded'),
    );
    const [inv] = await h.q(
      `SELECT status, amount_due_minor, amount_paid_minor, amount_remaining_minor, number, billing_reason, attempt_count,
              paid_at, stripe_subscription_id, subscription_id IS NOT NULL AS linked
       FROM invoices WHERE stripe_invoice_id = $1`,
      [IDS.invoice_1_paid],
    );
    expect(inv).toEqual({
      status: 'paid',
      amount_due_minor: 2000,
      amount_paid_minor: 2000,
      amount_remaining_minor: 0,
      number: 'A1B2C3D4-0002',
      billing_reason: 'subscription_cycle',
      attempt_count: 1,
      paid_at: new Date('2026-08-17T10:04:03Z'),
      stripe_subscription_id: IDS.subscription,
      linked: true,
    });
    const active = fixture('object.subscription.active');
    await h.apply(
      event('customer.subscription.updated', active, 1786957440, {
        id: eventId('customer.subscription.updated'),
      }),
    );
    expect(await sub()).toMatchObject({ status: 'active', mrr_minor: 2000, plan_key: 'pro' });
    expect(await movements()).toEqual([
      { kind: 'new', mrr_before_minor: 0, mrr_after_minor: 2000, delta_minor: 2000 },
    ]);
  });

  it('payment intent and charge of the first payment: one payment row with card and amounts', async () => {
    await h.apply(
      event('charge.succeeded', fixture('object.charge.succeeded'), 1786961042, {
        id: eventId('charge.succeeded'),
      }),
      event('payment_intent.succeeded', fixture('object.payment_intent.succeeded'), 1786961043, {
        id: eventId('payment_intent.succeeded'),
      }),
      event('invoice_payment.paid', fixture('object.invoice_payment'), 1786961043, {
        id: eventId('invoice_payment.paid'),
      }),
    );
    const rows = await h.q(
      `SELECT p.stripe_payment_intent_id, p.stripe_charge_id, p.amount_minor, p.amount_refunded_minor, p.currency, p.status,
              p.card_brand, p.card_last4, p.card_country, i.stripe_invoice_id, c.stripe_customer_id
       FROM payments p LEFT JOIN invoices i ON i.id = p.invoice_id LEFT JOIN customers c ON c.id = p.customer_id`,
    );
    expect(rows).toEqual([
      {
        stripe_payment_intent_id: IDS.payment_intent_1,
        stripe_charge_id: IDS.charge_1,
        amount_minor: 2000,
        amount_refunded_minor: 0,
        currency: 'usd',
        status: 'succeeded',
        card_brand: 'visa',
        card_last4: '4242',
        card_country: 'US',
        stripe_invoice_id: IDS.invoice_1_paid,
        stripe_customer_id: IDS.customer,
      },
    ]);
  });

  it('refund of the first charge', async () => {
    await h.apply(
      ev('charge.refunded'),
      event('refund.created', fixture('object.refund'), 1787821440, { id: eventId('refund.created') }),
    );
    const [p] = await h.q(`SELECT amount_refunded_minor FROM payments WHERE stripe_charge_id = $1`, [
      IDS.charge_1,
    ]);
    expect(p).toEqual({ amount_refunded_minor: 2000 });
    const [r] = await h.q(
      `SELECT r.amount_minor, r.currency, r.status, r.reason, p.stripe_charge_id FROM refunds r JOIN payments p ON p.id = r.payment_id`,
    );
    expect(r).toEqual({
      amount_minor: 2000,
      currency: 'usd',
      status: 'succeeded',
      reason: 'requested_by_customer',
      stripe_charge_id: IDS.charge_1,
    });
  });

  it('failed renewal: invoice open with attempt 1, charge declined insufficient_funds, subscription past_due (MRR kept)', async () => {
    await h.apply(
      ev('invoice.payment_failed'),
      ev('invoice.payment_action_required'),
      event('charge.failed', fixture('object.charge.failed'), 1789639443, { id: eventId('charge.failed') }),
      event(
        'payment_intent.payment_failed',
        fixture('object.payment_intent.requires_payment_method'),
        1789639444,
        { id: eventId('payment_intent.payment_failed') },
      ),
      ev('customer.subscription.updated.past_due'),
    );
    const [inv] = await h.q(
      `SELECT status, attempt_count, amount_remaining_minor, next_payment_attempt_at FROM invoices WHERE stripe_invoice_id = $1`,
      [IDS.invoice_2_failed],
    );
    expect(inv).toEqual({
      status: 'open',
      attempt_count: 1,
      amount_remaining_minor: 2000,
      next_payment_attempt_at: new Date(1789898644 * 1000),
    });
    const [p] = await h.q(
      `SELECT status, charge_status, failure_code, decline_code, failure_message, card_brand FROM payments WHERE stripe_payment_intent_id = $1`,
      [IDS.payment_intent_2],
    );
    expect(p).toEqual({
      status: 'requires_payment_method',
      charge_status: 'failed',
      failure_code: 'card_declined',
      decline_code: 'insufficient_funds',
      failure_message: 'Your card has insufficient funds.',
      card_brand: 'visa',
    });
    expect(await sub()).toMatchObject({ status: 'past_due', mrr_minor: 2000 });
    expect((await movements()).length).toBe(1);
  });

  it('switch to yearly: active, price yearly, MRR 1667, contraction -333', async () => {
    await h.apply(ev('customer.subscription.updated.plan_change'));
    expect(await sub()).toMatchObject({
      status: 'active',
      mrr_minor: 1667,
      plan_key: 'pro',
      stripe_price_id: IDS.price_yearly,
      current_period_end: new Date(1821370264 * 1000),
    });
    expect((await movements()).at(-1)).toEqual({
      kind: 'contraction',
      mrr_before_minor: 2000,
      mrr_after_minor: 1667,
      delta_minor: -333,
    });
  });

  it('dispute opened and closed (lost)', async () => {
    await h.apply(ev('charge.dispute.created'));
    const closed = { ...fixture('object.dispute'), status: 'lost' };
    await h.apply(
      event('charge.dispute.closed', closed, 1792000000, { id: eventId('charge.dispute.closed') }),
    );
    // The disputed charge (the retry that paid) was never delivered here: the dispute links through its intent.
    const [d] = await h.q(
      `SELECT d.amount_minor, d.status, d.reason, d.closed_at, p.stripe_payment_intent_id FROM disputes d LEFT JOIN payments p ON p.id = d.payment_id`,
    );
    expect(d).toEqual({
      amount_minor: 2000,
      status: 'lost',
      reason: 'fraudulent',
      closed_at: new Date(1792000000 * 1000),
      stripe_payment_intent_id: IDS.payment_intent_2,
    });
  });

  it('cancellation: canceled, MRR 0, churn; movements sum to 0; one audit row per changing event', async () => {
    await h.apply(ev('customer.subscription.deleted'));
    expect(await sub()).toMatchObject({ status: 'canceled', mrr_minor: 0 });
    expect((await movements()).map((m) => [m.kind, m.delta_minor])).toEqual([
      ['new', 2000],
      ['contraction', -333],
      ['churn', -1667],
    ]);
    const perEvent = await h.q<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit_log WHERE actor_type = 'stripe' GROUP BY actor_id HAVING count(*) > 1`,
    );
    expect(perEvent).toEqual([]);
    const statuses = await h.q<{ status: string; n: string }>(
      `SELECT status, count(*)::text AS n FROM stripe_events GROUP BY status ORDER BY status`,
    );
    expect(statuses.filter((s) => s.status === 'parked' || s.status === 'failed')).toEqual([]);
  });
});
