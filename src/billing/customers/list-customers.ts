/** Admin list of customers: search by email / Stripe id, filter by created range and delinquency, sort, page. */
import { and, count, eq, ilike, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { customers } from '../billing.tables.js';
import {
  createdRange,
  likePattern,
  listParams,
  orderBy,
  pageOf,
  type ListParams,
  type Page,
} from '../operations/list-params.js';

export const customerListParams = listParams(['created_at', 'email', 'name'] as const);

/** One row of the list (also its OpenAPI response schema). */
export const customerListItem = z.object({
  id: z.string(),
  stripeCustomerId: z.string(),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  country: z.string().nullable(),
  delinquent: z.boolean(),
  card: z
    .object({
      brand: z.string().nullable(),
      last4: z.string().nullable(),
      expMonth: z.number().int().nullable(),
      expYear: z.number().int().nullable(),
    })
    .nullable(),
  createdAt: z.iso.datetime(),
});
export type CustomerListItem = z.infer<typeof customerListItem>;
export const customerPage = pageOf(customerListItem);

export async function listCustomers(
  db: Executor,
  p: ListParams<'created_at' | 'email' | 'name'>,
): Promise<Page<CustomerListItem>> {
  const where = and(
    sql`${customers.deletedAt} IS NULL`,
    createdRange(customers.createdAt, p),
    p.status?.includes('delinquent') ? eq(customers.delinquent, true) : undefined,
    p.q
      ? or(
          ilike(customers.email, likePattern(p.q)),
          ilike(customers.name, likePattern(p.q)),
          eq(customers.stripeCustomerId, p.q),
        )
      : undefined,
  );
  const sortColumn = { created_at: customers.createdAt, email: customers.email, name: customers.name }[
    p.sort
  ];
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(customers)
      .where(where)
      .orderBy(...orderBy(sortColumn, customers.id, p))
      .limit(p.limit)
      .offset((p.page - 1) * p.limit),
    db.select({ n: count() }).from(customers).where(where),
  ]);
  return {
    items: rows.map((c) => ({
      id: c.id,
      stripeCustomerId: c.stripeCustomerId,
      userId: c.userId,
      email: c.email,
      name: c.name,
      country: c.country,
      delinquent: c.delinquent,
      card: c.defaultPmLast4
        ? {
            brand: c.defaultPmBrand,
            last4: c.defaultPmLast4,
            expMonth: c.defaultPmExpMonth,
            expYear: c.defaultPmExpYear,
          }
        : null,
      createdAt: c.createdAt.toISOString(),
    })),
    page: p.page,
    limit: p.limit,
    total: total?.n ?? 0,
  };
}
