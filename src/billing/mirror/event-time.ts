/**
 * The instants of a Stripe event, once for every domain: its version (`created`: what the mirror's version guard
 * compares and the time of the dunning steps it causes) and the instant its role change is judged at.
 */
import type Stripe from 'stripe';
import { fromUnix } from '../../clock.js';
import type { Clock } from '../../clock.js';

/** When Stripe says the event happened (follows a test clock): the event's version in the mirror and the time of
 *  the steps it causes. */
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
