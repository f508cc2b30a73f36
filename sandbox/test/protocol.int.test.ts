/**
 * The wire protocol through the official SDK: auth, errors with statuses and params, lists and pagination,
 * search, expand, idempotency replay and mismatch, events filters, immutable prices.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { catalog, customerOnClock, harness, T0, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

describe('auth and errors', () => {
  it('answers 401 for a missing or wrong key', async () => {
    const wrong = new Stripe('sk_test_wrong', {
      host: '127.0.0.1',
      port: h.sandbox.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const err = await wrong.customers.list().catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    const res = await fetch(`${h.sandbox.url}/v1/customers`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('answers 404 resource_missing, 400 with param, 402 card errors', async () => {
    const missing = await h.stripe.customers.retrieve('cus_nope').catch((e: Stripe.errors.StripeError) => e);
    expect(missing).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such customer: 'cus_nope'",
    });
    const bad = await h.stripe.prices
      .create({ currency: 'usd', unit_amount: 100 } as Stripe.PriceCreateParams)
      .catch((e: Stripe.errors.StripeError) => e);
    expect(bad).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param: 'product' });
    const customer = await h.stripe.customers.create({ email: 'a@example.com' });
    const declined = await h.stripe.paymentMethods
      .attach('pm_card_chargeDeclinedInsufficientFunds', { customer: customer.id })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(declined).toMatchObject({
      statusCode: 402,
      type: 'StripeCardError',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
    });
    const unknown = await h.stripe
      .rawRequest('GET', '/v1/nothing_here', {})
      .catch((e: Stripe.errors.StripeError) => e);
    expect(unknown).toMatchObject({ statusCode: 404 });
  });

  it('refuses to change a price amount', async () => {
    const { monthly } = await catalog(h.stripe);
    const err = await h.stripe.prices
      .update(monthly.id, { unit_amount: 5 } as Stripe.PriceUpdateParams)
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ statusCode: 400, param: 'unit_amount', code: 'parameter_unknown' });
    const archived = await h.stripe.prices.update(monthly.id, { active: false });
    expect(archived.active).toBe(false);
    expect(h.ofType('price.updated').at(-1)?.data.previous_attributes).toEqual({ active: true });
    const list = await h.stripe.prices.list({ lookup_keys: ['pro_yearly', 'pro_monthly'], active: true });
    expect(list.data.map((p) => p.lookup_key)).toEqual(['pro_yearly']);
    expect(h.problems).toEqual([]);
  });
});

describe('lists, search, expand', () => {
  it('paginates with limit / starting_after / ending_before and auto-pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await h.stripe.customers.create({ email: `c${i}@example.com` })).id);
    const page1 = await h.stripe.customers.list({ limit: 2 });
    expect([page1.data.map((c) => c.id), page1.has_more]).toEqual([[ids[4], ids[3]], true]);
    const page2 = await h.stripe.customers.list({ limit: 2, starting_after: ids[3] });
    expect(page2.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const back = await h.stripe.customers.list({ limit: 2, ending_before: ids[1] });
    expect(back.data.map((c) => c.id)).toEqual([ids[3], ids[2]]);
    const all: string[] = [];
    for await (const c of h.stripe.customers.list({ limit: 2 })) all.push(c.id);
    expect(all).toEqual([...ids].reverse());
    expect(h.problems).toEqual([]);
  });

  it("searches customers by email:'x'", async () => {
    await h.stripe.customers.create({ email: 'jane@example.com', metadata: { user_id: 'u_9' } });
    await h.stripe.customers.create({ email: 'john@example.com' });
    const found = await h.stripe.customers.search({ query: "email:'jane@example.com'" });
    expect(found.data.map((c) => c.email)).toEqual(['jane@example.com']);
    const byMeta = await h.stripe.customers.search({ query: "metadata['user_id']:'u_9'" });
    expect(byMeta.data).toHaveLength(1);
    expect(h.problems).toEqual([]);
  });

  it('expands nested paths the app uses', async () => {
    const { monthly } = await catalog(h.stripe);
    const { customer, pm } = await customerOnClock(h.stripe);
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      default_payment_method: pm.id,
      expand: [
        'customer',
        'default_payment_method',
        'latest_invoice.payments.data.payment.payment_intent',
        'items.data.price',
      ],
    });
    expect((sub.customer as Stripe.Customer).email).toBe('jenny@example.com');
    expect((sub.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect((inv.payments?.data[0]?.payment.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');
    const subs = await h.stripe.subscriptions.list({
      customer: customer.id,
      expand: ['data.latest_invoice'],
    });
    expect((subs.data[0]?.latest_invoice as Stripe.Invoice).amount_paid).toBe(2000);
    expect(h.problems).toEqual([]);
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and params, refuses different params', async () => {
    const a = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    const b = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await h.stripe.customers.list()).data).toHaveLength(1);
    const err = await h.stripe.customers
      .create({ email: 'other@example.com' }, { idempotencyKey: 'key-1' })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
    expect(h.problems).toEqual([]);
  });

  it('replays a card error (402) too', async () => {
    const customer = await h.stripe.customers.create({ email: 'x@example.com' });
    const attempt = () =>
      h.stripe.paymentMethods
        .attach('pm_card_chargeDeclined', { customer: customer.id }, { idempotencyKey: 'k2' })
        .then(
          () => {
            throw new Error('expected a card error');
          },
          (e: Stripe.errors.StripeError) => e,
        );
    const e1 = await attempt();
    const e2 = await attempt();
    expect([e1.statusCode, e2.statusCode, e2.decline_code]).toEqual([402, 402, 'generic_decline']);
    expect(e2.headers?.['original-request']).toBe(e1.requestId);
    expect(e2.headers?.['idempotent-replayed']).toBe('true');
  });
});

describe('events', () => {
  it('lists events by type, types[] and created[gte], and retrieves one', async () => {
    const { clock, customer } = await customerOnClock(h.stripe);
    const updated = await h.stripe.events.list({ type: 'customer.updated' });
    expect(updated.data.map((e) => e.type)).toEqual(['customer.updated']);
    const both = await h.stripe.events.list({ types: ['customer.created', 'payment_method.attached'] });
    expect(both.data.map((e) => e.type)).toEqual(['payment_method.attached', 'customer.created']);
    const wildcard = await h.stripe.events.list({ type: 'customer.*' });
    expect(wildcard.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 100 });
    await h.stripe.customers.update(customer.id, { name: 'Later' });
    const recent = await h.stripe.events.list({ created: { gte: T0 + 100 }, type: 'customer.updated' });
    expect(recent.data).toHaveLength(1);
    expect(recent.data[0]?.data.previous_attributes).toEqual({ name: 'Jenny Rosen' });
    expect(recent.data[0]?.api_version).toBe(Stripe.API_VERSION);
    const one = await h.stripe.events.retrieve(recent.data[0]?.id as string);
    expect(one.id).toBe(recent.data[0]?.id);
    expect(h.problems).toEqual([]);
  });
});

describe('search on other resources', () => {
  it('finds products and prices by field and metadata', async () => {
    const { product, monthly } = await catalog(h.stripe);
    await h.stripe.products.update(product.id, { metadata: { plan_key: 'pro' } });
    const products = await h.stripe.products.search({
      query: "active:'true' AND metadata['plan_key']:'pro'",
    });
    expect(products.data.map((p) => p.id)).toEqual([product.id]);
    const prices = await h.stripe.prices.search({ query: "lookup_key:'pro_monthly'" });
    expect(prices.data.map((p) => p.id)).toEqual([monthly.id]);
    expect(h.problems).toEqual([]);
  });
});
