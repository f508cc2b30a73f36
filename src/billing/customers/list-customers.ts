/** Admin list of customers: search by email / Stripe id, filter by created range and delinquency, sort, page. */
import { and, count, eq, ilike, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { customers } from '../billing.tables.js';
import {
  createdRange,
  likePattern,
  listParams,
  orderBy,
  type ListParams,
  type Page,
} from '../operations/list-params.js';

export const customerListParams = listParams(['created_at', 'email', 'name'] as const);

export interface CustomerListItem {
  id: string;
  stripeCustomerId: string;
  userId: string | null;
  email: string | null;
  name: string | null;
  country: string | null;
  delinquent: boolean;
  card: {
    brand: string | null;
    last4: string | null;
    expMonth: number | null;
    expYear: number | null;
  } | null;
  createdAt: string;
}

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
