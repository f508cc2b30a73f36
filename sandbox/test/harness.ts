/**
 * Shared setup for the sandbox's acceptance tests: a sandbox with a frozen clock, the official SDK pointed
 * at it, a webhook receiver that records signed deliveries, and the conformance check applied to every
 * API response and every event (`problems` must stay empty).
 */
import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { validateStripeObject } from '../conformance/validate.js';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../index.js';

export interface Delivery {
  body: string;
  signature: string;
  event: Stripe.Event;
}

export interface Harness {
  sandbox: SandboxHandle;
  stripe: Stripe;
  events: Stripe.Event[];
  deliveries: Delivery[];
  problems: string[];
  /** What the receiver answers; default 200. */
  respond: (d: Delivery) => number;
  /** Events of a type, in emission order. */
  ofType(type: string): Stripe.Event[];
  close(): Promise<void>;
}

/** 2026-01-01T00:00:00Z: the start of every scenario unless a test says otherwise. */
export const T0 = 1767225600;

export function check(where: string, obj: unknown, problems: string[]): void {
  for (const p of validateStripeObject(obj)) problems.push(`${where}: ${p}`);
}

export async function harness(opts: SandboxOptions = {}): Promise<Harness> {
  const deliveries: Delivery[] = [];
  const events: Stripe.Event[] = [];
  const problems: string[] = [];
  const h = { respond: (_d: Delivery) => 200 } as Harness;
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const d: Delivery = {
        body,
        signature: String(req.headers['stripe-signature']),
        event: JSON.parse(body) as Stripe.Event,
      };
      deliveries.push(d);
      res.writeHead(h.respond(d));
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const addr = receiver.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const sandbox = await startSandbox({
    startTime: T0,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/stripe`,
    ...opts,
    onResponse: (path, body) => {
      check(`response ${path}`, body, problems);
      opts.onResponse?.(path, body);
    },
    onEvent: (e) => {
      events.push(e as Stripe.Event);
      check(`event ${(e as Stripe.Event).type}`, e, problems);
      opts.onEvent?.(e);
    },
  });
  const stripe = new Stripe(sandbox.secretKey, {
    host: '127.0.0.1',
    port: sandbox.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return Object.assign(h, {
    sandbox,
    stripe,
    events,
    deliveries,
    problems,
    ofType: (type: string) => events.filter((e) => e.type === type),
    async close() {
      await sandbox.stop();
      await new Promise<void>((r) => receiver.close(() => r()));
    },
  });
}

/** A product with a monthly (2000) and a yearly (20000) USD price. */
export async function catalog(
  stripe: Stripe,
): Promise<{ product: Stripe.Product; monthly: Stripe.Price; yearly: Stripe.Price; premium: Stripe.Price }> {
  const product = await stripe.products.create({ name: 'Pro' });
  const monthly = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    lookup_key: 'pro_monthly',
  });
  const yearly = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 20000,
    recurring: { interval: 'year' },
    lookup_key: 'pro_yearly',
  });
  const premium = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 5000,
    recurring: { interval: 'month' },
    lookup_key: 'premium_monthly',
  });
  return { product, monthly, yearly, premium };
}

/** A customer on a fresh test clock at T0 with `card` attached as the default payment method. */
export async function customerOnClock(
  stripe: Stripe,
  card = 'pm_card_visa',
  at = T0,
): Promise<{ clock: Stripe.TestHelpers.TestClock; customer: Stripe.Customer; pm: Stripe.PaymentMethod }> {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at });
  const customer = await stripe.customers.create({
    email: 'jenny@example.com',
    name: 'Jenny Rosen',
    test_clock: clock.id,
    metadata: { user_id: 'u_1' },
  });
  const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  return { clock, customer, pm };
}
