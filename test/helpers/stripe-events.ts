/**
 * Stripe events for webhook tests: fixtures copied from the shared Stripe captures (test/fixtures/stripe), varied
 * with explicit overrides, and signed like Stripe signs them (`stripe.webhooks.generateTestHeaderString`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const WEBHOOK_SECRET = 'whsec_test_pipeline_secret_0123456789abcdef';
export const WEBHOOK_SECRET_OLD = 'whsec_test_pipeline_secret_old_0123456789ab';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/stripe');

export type FixtureName =
  | 'customer.created'
  | 'customer.updated'
  | 'invoice.paid'
  | 'invoice.payment_failed'
  | 'customer.subscription.created'
  | 'customer.subscription.updated.plan_change'
  | 'customer.subscription.updated.past_due'
  | 'customer.subscription.deleted';

/** A fresh copy of a captured event. */
export function fixtureEvent(name: FixtureName): Stripe.Event {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `event.${name}.json`), 'utf8')) as Stripe.Event;
}

export interface EventOverrides {
  id?: string;
  type?: string;
  created?: number;
  livemode?: boolean;
  /** Shallow-merged into data.object. */
  object?: Record<string, unknown>;
}

export function makeEvent(name: FixtureName, o: EventOverrides = {}): Stripe.Event {
  const e = fixtureEvent(name) as unknown as Record<string, unknown> & {
    data: { object: Record<string, unknown> };
  };
  if (o.id !== undefined) e.id = o.id;
  if (o.type !== undefined) e.type = o.type;
  if (o.created !== undefined) e.created = o.created;
  if (o.livemode !== undefined) e.livemode = o.livemode;
  if (o.object) e.data.object = { ...e.data.object, ...o.object };
  return e as unknown as Stripe.Event;
}

export function signatureHeader(
  body: string | Buffer,
  timestampSeconds: number,
  secret = WEBHOOK_SECRET,
): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload: body.toString(),
    secret,
    timestamp: timestampSeconds,
  });
}

/** Posts a body (an event, or raw text) signed at `at` (default: the app clock's now). */
export async function postWebhook(
  app: FastifyInstance,
  body: Stripe.Event | string | Buffer,
  opts: { at: Date; secret?: string; headers?: Record<string, string>; signature?: string | null },
): Promise<LightMyRequestResponse> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  const sig =
    opts.signature === undefined
      ? signatureHeader(payload, Math.floor(opts.at.getTime() / 1000), opts.secret ?? WEBHOOK_SECRET)
      : opts.signature;
  if (sig !== null) headers['stripe-signature'] = sig;
  return app.inject({ method: 'POST', url: '/webhooks/stripe', headers, payload });
}
