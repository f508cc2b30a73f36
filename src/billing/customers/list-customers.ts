/** Admin list of customers: search by email, name or Stripe id, filter by created range and delinquency, sort, page. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { listTable, offsetPage, within } from '../../db/list-query.js';
import { listParams, pageOf, type ListParams, type Page } from '../operations/list-params.js';

export const customerListParams = listParams(['created_at', 'email', 'name'] as const);
type Sort = 'created_at' | 'email' | 'name';

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

const CUSTOMERS = listTable<Sort>({
  select: sql`c.id, c.stripe_customer_id, c.user_id, c.email, c.name, c.country, c.delinquent,
    c.default_pm_brand, c.default_pm_last4, c.default_pm_exp_month, c.default_pm_exp_year, c.created_at`,
  from: sql`customers c`,
  always: sql`c.deleted_at IS NULL`,
  sort: { created_at: sql`c.created_at`, email: sql`c.email`, name: sql`c.name` },
  tieBreak: sql`c.id`,
  nullable: ['email', 'name'],
  search: { contains: [sql`c.email`, sql`c.name`], equals: [sql`c.stripe_customer_id`] },
});

interface Row {
  id: string;
  stripe_customer_id: string;
  user_id: string | null;
  email: string | null;
  name: string | null;
  country: string | null;
  delinquent: boolean;
  default_pm_brand: string | null;
  default_pm_last4: string | null;
  default_pm_exp_month: number | null;
  default_pm_exp_year: number | null;
  created_at: Date | string;
}

export async function listCustomers(db: Executor, p: ListParams<Sort>): Promise<Page<CustomerListItem>> {
  const { rows, total, totalExact } = await offsetPage<Row, Sort>(db, CUSTOMERS, p, [
    ...within(sql`c.created_at`, p.createdFrom, p.createdTo),
    p.status?.includes('delinquent') && sql`c.delinquent`,
  ]);
  return {
    items: rows.map((c) => ({
      id: c.id,
      stripeCustomerId: c.stripe_customer_id,
      userId: c.user_id,
      email: c.email,
      name: c.name,
      country: c.country,
      delinquent: c.delinquent,
      card: c.default_pm_last4
        ? {
            brand: c.default_pm_brand,
            last4: c.default_pm_last4,
            expMonth: c.default_pm_exp_month,
            expYear: c.default_pm_exp_year,
          }
        : null,
      createdAt: new Date(c.created_at).toISOString(),
    })),
    page: p.page,
    limit: p.limit,
    total,
    totalExact,
  };
}
