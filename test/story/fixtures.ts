/**
 * The shared Stripe captures (test/fixtures/stripe, API 2026-10-28.endive) as fresh, typed copies: the "from
 * fixture" constructors of the story factory. Each file is read once per process; every call parses a new copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/stripe');
const texts = new Map<string, string>();

/** A fresh copy of a fixture file (`object.subscription.active`, `event.invoice.paid`, …). */
export function fixture<T = Record<string, unknown>>(name: string): T {
  let text = texts.get(name);
  if (text === undefined) {
    text = fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8');
    texts.set(name, text);
  }
  return JSON.parse(text) as T;
}

/** The ids of the fixture story (see test/fixtures/stripe/_manifest.json). */
export const IDS = fixture<{ ids: Record<string, string> }>('_manifest').ids as {
  customer: string;
  customer_checkout: string;
  product: string;
  price_monthly: string;
  price_yearly: string;
  payment_method: string;
  subscription: string;
  subscription_item: string;
  subscription_checkout: string;
  invoice_1_paid: string;
  invoice_2_failed: string;
  payment_intent_1: string;
  payment_intent_2: string;
  charge_1: string;
  charge_2_failed: string;
  refund: string;
  dispute: string;
};

/** The captured events (test/fixtures/stripe/event.<name>.json). */
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
  return fixture<Stripe.Event>(`event.${name}`);
}

export interface FixtureEventOverrides {
  id?: string;
  /** Any string, on purpose: the pipeline's tests send types no handler knows. */
  type?: string;
  created?: number;
  livemode?: boolean;
  /** Shallow-merged into data.object. */
  object?: Record<string, unknown>;
}

/** A captured event with explicit overrides. */
export function eventFromFixture(name: FixtureName, o: FixtureEventOverrides = {}): Stripe.Event {
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
