/**
 * Webhook delivery: Stripe's signature scheme (verified by the SDK), retries with backoff on non-2xx driven
 * by the sandbox clock or "retry now", and each delivery fault: duplicate, delay, reorder, drop + redeliver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { harness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness({ webhookSecret: 'whsec_test_sandbox_secret' });
});
afterEach(async () => {
  await h.close();
});

const types = (h: Harness) =>
  h.deliveries.map((d) => `${d.event.type}:${(d.event.data.object as { email?: string }).email ?? ''}`);

describe('signatures', () => {
  it('verify with stripe.webhooks.constructEvent; a tampered body fails', async () => {
    await h.stripe.customers.create({ email: 'sig@example.com' });
    await h.sandbox.control.flush();
    const d = h.deliveries[0];
    if (!d) throw new Error('no delivery');
    expect(d.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = h.stripe.webhooks.constructEvent(d.body, d.signature, 'whsec_test_sandbox_secret');
    expect([event.type, (event.data.object as Stripe.Customer).email]).toEqual([
      'customer.created',
      'sig@example.com',
    ]);
    const tampered = d.body.replace('sig@example.com', 'sig@example.org');
    expect(() =>
      h.stripe.webhooks.constructEvent(tampered, d.signature, 'whsec_test_sandbox_secret'),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => h.stripe.webhooks.constructEvent(d.body, d.signature, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('delivers to endpoints registered through the API with their own secret and event filter', async () => {
    const url = (await h.stripe.webhookEndpoints.list()).data[0]?.url;
    const ep = await h.stripe.webhookEndpoints.create({
      url: url as string,
      enabled_events: ['product.created'],
    });
    expect(ep.secret).toMatch(/^whsec_/);
    await h.stripe.products.create({ name: 'X' });
    await h.stripe.customers.create({ email: 'only-first@example.com' });
    await h.sandbox.control.flush();
    const bySecret = h.deliveries.filter((d) => {
      try {
        h.stripe.webhooks.constructEvent(d.body, d.signature, ep.secret as string);
        return true;
      } catch {
        return false;
      }
    });
    expect(bySecret.map((d) => d.event.type)).toEqual(['product.created']);
    expect(h.problems).toEqual([]);
  });
});

describe('retries', () => {
  it('retries a failed delivery when the backoff has passed on the sandbox clock, or on retryNow', async () => {
    let failures = 2;
    h.respond = () => (failures-- > 0 ? 500 : 200);
    await h.stripe.customers.create({ email: 'retry@example.com' });
    await h.sandbox.control.flush();
    expect(h.deliveries).toHaveLength(1);
    await h.sandbox.control.advanceClock({ by: 59 });
    await h.sandbox.control.flush();
    expect(h.deliveries).toHaveLength(1);
    await h.sandbox.control.advanceClock({ by: 1 });
    await h.sandbox.control.flush();
    expect(h.deliveries).toHaveLength(2);
    expect((await h.sandbox.control.retryNow()).count).toBe(1);
    await h.sandbox.control.flush();
    expect(h.deliveries).toHaveLength(3);
    expect(new Set(h.deliveries.map((d) => d.event.id)).size).toBe(1);
    const attempts = await h.sandbox.control.deliveries();
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
  });
});

describe('delivery faults', () => {
  it('duplicate delivers the same event twice', async () => {
    await h.sandbox.control.webhookFaults([{ mode: 'duplicate', count: 1 }]);
    await h.stripe.customers.create({ email: 'dup@example.com' });
    await h.stripe.customers.create({ email: 'once@example.com' });
    await h.sandbox.control.flush();
    expect(types(h)).toEqual([
      'customer.created:dup@example.com',
      'customer.created:dup@example.com',
      'customer.created:once@example.com',
    ]);
    expect(h.deliveries[0]?.event.id).toBe(h.deliveries[1]?.event.id);
  });

  it('delay holds a delivery back so later events overtake it', async () => {
    await h.sandbox.control.webhookFaults([{ mode: 'delay', count: 1, ms: 150 }]);
    await h.stripe.customers.create({ email: 'slow@example.com' });
    await h.stripe.customers.create({ email: 'fast@example.com' });
    await h.sandbox.control.flush();
    expect(types(h)).toEqual(['customer.created:fast@example.com', 'customer.created:slow@example.com']);
  });

  it('reorder delivers a batch in reverse', async () => {
    await h.sandbox.control.webhookFaults([{ mode: 'reorder', count: 3 }]);
    for (const n of [1, 2, 3]) await h.stripe.customers.create({ email: `r${n}@example.com` });
    await h.sandbox.control.flush();
    expect(types(h)).toEqual([
      'customer.created:r3@example.com',
      'customer.created:r2@example.com',
      'customer.created:r1@example.com',
    ]);
  });

  it('drop loses a delivery until redeliverDropped', async () => {
    await h.sandbox.control.webhookFaults([{ mode: 'drop', count: 1 }]);
    await h.stripe.customers.create({ email: 'lost@example.com' });
    await h.stripe.customers.create({ email: 'kept@example.com' });
    await h.sandbox.control.flush();
    expect(types(h)).toEqual(['customer.created:kept@example.com']);
    expect((await h.sandbox.control.redeliverDropped()).count).toBe(1);
    await h.sandbox.control.flush();
    expect(types(h)).toEqual(['customer.created:kept@example.com', 'customer.created:lost@example.com']);
    const ev = await h.stripe.events.retrieve(h.deliveries[1]?.event.id as string);
    expect(ev.type).toBe('customer.created');
  });
});
