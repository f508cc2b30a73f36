/**
 * Invoice lists: the admin list (filter by status, currency, created range, plan, customer; search by email, invoice
 * id or number; sort; page) and the signed-in user's own invoices (scoped by user id in SQL — never by an id the
 * client sends).
 */
import { and, count, desc, eq, ilike, inArray, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { customers, invoices, plans, subscriptions } from '../billing.tables.js';
import {
  createdRange,
  likePattern,
  listParams,
  orderBy,
  type ListParams,
  type Page,
} from '../operations/list-params.js';

export const invoiceListParams = listParams(['created_at', 'total', 'amount_due'] as const);

export interface InvoiceListItem {
  id: string;
  stripeInvoiceId: string;
  number: string | null;
  status: string;
  currency: string;
  total: number;
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  billingReason: string | null;
  hostedInvoiceUrl: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  paidAt: string | null;
  createdAt: string;
}

type InvoiceRow = typeof invoices.$inferSelect;

export function invoiceItem(i: InvoiceRow): InvoiceListItem {
  return {
    id: i.id,
    stripeInvoiceId: i.stripeInvoiceId,
    number: i.number,
    status: i.status,
    currency: i.currency,
    total: i.totalMinor,
    amountDue: i.amountDueMinor,
    amountPaid: i.amountPaidMinor,
    amountRemaining: i.amountRemainingMinor,
    billingReason: i.billingReason,
    hostedInvoiceUrl: i.hostedInvoiceUrl,
    periodStart: i.periodStart?.toISOString() ?? null,
    periodEnd: i.periodEnd?.toISOString() ?? null,
    paidAt: i.paidAt?.toISOString() ?? null,
    createdAt: i.createdAt.toISOString(),
  };
}

export async function listInvoices(
  db: Executor,
  p: ListParams<'created_at' | 'total' | 'amount_due'>,
): Promise<
  Page<InvoiceListItem & { customer: { id: string; stripeCustomerId: string; email: string | null } }>
> {
  const where = and(
    p.status ? inArray(invoices.status, p.status as never[]) : undefined,
    p.currency ? eq(invoices.currency, p.currency) : undefined,
    p.plan ? inArray(plans.key, p.plan) : undefined,
    createdRange(invoices.createdAt, p),
    p.customerId
      ? or(eq(customers.stripeCustomerId, p.customerId), eq(customers.userId, p.customerId))
      : undefined,
    p.q
      ? or(
          ilike(customers.email, likePattern(p.q)),
          eq(invoices.stripeInvoiceId, p.q),
          eq(invoices.number, p.q),
          eq(customers.stripeCustomerId, p.q),
        )
      : undefined,
  );
  const sortColumn = {
    created_at: invoices.createdAt,
    total: invoices.totalMinor,
    amount_due: invoices.amountDueMinor,
  }[p.sort];
  const [rows, [total]] = await Promise.all([
    db
      .select({ i: invoices, c: customers })
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .leftJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
      .leftJoin(plans, eq(plans.id, subscriptions.planId))
      .where(where)
      .orderBy(...orderBy(sortColumn, invoices.id, p))
      .limit(p.limit)
      .offset((p.page - 1) * p.limit),
    db
      .select({ n: count() })
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .leftJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
      .leftJoin(plans, eq(plans.id, subscriptions.planId))
      .where(where),
  ]);
  return {
    items: rows.map(({ i, c }) => ({
      ...invoiceItem(i),
      customer: { id: c.id, stripeCustomerId: c.stripeCustomerId, email: c.email },
    })),
    page: p.page,
    limit: p.limit,
    total: total?.n ?? 0,
  };
}

/** The user's own invoices, newest first (drafts are not shown to customers). */
export async function listMyInvoices(
  db: Executor,
  userId: string,
  opts: { page: number; limit: number },
): Promise<Page<InvoiceListItem>> {
  const where = and(
    eq(customers.userId, userId),
    inArray(invoices.status, ['open', 'paid', 'uncollectible', 'void']),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select({ i: invoices })
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .where(where)
      .orderBy(desc(invoices.createdAt), desc(invoices.id))
      .limit(opts.limit)
      .offset((opts.page - 1) * opts.limit),
    db
      .select({ n: count() })
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .where(where),
  ]);
  return {
    items: rows.map(({ i }) => invoiceItem(i)),
    page: opts.page,
    limit: opts.limit,
    total: total?.n ?? 0,
  };
}
