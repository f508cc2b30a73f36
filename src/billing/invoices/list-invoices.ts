/**
 * Invoice lists: the admin list (filter by status, currency, created range, plan, customer; search by email, invoice
 * id or number; sort; page) and the signed-in user's own invoices (scoped by user id in SQL — never by an id the
 * client sends).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { anyOf, equals, listTable, offsetPage, within } from '../../db/list-query.js';
import {
  customerIs,
  customersMatching,
  listParams,
  type ListParams,
  type Page,
} from '../operations/list-params.js';

export const invoiceListParams = listParams(['created_at', 'total', 'amount_due'] as const);

/** An invoice as a list shows it (also its OpenAPI schema); amounts in minor units of `currency`. */
export const invoiceListItem = z.object({
  id: z.string(),
  stripeInvoiceId: z.string(),
  number: z.string().nullable(),
  status: z.string(),
  currency: z.string(),
  total: z.number().int(),
  amountDue: z.number().int(),
  amountPaid: z.number().int(),
  amountRemaining: z.number().int(),
  billingReason: z.string().nullable(),
  hostedInvoiceUrl: z.string().nullable(),
  periodStart: z.iso.datetime().nullable(),
  periodEnd: z.iso.datetime().nullable(),
  paidAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type InvoiceListItem = z.infer<typeof invoiceListItem>;

type Sort = 'created_at' | 'total' | 'amount_due';

const INVOICE_COLUMNS = sql`i.id, i.stripe_invoice_id, i.number, i.status, i.currency, i.total_minor, i.amount_due_minor,
  i.amount_paid_minor, i.amount_remaining_minor, i.billing_reason, i.hosted_invoice_url, i.period_start, i.period_end,
  i.paid_at, i.created_at`;
const SORT = {
  created_at: sql`i.created_at`,
  total: sql`i.total_minor`,
  amount_due: sql`i.amount_due_minor`,
};

const INVOICES = listTable<Sort>({
  select: sql`${INVOICE_COLUMNS}, c.id AS customer_id, c.stripe_customer_id, c.email AS customer_email`,
  // LEFT JOIN customers: the rows of an inner join (customer_id is NOT NULL and references customers), but one
  // PostgreSQL can drop from the capped count when no filter names c (as list-subscriptions.ts).
  from: sql`invoices i LEFT JOIN customers c ON c.id = i.customer_id
    LEFT JOIN subscriptions s ON s.id = i.subscription_id LEFT JOIN plans p ON p.id = s.plan_id`,
  sort: SORT,
  tieBreak: sql`i.id`,
  search: {
    equals: [sql`i.stripe_invoice_id`, sql`i.number`],
    through: { key: sql`i.customer_id`, ids: customersMatching, type: 'uuid' },
  },
});

/** A user's own invoices: scoped by the user id in the join, never by an id the client sends. */
const myInvoices = (userId: string) =>
  listTable<'created_at'>({
    select: INVOICE_COLUMNS,
    from: sql`invoices i JOIN customers c ON c.id = i.customer_id AND c.user_id = ${userId}`,
    // Drafts are not shown to customers.
    always: sql`i.status IN ('open', 'paid', 'uncollectible', 'void')`,
    sort: { created_at: sql`i.created_at` },
    tieBreak: sql`i.id`,
  });

export type InvoiceRow = {
  id: string;
  stripe_invoice_id: string;
  number: string | null;
  status: string;
  currency: string;
  total_minor: number;
  amount_due_minor: number;
  amount_paid_minor: number;
  amount_remaining_minor: number;
  billing_reason: string | null;
  hosted_invoice_url: string | null;
  period_start: Date | null;
  period_end: Date | null;
  paid_at: Date | null;
  created_at: Date;
};

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function invoiceItem(i: InvoiceRow): InvoiceListItem {
  return {
    id: i.id,
    stripeInvoiceId: i.stripe_invoice_id,
    number: i.number,
    status: i.status,
    currency: i.currency,
    total: i.total_minor,
    amountDue: i.amount_due_minor,
    amountPaid: i.amount_paid_minor,
    amountRemaining: i.amount_remaining_minor,
    billingReason: i.billing_reason,
    hostedInvoiceUrl: i.hosted_invoice_url,
    periodStart: iso(i.period_start),
    periodEnd: iso(i.period_end),
    paidAt: iso(i.paid_at),
    createdAt: new Date(i.created_at).toISOString(),
  };
}

export async function listInvoices(
  db: Executor,
  p: ListParams<Sort>,
): Promise<
  Page<InvoiceListItem & { customer: { id: string; stripeCustomerId: string; email: string | null } }>
> {
  const { rows, total, totalExact } = await offsetPage<
    InvoiceRow & { customer_id: string; stripe_customer_id: string; customer_email: string | null },
    Sort
  >(db, INVOICES, p, [
    anyOf(sql`i.status`, p.status),
    equals(sql`i.currency`, p.currency),
    anyOf(sql`p.key`, p.plan),
    ...within(sql`i.created_at`, p.createdFrom, p.createdTo),
    customerIs(p.customerId),
  ]);
  return {
    items: rows.map((r) => ({
      ...invoiceItem(r),
      customer: { id: r.customer_id, stripeCustomerId: r.stripe_customer_id, email: r.customer_email },
    })),
    page: p.page,
    limit: p.limit,
    total,
    totalExact,
  };
}

/** The user's own invoices, newest first (drafts are not shown to customers). */
export async function listMyInvoices(
  db: Executor,
  userId: string,
  opts: { page: number; limit: number },
): Promise<Page<InvoiceListItem>> {
  const { rows, total, totalExact } = await offsetPage<InvoiceRow, 'created_at'>(db, myInvoices(userId), {
    ...opts,
    sort: 'created_at',
    order: 'desc',
  });
  return { items: rows.map(invoiceItem), page: opts.page, limit: opts.limit, total, totalExact };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One of the user's own invoices by our id or Stripe's, or null (another user's is null too). */
export async function findMyInvoice(db: Executor, userId: string, id: string): Promise<InvoiceRow | null> {
  const byId = UUID.test(id) ? sql`i.id = ${id}` : sql`i.stripe_invoice_id = ${id}`;
  const res = await db.execute<InvoiceRow>(
    sql`SELECT ${INVOICE_COLUMNS} FROM invoices i JOIN customers c ON c.id = i.customer_id
        WHERE ${byId} AND c.user_id = ${userId}`,
  );
  return res.rows[0] ?? null;
}
