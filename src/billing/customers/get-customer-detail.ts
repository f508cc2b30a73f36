/**
 * `GET /api/admin/customers/:id` (our uuid or Stripe's `cus_…`): a customer's billing history for the console's
 * customer page — the customer, its cards, subscriptions, invoices, payments, refunds and disputes, newest first
 * (the latest 100 of each; the list pages page through more). The user side (role and why, overrides, dunning,
 * time travel) is `GET /api/admin/users/:id` and its siblings, keyed by `userId` here.
 */
import { desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import {
  customers,
  disputes,
  invoices,
  paymentMethods,
  payments,
  plans,
  refunds,
  subscriptions,
} from '../billing.tables.js';
import { isUuid } from '../plans/plan-views.js';

const LIMIT = 100;
const iso = z.iso.datetime();

/** The response (also its OpenAPI schema). Amounts are integers in the currency's minor unit. */
export const customerDetail = z.object({
  id: z.string(),
  stripeCustomerId: z.string(),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  country: z.string().nullable(),
  delinquent: z.boolean(),
  createdAt: iso,
  deletedAt: iso.nullable(),
  paymentMethods: z.array(
    z.object({
      stripePaymentMethodId: z.string(),
      type: z.string(),
      brand: z.string().nullable(),
      last4: z.string().nullable(),
      expMonth: z.number().int().nullable(),
      expYear: z.number().int().nullable(),
      isDefault: z.boolean(),
      detachedAt: iso.nullable(),
    }),
  ),
  subscriptions: z.array(
    z.object({
      id: z.string(),
      stripeSubscriptionId: z.string(),
      status: z.string(),
      planKey: z.string().nullable(),
      planName: z.string().nullable(),
      currency: z.string(),
      mrr: z.number().int(),
      cancelAtPeriodEnd: z.boolean(),
      currentPeriodEnd: iso.nullable(),
      createdAt: iso,
    }),
  ),
  invoices: z.array(
    z.object({
      id: z.string(),
      stripeInvoiceId: z.string(),
      number: z.string().nullable(),
      status: z.string(),
      currency: z.string(),
      total: z.number().int(),
      amountPaid: z.number().int(),
      amountRemaining: z.number().int(),
      subscriptionId: z.string().nullable(),
      hostedInvoiceUrl: z.string().nullable(),
      createdAt: iso,
    }),
  ),
  payments: z.array(
    z.object({
      id: z.string(),
      stripePaymentIntentId: z.string().nullable(),
      status: z.string(),
      currency: z.string(),
      amount: z.number().int(),
      amountRefunded: z.number().int(),
      failureCode: z.string().nullable(),
      declineCode: z.string().nullable(),
      card: z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).nullable(),
      createdAt: iso,
    }),
  ),
  refunds: z.array(
    z.object({
      id: z.string(),
      stripeRefundId: z.string(),
      paymentId: z.string().nullable(),
      amount: z.number().int(),
      currency: z.string(),
      status: z.string().nullable(),
      reason: z.string().nullable(),
      createdAt: iso,
    }),
  ),
  disputes: z.array(
    z.object({
      id: z.string(),
      stripeDisputeId: z.string(),
      paymentId: z.string().nullable(),
      amount: z.number().int(),
      currency: z.string(),
      status: z.string(),
      reason: z.string().nullable(),
      createdAt: iso,
      closedAt: iso.nullable(),
    }),
  ),
});
export type CustomerDetail = z.infer<typeof customerDetail>;

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

export async function getCustomerDetail(db: Executor, ref: string): Promise<CustomerDetail> {
  const where = isUuid(ref)
    ? eq(customers.id, ref)
    : /^cus_[A-Za-z0-9]+$/.test(ref)
      ? eq(customers.stripeCustomerId, ref)
      : undefined;
  if (!where) throw notFound('Customer', 'customer_not_found');
  const [c] = await db.select().from(customers).where(where);
  if (!c) throw notFound('Customer', 'customer_not_found');

  const [cards, subs, invs, pays] = await Promise.all([
    db
      .select()
      .from(paymentMethods)
      .where(eq(paymentMethods.stripeCustomerId, c.stripeCustomerId))
      .orderBy(desc(paymentMethods.createdAt))
      .limit(LIMIT),
    db
      .select({ s: subscriptions, planKey: plans.key, planName: plans.name })
      .from(subscriptions)
      .leftJoin(plans, eq(plans.id, subscriptions.planId))
      .where(eq(subscriptions.customerId, c.id))
      .orderBy(desc(subscriptions.createdAt))
      .limit(LIMIT),
    db
      .select()
      .from(invoices)
      .where(eq(invoices.customerId, c.id))
      .orderBy(desc(invoices.createdAt), desc(invoices.id))
      .limit(LIMIT),
    db
      .select()
      .from(payments)
      .where(eq(payments.customerId, c.id))
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(LIMIT),
  ]);
  const paymentIds = pays.map((p) => p.id);
  const [refundRows, disputeRows] = paymentIds.length
    ? await Promise.all([
        db
          .select()
          .from(refunds)
          .where(inArray(refunds.paymentId, paymentIds))
          .orderBy(desc(refunds.createdAt)),
        db
          .select()
          .from(disputes)
          .where(inArray(disputes.paymentId, paymentIds))
          .orderBy(desc(disputes.createdAt)),
      ])
    : [[], []];

  return {
    id: c.id,
    stripeCustomerId: c.stripeCustomerId,
    userId: c.userId,
    email: c.email,
    name: c.name,
    country: c.country,
    delinquent: c.delinquent,
    createdAt: c.createdAt.toISOString(),
    deletedAt: isoOrNull(c.deletedAt),
    paymentMethods: cards.map((m) => ({
      stripePaymentMethodId: m.stripePaymentMethodId,
      type: m.type,
      brand: m.brand,
      last4: m.last4,
      expMonth: m.expMonth,
      expYear: m.expYear,
      isDefault: m.stripePaymentMethodId === c.defaultPaymentMethodId,
      detachedAt: isoOrNull(m.detachedAt),
    })),
    subscriptions: subs.map(({ s, planKey, planName }) => ({
      id: s.id,
      stripeSubscriptionId: s.stripeSubscriptionId,
      status: s.status,
      planKey,
      planName,
      currency: s.currency,
      mrr: s.mrrMinor,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      currentPeriodEnd: isoOrNull(s.currentPeriodEnd),
      createdAt: s.createdAt.toISOString(),
    })),
    invoices: invs.map((i) => ({
      id: i.id,
      stripeInvoiceId: i.stripeInvoiceId,
      number: i.number,
      status: i.status,
      currency: i.currency,
      total: i.totalMinor,
      amountPaid: i.amountPaidMinor,
      amountRemaining: i.amountRemainingMinor,
      subscriptionId: i.subscriptionId,
      hostedInvoiceUrl: i.hostedInvoiceUrl,
      createdAt: i.createdAt.toISOString(),
    })),
    payments: pays.map((p) => ({
      id: p.id,
      stripePaymentIntentId: p.stripePaymentIntentId,
      status: p.status,
      currency: p.currency,
      amount: p.amountMinor,
      amountRefunded: p.amountRefundedMinor,
      failureCode: p.failureCode,
      declineCode: p.declineCode,
      card: p.cardLast4 ? { brand: p.cardBrand, last4: p.cardLast4 } : null,
      createdAt: p.createdAt.toISOString(),
    })),
    refunds: refundRows.map((r) => ({
      id: r.id,
      stripeRefundId: r.stripeRefundId,
      paymentId: r.paymentId,
      amount: r.amountMinor,
      currency: r.currency,
      status: r.status,
      reason: r.reason,
      createdAt: r.createdAt.toISOString(),
    })),
    disputes: disputeRows.map((d) => ({
      id: d.id,
      stripeDisputeId: d.stripeDisputeId,
      paymentId: d.paymentId,
      amount: d.amountMinor,
      currency: d.currency,
      status: d.status,
      reason: d.reason,
      createdAt: d.createdAt.toISOString(),
      closedAt: isoOrNull(d.closedAt),
    })),
  };
}
