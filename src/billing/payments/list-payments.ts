/** Admin list of payments: filter by status, currency, created range, customer; search by email or Stripe id. */
import { and, count, eq, ilike, inArray, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { customers, payments } from '../billing.tables.js';
import {
  createdRange,
  likePattern,
  listParams,
  orderBy,
  pageOf,
  type ListParams,
  type Page,
} from '../operations/list-params.js';

export const paymentListParams = listParams(['created_at', 'amount'] as const);

/** One row of the list (also its OpenAPI response schema). Amounts are in the currency's minor unit. */
export const paymentListItem = z.object({
  id: z.string(),
  stripePaymentIntentId: z.string().nullable(),
  stripeChargeId: z.string().nullable(),
  status: z.string(),
  currency: z.string(),
  amount: z.number().int(),
  amountRefunded: z.number().int(),
  failureCode: z.string().nullable(),
  declineCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  card: z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).nullable(),
  customer: z
    .object({ id: z.string(), stripeCustomerId: z.string(), email: z.string().nullable() })
    .nullable(),
  createdAt: z.iso.datetime(),
});
export type PaymentListItem = z.infer<typeof paymentListItem>;
export const paymentPage = pageOf(paymentListItem);

export async function listPayments(
  db: Executor,
  p: ListParams<'created_at' | 'amount'>,
): Promise<Page<PaymentListItem>> {
  const where = and(
    p.status ? inArray(payments.status, p.status) : undefined,
    p.currency ? eq(payments.currency, p.currency) : undefined,
    createdRange(payments.createdAt, p),
    p.customerId
      ? or(eq(customers.stripeCustomerId, p.customerId), eq(customers.userId, p.customerId))
      : undefined,
    p.q
      ? or(
          ilike(customers.email, likePattern(p.q)),
          eq(payments.stripePaymentIntentId, p.q),
          eq(payments.stripeChargeId, p.q),
          eq(payments.stripeCustomerId, p.q),
        )
      : undefined,
  );
  const sortColumn = { created_at: payments.createdAt, amount: payments.amountMinor }[p.sort];
  const [rows, [total]] = await Promise.all([
    db
      .select({ pay: payments, c: customers })
      .from(payments)
      .leftJoin(customers, eq(customers.id, payments.customerId))
      .where(where)
      .orderBy(...orderBy(sortColumn, payments.id, p))
      .limit(p.limit)
      .offset((p.page - 1) * p.limit),
    db
      .select({ n: count() })
      .from(payments)
      .leftJoin(customers, eq(customers.id, payments.customerId))
      .where(where),
  ]);
  return {
    items: rows.map(({ pay, c }) => ({
      id: pay.id,
      stripePaymentIntentId: pay.stripePaymentIntentId,
      stripeChargeId: pay.stripeChargeId,
      status: pay.status,
      currency: pay.currency,
      amount: pay.amountMinor,
      amountRefunded: pay.amountRefundedMinor,
      failureCode: pay.failureCode,
      declineCode: pay.declineCode,
      failureMessage: pay.failureMessage,
      card: pay.cardLast4 ? { brand: pay.cardBrand, last4: pay.cardLast4 } : null,
      customer: c ? { id: c.id, stripeCustomerId: c.stripeCustomerId, email: c.email } : null,
      createdAt: pay.createdAt.toISOString(),
    })),
    page: p.page,
    limit: p.limit,
    total: total?.n ?? 0,
  };
}
