/**
 * The interface between the webhook pipeline (ingest + dispatcher) and the event handlers.
 * A handler applies one Stripe event inside the dispatcher's transaction and says what it did.
 */
import type Stripe from 'stripe';
import type { Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';

export interface EventContext<E extends Stripe.Event = Stripe.Event> {
  tx: Tx; // the one transaction in which ALL effects of this event commit (rows, mrr_movements, audit, follow-up jobs)
  deps: Deps; // config, db, clock, logger, stripe (Stripe may be called ONLY to resolve a tie or a missing object)
  event: E;
  /** Enqueue a follow-up job inside tx (so it exists exactly when the effects commit). */
  enqueue(name: string, data: object, opts?: { startAfter?: Date; singletonKey?: string }): Promise<void>;
}

export type Handler<T extends Stripe.Event.Type> = (
  ctx: EventContext<Extract<Stripe.Event, { type: T }>>,
) => Promise<HandlerResult>;

export type HandlerResult = { outcome: 'applied' | 'stale' | 'ignored'; note?: string };

export type NotLinkableReason =
  | 'unknown_customer'
  | 'unknown_price'
  | 'unknown_subscription'
  | 'unknown_invoice'
  | 'unknown_charge'
  | 'unlinked_customer';

/** Thrown by a handler when the event cannot be applied YET (unknown customer, unknown price, missing parent row):
 *  the dispatcher rolls the transaction back, parks the event and retries with backoff; after the retries an
 *  open billing_error keyed by (reason, subject). */
export class NotLinkableError extends Error {
  constructor(
    readonly reason: NotLinkableReason,
    readonly subject: string,
  ) {
    super(`${reason}: ${subject}`);
    this.name = 'NotLinkableError';
  }
}

function idOf(ref: unknown): string | undefined {
  if (typeof ref === 'string' && ref.length > 0) return ref;
  if (ref && typeof ref === 'object' && typeof (ref as { id?: unknown }).id === 'string') {
    return (ref as { id: string }).id;
  }
  return undefined;
}

/** The ordering key: events with the same key are applied one at a time, in `created` order.
 *  The Stripe customer id when the object has one (a customer's own id for customer objects); else the object id. */
export function orderingKeyOf(event: Stripe.Event): string {
  const object = event.data.object as unknown as { id?: unknown; object?: unknown; customer?: unknown };
  if (object.object === 'customer') {
    const id = idOf(object.id);
    if (id) return id;
  }
  return idOf(object.customer) ?? idOf(object.id) ?? event.id;
}

/** The shape of the handlers map (handlers/index.ts): at most one handler per event type. */
export type HandlerMap = { [T in Stripe.Event.Type]?: Handler<T> };
