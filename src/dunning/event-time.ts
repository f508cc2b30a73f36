/** Instants for event-caused dunning and role steps. */
import type Stripe from 'stripe';
import { fromUnix } from '../clock.js';
import type { Clock } from '../clock.js';

/** When Stripe says the event happened (follows a test clock): the time of the steps it causes. */
export const eventAt = (event: Pick<Stripe.Event, 'created'>): Date => fromUnix(event.created);

/**
 * The instant at which entitlement is evaluated for an event: the later of our clock and the event's time, so a
 * late-arriving event is judged as of now and an event from a test clock ahead of us as of its own time.
 */
export function evaluationInstant(clock: Clock, event: Pick<Stripe.Event, 'created'>): Date {
  const a = clock.now();
  const b = eventAt(event);
  return a.getTime() >= b.getTime() ? a : b;
}
