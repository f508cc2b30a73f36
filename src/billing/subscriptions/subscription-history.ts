/**
 * `GET /api/admin/subscriptions/:id/history` (our uuid or Stripe's `sub_…`): what the console's subscription page
 * shows beside the row itself — its items, the discount, its invoices, its MRR movements, and one timeline merging
 * the Stripe events about it (or its invoices) with the audit rows of what admins did to it, oldest first.
 * Stripe events are found through the customer's ordering key (indexed), so the query stays bounded per customer.
 */
import { and, asc, desc, eq, inArray, or } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog } from '../../audit/audit.tables.js';
import type { Executor } from '../../db/client.js';
import { stripeEvents } from '../../inbox/inbox.tables.js';
import { invoices, mrrMovements, planPrices, plans, subscriptionItems } from '../billing.tables.js';
import { findSubscription } from './subscription-ref.js';

const LIMIT = 200;
const iso = z.iso.datetime();

/** The response (also its OpenAPI schema). Amounts are integers in the currency's minor unit. */
export const subscriptionHistory = z.object({
  subscriptionId: z.string(),
  items: z.array(
    z.object({
      stripeSubscriptionItemId: z.string(),
      stripePriceId: z.string(),
      planKey: z.string().nullable(),
      planName: z.string().nullable(),
      unitAmount: z.number().int().nullable(),
      currency: z.string().nullable(),
      interval: z.string().nullable(),
      intervalCount: z.number().int().nullable(),
      quantity: z.number().int(),
      currentPeriodStart: iso.nullable(),
      currentPeriodEnd: iso.nullable(),
    }),
  ),
  /** Stripe's discount object as mirrored (coupon / promotion code), or null. */
  discount: z.unknown(),
  invoices: z.array(
    z.object({
      id: z.string(),
      stripeInvoiceId: z.string(),
      number: z.string().nullable(),
      status: z.string(),
      billingReason: z.string().nullable(),
      currency: z.string(),
      total: z.number().int(),
      amountPaid: z.number().int(),
      amountRemaining: z.number().int(),
      periodStart: iso.nullable(),
      periodEnd: iso.nullable(),
      createdAt: iso,
    }),
  ),
  mrrMovements: z.array(
    z.object({
      at: iso,
      kind: z.string(),
      currency: z.string(),
      before: z.number().int(),
      after: z.number().int(),
      delta: z.number().int(),
      causeEventId: z.string(),
    }),
  ),
  timeline: z.array(
    z.discriminatedUnion('source', [
      z.object({
        source: z.literal('stripe'),
        at: iso,
        eventId: z.string(),
        type: z.string(),
        status: z.string(),
        objectId: z.string().nullable(),
      }),
      z.object({
        source: z.literal('audit'),
        at: iso,
        auditId: z.number().int(),
        action: z.string(),
        actor: z.object({ type: z.string(), id: z.string().nullable() }),
        reason: z.string().nullable(),
      }),
    ]),
  ),
});
export type SubscriptionHistory = z.infer<typeof subscriptionHistory>;

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

export async function subscriptionHistoryOf(db: Executor, ref: string): Promise<SubscriptionHistory> {
  const { subscription: s, customer: c } = await findSubscription(db, ref);
  const [items, invs, movements, audits] = await Promise.all([
    db
      .select({ i: subscriptionItems, p: planPrices, planKey: plans.key, planName: plans.name })
      .from(subscriptionItems)
      .leftJoin(planPrices, eq(planPrices.stripePriceId, subscriptionItems.stripePriceId))
      .leftJoin(plans, eq(plans.id, planPrices.planId))
      .where(eq(subscriptionItems.subscriptionId, s.id))
      .orderBy(asc(subscriptionItems.stripeSubscriptionItemId)),
    db
      .select()
      .from(invoices)
      .where(eq(invoices.subscriptionId, s.id))
      .orderBy(desc(invoices.createdAt), desc(invoices.id))
      .limit(LIMIT),
    db
      .select()
      .from(mrrMovements)
      .where(eq(mrrMovements.subscriptionId, s.id))
      .orderBy(asc(mrrMovements.at), asc(mrrMovements.id))
      .limit(LIMIT),
    db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.subjectType, 'subscription'),
          or(eq(auditLog.subjectId, s.id), eq(auditLog.subjectId, s.stripeSubscriptionId)),
        ),
      )
      .orderBy(asc(auditLog.id))
      .limit(LIMIT),
  ]);
  const objectIds = [s.stripeSubscriptionId, ...invs.map((i) => i.stripeInvoiceId)];
  const events = await db
    .select({
      id: stripeEvents.id,
      type: stripeEvents.type,
      status: stripeEvents.status,
      objectId: stripeEvents.objectId,
      createdAt: stripeEvents.createdAt,
    })
    .from(stripeEvents)
    .where(and(eq(stripeEvents.orderingKey, c.stripeCustomerId), inArray(stripeEvents.objectId, objectIds)))
    .orderBy(asc(stripeEvents.createdAt), asc(stripeEvents.id))
    .limit(LIMIT);

  const timeline: SubscriptionHistory['timeline'] = [
    ...events.map((e) => ({
      source: 'stripe' as const,
      at: e.createdAt.toISOString(),
      eventId: e.id,
      type: e.type,
      status: e.status,
      objectId: e.objectId,
    })),
    ...audits.map((a) => ({
      source: 'audit' as const,
      at: a.at.toISOString(),
      auditId: a.id,
      action: a.action,
      actor: { type: a.actorType, id: a.actorId },
      reason: a.reason,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  return {
    subscriptionId: s.id,
    items: items.map(({ i, p, planKey, planName }) => ({
      stripeSubscriptionItemId: i.stripeSubscriptionItemId,
      stripePriceId: i.stripePriceId,
      planKey,
      planName,
      unitAmount: p?.unitAmountMinor ?? null,
      currency: p?.currency ?? null,
      interval: p?.interval ?? null,
      intervalCount: p?.intervalCount ?? null,
      quantity: i.quantity,
      currentPeriodStart: isoOrNull(i.currentPeriodStart),
      currentPeriodEnd: isoOrNull(i.currentPeriodEnd),
    })),
    discount: s.discount ?? null,
    invoices: invs.map((i) => ({
      id: i.id,
      stripeInvoiceId: i.stripeInvoiceId,
      number: i.number,
      status: i.status,
      billingReason: i.billingReason,
      currency: i.currency,
      total: i.totalMinor,
      amountPaid: i.amountPaidMinor,
      amountRemaining: i.amountRemainingMinor,
      periodStart: isoOrNull(i.periodStart),
      periodEnd: isoOrNull(i.periodEnd),
      createdAt: i.createdAt.toISOString(),
    })),
    mrrMovements: movements.map((m) => ({
      at: m.at.toISOString(),
      kind: m.kind,
      currency: m.currency,
      before: m.mrrBeforeMinor,
      after: m.mrrAfterMinor,
      delta: m.deltaMinor,
      causeEventId: m.causeEventId,
    })),
    timeline,
  };
}
