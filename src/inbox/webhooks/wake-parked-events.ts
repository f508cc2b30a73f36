/**
 * wakeParkedEvents: the events of one ordering key (a Stripe customer) that are parked waiting for a later retry are
 * made due again, at the time they were received. Called by whatever makes them applicable — the customer's link
 * (src/billing/customers/customers.repo.ts) — in the same transaction, so a subscription's events that arrived
 * before `customer.created` are applied by the dispatcher's next batch instead of after their backoff (30 s, then
 * doubling to an hour). Their `attempts` are kept: an event that still cannot be applied parks again with the next
 * backoff. The key's ordering lock is the caller's (the dispatcher holds it; other writers take it), so the woken
 * events keep their `created` order.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

export async function wakeParkedEvents(tx: Executor, orderingKey: string): Promise<void> {
  await tx.execute(sql`
    UPDATE stripe_events SET available_at = received_at
    WHERE ordering_key = ${orderingKey} AND status = 'parked' AND available_at > received_at`);
}
