/**
 * `customer.subscription.trial_will_end` → the "trial ending" notification, in the event's transaction; once per
 * subscription and trial end (outbox key), so a duplicate or replayed event sends nothing more. Other events: no-op.
 */
import type Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appUrl } from '../billing/checkout/app-url.js';
import { fromUnix } from '../clock.js';
import { eventAt } from '../billing/mirror/event-time.js';
import { enqueueNotification } from './enqueue-notification.js';

export async function notifyTrialEnding(
  tx: Tx,
  deps: Pick<Deps, 'config'>,
  event: Stripe.Event,
): Promise<boolean> {
  if (event.type !== 'customer.subscription.trial_will_end') return false;
  const sub = event.data.object;
  if (!sub.trial_end) return false;
  const res = await tx.execute<{ user_id: string | null; plan_name: string | null }>(sql`
    SELECT c.user_id, p.name AS plan_name
    FROM subscriptions s JOIN customers c ON c.id = s.customer_id LEFT JOIN plans p ON p.id = s.plan_id
    WHERE s.stripe_subscription_id = ${sub.id}`);
  const row = res.rows[0];
  if (!row?.user_id) return false;
  const r = await enqueueNotification(tx, {
    key: `trial_ending:${sub.id}:${sub.trial_end}`,
    template: 'trial_ending',
    userId: row.user_id,
    at: eventAt(event),
    data: {
      planName: row.plan_name,
      trialEnd: fromUnix(sub.trial_end).toISOString(),
      portalUrl: `${appUrl(deps.config)}/account`,
    },
  });
  return r?.created ?? false;
}
