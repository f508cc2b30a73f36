/**
 * API faults (control API): the next N matching requests answer 500, 429 with or without
 * Stripe-Should-Retry, or hang past the client timeout after the change was applied — the case
 * idempotency keys exist for.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { harness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  expect(h.problems).toEqual([]);
  await h.close();
});

function client(o: Partial<Stripe.StripeConfig>): Stripe {
  return new Stripe(h.sandbox.secretKey, { host: '127.0.0.1', port: h.sandbox.port, protocol: 'http', ...o });
}

describe('API faults', () => {
  it('500: surfaces without retries, changes nothing; the SDK retry then succeeds once', async () => {
    await h.sandbox.control.apiFault({ path: '/v1/customers', method: 'POST', mode: '500' });
    const err = await client({ maxNetworkRetries: 0 })
      .customers.create({ email: 'a@example.com' })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ type: 'StripeAPIError', statusCode: 500 });
    expect((await h.stripe.customers.list()).data).toHaveLength(0);
    await h.sandbox.control.apiFault({ path: '/v1/customers', method: 'POST', mode: '500' });
    const ok = await client({ maxNetworkRetries: 1 }).customers.create({ email: 'b@example.com' });
    expect((await h.stripe.customers.list()).data.map((c) => c.id)).toEqual([ok.id]);
  });

  it('429 with Stripe-Should-Retry: true is retried by the SDK; without the header it is not', async () => {
    await h.sandbox.control.apiFault({ path: '/v1/customers', mode: '429', shouldRetry: true });
    const ok = await client({ maxNetworkRetries: 1 }).customers.create({ email: 'c@example.com' });
    expect(ok.email).toBe('c@example.com');
    await h.sandbox.control.apiFault({ path: '/v1/customers*', mode: '429' });
    const err = await client({ maxNetworkRetries: 1 })
      .customers.list()
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ type: 'StripeRateLimitError', statusCode: 429, code: 'rate_limit' });
    expect((await h.stripe.customers.list()).data).toHaveLength(1);
  });

  it('hang: the change is applied, the client times out, a retry with the same key replays it', async () => {
    await h.sandbox.control.apiFault({ path: '/v1/customers', method: 'POST', mode: 'hang' });
    const slow = client({ maxNetworkRetries: 0, timeout: 300 });
    const err = await slow.customers
      .create({ email: 'hang@example.com' }, { idempotencyKey: 'create-hang' })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    const created = (await h.stripe.customers.list()).data;
    expect(created.map((c) => c.email)).toEqual(['hang@example.com']);
    const again = await h.stripe.customers.create(
      { email: 'hang@example.com' },
      { idempotencyKey: 'create-hang' },
    );
    expect(again.id).toBe(created[0]?.id);
    expect((await h.stripe.customers.list()).data).toHaveLength(1);
  });

  it('hang with SDK retries: the automatic idempotency key prevents a duplicate', async () => {
    await h.sandbox.control.apiFault({ path: '/v1/customers', method: 'POST', mode: 'hang' });
    const c = await client({ maxNetworkRetries: 1, timeout: 300 }).customers.create({
      email: 'auto@example.com',
    });
    expect((await h.stripe.customers.list()).data.map((x) => x.id)).toEqual([c.id]);
  });

  it('rate limit setting: requests beyond N per second answer 429 rate_limit', async () => {
    await h.sandbox.control.settings({ rateLimitPerSecond: 3 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.stripe.customers.list().then(
          () => 200,
          (e: Stripe.errors.StripeError) => e.statusCode,
        ),
      ),
    );
    expect(results.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    expect(results.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
    await h.sandbox.control.settings({ rateLimitPerSecond: null });
  });

  it("rate limit: Stripe's 429 body, no side effect, counted; the next second lets requests through again", async () => {
    await h.sandbox.control.settings({ rateLimitPerSecond: 2 });
    const c = client({ maxNetworkRetries: 0 });
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await c.customers.create({ email: `limited${i}@example.com` }).then(
          (x) => x.email,
          (e: Stripe.errors.StripeError) => e,
        ),
      );
    }
    const errors = outcomes.filter((o): o is Stripe.errors.StripeError => typeof o !== 'string');
    // at most 2 in one window; a window may end between the 4 requests (a slow machine), never all pass
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const e of errors) {
      expect(e).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect([e.statusCode, e.code, e.type, e.rawType]).toEqual([
        429,
        'rate_limit',
        'StripeRateLimitError',
        'invalid_request_error',
      ]);
      expect(e.headers?.['stripe-should-retry']).toBeUndefined();
    }
    expect((await h.sandbox.control.rateLimited()).count).toBe(errors.length);
    await new Promise((r) => setTimeout(r, 1100));
    // the limited creations left nothing behind: only the answered ones exist
    await h.sandbox.control.settings({ rateLimitPerSecond: null });
    const created = (await h.stripe.customers.list({ limit: 100 })).data.map((x) => x.email).sort();
    expect(created).toEqual(outcomes.filter((o): o is string => typeof o === 'string').sort());
    await h.sandbox.control.settings({ rateLimitPerSecond: 2 });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await c.customers.list()).object).toBe('list');
    await h.sandbox.control.settings({ rateLimitPerSecond: null });
  });

  it('503 and latency: 503 changes nothing; latency answers late with the change applied', async () => {
    await h.sandbox.control.apiFault({ path: '/v1/products', method: 'POST', mode: '503' });
    const err = await client({ maxNetworkRetries: 0 })
      .products.create({ name: 'A' })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(err).toMatchObject({ statusCode: 503 });
    await h.sandbox.control.apiFault({ path: '/v1/products', method: 'POST', mode: 'latency', ms: 400 });
    const slow = await client({ maxNetworkRetries: 0, timeout: 200 })
      .products.create({ name: 'B' })
      .catch((e: Stripe.errors.StripeError) => e);
    expect(slow).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    await h.sandbox.control.apiFault({ path: '/v1/products', method: 'POST', mode: 'latency', ms: 50 });
    const ok = await client({ maxNetworkRetries: 0, timeout: 5000 }).products.create({ name: 'C' });
    expect(ok.name).toBe('C');
    expect((await h.stripe.products.list()).data.map((p) => p.name)).toEqual(['C', 'B']);
  });
});
