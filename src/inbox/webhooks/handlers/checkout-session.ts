/**
 * checkout.session.completed — a customer finished a subscription Checkout. The subscription and customer arrive
 * by their own events; if they are not mirrored yet, they are fetched now (the missing objects) so access starts
 * without waiting, the customer being linked to the user the app opened the session for (`client_reference_id` /
 * `metadata.user_id`). Safe twice and out of order: the fetched objects go through the same version-guarded
 * upserts as their events. A subscription mirrored here reacts as one mirrored by its own event does (dunning, the
 * user's role): its own earlier events, arriving later, are stale and would never grant the role.
 */
import type Stripe from 'stripe';
import { findCustomerByStripeId, upsertCustomer } from '../../../billing/customers/customers.repo.js';
import {
  findSubscriptionByStripeId,
  upsertSubscription,
} from '../../../billing/subscriptions/subscriptions.repo.js';
import { idOf } from '../../../billing/mirror/stripe-refs.js';
import { eventAt, evaluationInstant } from '../../../billing/mirror/event-time.js';
import type { Handler } from '../types.js';
import { auditEvent, isChange } from './handler-kit.js';
import { fetchDiscounts, subscriptionEffects } from './subscription.js';
import { recomputeLinkedRoles } from '../../../accounts/roles/recompute-linked-roles.js';

export const checkoutSessionCompleted: Handler<'checkout.session.completed'> = async (ctx) => {
  const session = ctx.event.data.object;
  if (session.mode !== 'subscription') return { outcome: 'ignored', note: `mode ${session.mode}` };
  const customerId = idOf(session.customer);
  const subscriptionId = idOf(session.subscription);
  if (!customerId || !subscriptionId)
    return { outcome: 'ignored', note: 'no customer or subscription on the session' };
  const at = eventAt(ctx.event);
  const changes: string[] = [];
  if (!(await findCustomerByStripeId(ctx.tx, customerId))) {
    const customer = await ctx.deps.stripe.customers.retrieve(customerId);
    if (customer.deleted) return { outcome: 'ignored', note: 'customer deleted' };
    const userId = session.client_reference_id ?? session.metadata?.user_id ?? null;
    const withUser: Stripe.Customer =
      userId && !customer.metadata?.user_id
        ? { ...customer, metadata: { ...customer.metadata, user_id: userId } }
        : customer;
    const roles = {
      cause: { kind: 'stripe_event' as const, eventId: ctx.event.id, eventType: ctx.event.type },
      now: evaluationInstant(ctx.deps.clock, ctx.event),
      defaultGraceDays: ctx.deps.config.graceDays,
    };
    const c = await upsertCustomer(ctx.tx, withUser, at, ctx.event.id);
    if (c.linked) await recomputeLinkedRoles(ctx.tx, c.linked, roles);
    if (isChange(c)) changes.push(`customer ${customerId}`);
  }
  if (!(await findSubscriptionByStripeId(ctx.tx, subscriptionId))) {
    const sub = await ctx.deps.stripe.subscriptions.retrieve(subscriptionId);
    const r = await upsertSubscription(ctx.tx, sub, at, ctx.event.id, {
      resolveDiscounts: (id) => fetchDiscounts(ctx.deps.stripe, id),
    });
    if (isChange(r)) {
      await subscriptionEffects(ctx, r);
      changes.push(`subscription ${subscriptionId}`);
    }
  }
  if (!changes.length) return { outcome: 'ignored', note: 'customer and subscription already mirrored' };
  await auditEvent(ctx, {
    subjectType: 'checkout_session',
    subjectId: session.id,
    before: null,
    after: { mirrored: changes },
  });
  return { outcome: 'applied' };
};
