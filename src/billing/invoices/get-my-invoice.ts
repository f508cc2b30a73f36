/** One of the signed-in user's own invoices (GET /api/me/invoices/:id); another user's, or none, is a 404. */
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { findMyInvoice, invoiceItem, type InvoiceListItem } from './list-invoices.js';

/** An invoice as its owner sees it (amounts in minor units of `currency`). */
export const myInvoice = z.object({
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
export const myInvoicePage = z.object({
  items: z.array(myInvoice),
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  totalExact: z.boolean(),
});

export async function getMyInvoice(db: Executor, userId: string, id: string): Promise<InvoiceListItem> {
  const row = await findMyInvoice(db, userId, id);
  if (!row) throw notFound('Invoice', 'invoice_not_found');
  return invoiceItem(row);
}
