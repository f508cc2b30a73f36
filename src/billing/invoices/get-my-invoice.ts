/** One of the signed-in user's own invoices (GET /api/me/invoices/:id); another user's, or none, is a 404. */
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { pageOf } from '../operations/list-params.js';
import { findMyInvoice, invoiceItem, invoiceListItem, type InvoiceListItem } from './list-invoices.js';

/** An invoice as its owner sees it: the list's view of it (amounts in minor units of `currency`). */
export const myInvoice = invoiceListItem;
export const myInvoicePage = pageOf(invoiceListItem);

export async function getMyInvoice(db: Executor, userId: string, id: string): Promise<InvoiceListItem> {
  const row = await findMyInvoice(db, userId, id);
  if (!row) throw notFound('Invoice', 'invoice_not_found');
  return invoiceItem(row);
}
