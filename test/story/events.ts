/**
 * The event envelope of the story factory: `event(type, object, created, { id, previous_attributes })`, shaped as
 * Stripe sends it (API 2026-10-28.endive, test mode, one pending webhook) and typed by its `type`.
 */
import type Stripe from 'stripe';

export const API_VERSION = '2026-10-28.endive';

let seq = 0;
const next = () => String(++seq).padStart(6, '0');
const slug = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');

/**
 * A unique event id that sorts by creation within a run: `evt_r<seq><type>` (the sequence first, so two events of
 * one second sort in the order they were built). The default id of `event()`.
 */
export function eventIdInOrder(type: string): string {
  return `evt_r${next()}${type.replace(/[^a-z]/g, '').slice(0, 20)}`;
}

/**
 * A unique, well-formed event id `evt_<label><seq>` (the label first: ids of one label sort by creation, ids of
 * different labels by label).
 */
export function eventId(label = 'x'): string {
  return `evt_${slug(label)}${next()}`;
}

export interface EventOptions {
  /** Default: `eventIdInOrder(type)`. */
  id?: string;
  /** `data.previous_attributes` (left out when absent). */
  previous_attributes?: object;
}

/** The event Stripe would send about `object` at `created` (unix seconds). */
export function event<T extends Stripe.Event.Type>(
  type: T,
  object: object,
  created: number,
  o: EventOptions = {},
): Extract<Stripe.Event, { type: T }> {
  return {
    id: o.id ?? eventIdInOrder(type),
    object: 'event',
    api_version: API_VERSION,
    created,
    data: { object, ...(o.previous_attributes ? { previous_attributes: o.previous_attributes } : {}) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  } as unknown as Extract<Stripe.Event, { type: T }>;
}
