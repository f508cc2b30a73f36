/**
 * The customer (our uuid or Stripe's `cus_…`) and one of its attached cards, read from the mirror, for the admin's
 * card actions. A card that is not this customer's, or is already detached, is 404 `payment_method_not_found`.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { customers, paymentMethods, subscriptions } from '../billing.tables.js';
import { isUuid } from '../plans/plan-views.js';

/** Subscriptions that will try to charge the default card at their next invoice. */
export const CHARGING_STATUSES = ['active', 'trialing', 'past_due', 'unpaid'] as const;

export async function findCustomerCard(db: Executor, customerRef: string, paymentMethodId: string) {
  const where = isUuid(customerRef)
    ? eq(customers.id, customerRef)
    : /^cus_[A-Za-z0-9]+$/.test(customerRef)
      ? eq(customers.stripeCustomerId, customerRef)
      : undefined;
  if (!where) throw notFound('Customer', 'customer_not_found');
  const [customer] = await db.select().from(customers).where(where);
  if (!customer) throw notFound('Customer', 'customer_not_found');
  const [card] = await db
    .select()
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.stripePaymentMethodId, paymentMethodId),
        eq(paymentMethods.stripeCustomerId, customer.stripeCustomerId),
        isNull(paymentMethods.detachedAt),
      ),
    );
  if (!card) throw notFound('Payment method', 'payment_method_not_found');
  return { customer, card };
}

/** How many of the customer's subscriptions will charge its default card. */
export async function chargingSubscriptions(db: Executor, customerId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(subscriptions)
    .where(
      and(eq(subscriptions.customerId, customerId), inArray(subscriptions.status, [...CHARGING_STATUSES])),
    );
  return row?.n ?? 0;
}

/** What the audit rows and answers show of a card (never more than the console shows). */
export const cardOf = (c: {
  stripePaymentMethodId: string;
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
}) => ({
  stripePaymentMethodId: c.stripePaymentMethodId,
  brand: c.brand,
  last4: c.last4,
  expMonth: c.expMonth,
  expYear: c.expYear,
});
