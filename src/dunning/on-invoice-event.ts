/**
 * The invoice handler's one call into dunning (issue 5), made in the event's transaction after the invoice mirror
 * was written: `invoice.payment_failed` opens/updates the case, `invoice.paid` recovers it and queues the receipt.
 * Other invoice events do nothing here.
 */
import type Stripe from 'stripe';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { onInvoicePaid } from './on-invoice-paid.js';
import { onInvoicePaymentFailed, type DunningStepResult } from './on-invoice-payment-failed.js';

export async function onInvoiceEvent(
  tx: Tx,
  deps: Pick<Deps, 'config' | 'clock'>,
  event: Stripe.Event,
): Promise<DunningStepResult | null> {
  switch (event.type) {
    case 'invoice.payment_failed':
      return onInvoicePaymentFailed(tx, deps, event);
    case 'invoice.paid':
      return onInvoicePaid(tx, deps, event);
    default:
      return null;
  }
}
