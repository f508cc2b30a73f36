/**
 * The one place where "a subscription changed" reaches the rest of the system, called by the
 * customer.subscription.* handlers inside the event's transaction, after the row (and its MRR movement) is written
 * and before the audit row. Roles from billing (issue 5: recompute the user's role from entitledRole, audited with
 * this event as cause) and dunning hook in here, so they commit or roll back with the subscription change.
 */
import type { EventContext } from '../webhooks/types.js';
import type { SubscriptionMirrorResult } from './subscriptions.repo.js';
import { onSubscriptionChanged } from '../dunning/on-subscription-changed.js';

export type SubscriptionMirroredHook = (ctx: EventContext, change: SubscriptionMirrorResult) => Promise<void>;

const hooks: SubscriptionMirroredHook[] = [];

/** Registers a reaction to subscription changes (at start-up, by the roles / dunning modules). */
export function onSubscriptionMirrored(hook: SubscriptionMirroredHook): void {
  hooks.push(hook);
}

export async function subscriptionMirrored(
  ctx: EventContext,
  change: SubscriptionMirrorResult,
): Promise<void> {
  await onSubscriptionChanged(ctx.tx, ctx.deps, ctx.event, change); // issue 5: dunning + role, with this event as cause
  for (const hook of hooks) await hook(ctx, change);
}
