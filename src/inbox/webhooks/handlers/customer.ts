/**
 * customer.created / customer.updated / customer.deleted — Stripe sends them when a customer is created (by the app's
 * ensureCustomer, Checkout or the dashboard), edited, or deleted. Safe twice and out of order: upsertCustomer applies
 * the object only if the event is newer than the row (a duplicate is stale) and deletion is sticky.
 */
import type { EventContext, Handler } from '../types.js';
import { upsertCustomer } from '../../../billing/customers/customers.repo.js';
import { successionOf } from '../../../billing/mirror/version-guard.js';
import { mirrorAndAudit } from './handler-kit.js';
import type { FamilyHandler } from './handler-kit.js';
import { eventAt, evaluationInstant } from '../../../billing/mirror/event-time.js';
import { recomputeLinkedRoles } from '../../../accounts/roles/recompute-linked-roles.js';

/** A link this event made (first link, or a newer object naming another user in metadata.user_id): every user it
 *  names is recomputed, this event first in the cause chain and the link after it. */
const relinkRoles = (ctx: EventContext) => ({
  cause: { kind: 'stripe_event' as const, eventId: ctx.event.id, eventType: ctx.event.type },
  now: evaluationInstant(ctx.deps.clock, ctx.event),
  defaultGraceDays: ctx.deps.config.graceDays,
});

export const customerCreatedOrUpdated: FamilyHandler<'customer.created' | 'customer.updated'> = async (
  ctx,
) => {
  const c = ctx.event.data.object;
  const r = await upsertCustomer(ctx.tx, c, eventAt(ctx.event), ctx.event.id, {
    succession: successionOf(ctx.event),
  });
  if (r.linked) await recomputeLinkedRoles(ctx.tx, r.linked, relinkRoles(ctx));
  return mirrorAndAudit(ctx, 'customer', c.id, r);
};

export const customerDeleted: Handler<'customer.deleted'> = async (ctx) => {
  const c = ctx.event.data.object;
  const r = await upsertCustomer(ctx.tx, c, eventAt(ctx.event), ctx.event.id, {
    deleted: true,
    succession: successionOf(ctx.event),
  });
  if (r.linked) await recomputeLinkedRoles(ctx.tx, r.linked, relinkRoles(ctx));
  return mirrorAndAudit(ctx, 'customer', c.id, r);
};
