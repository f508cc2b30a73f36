/** Invoices (list, retrieve, create, finalize, pay, void, mark_uncollectible, lines, create_preview), invoice items and invoice payments. */
import { cardError, invalidRequest, resourceMissing } from '../protocol/errors.js';
import { registerVirtual } from '../protocol/expand.js';
import { paginate, timeFilter } from '../protocol/list.js';
import {
  arr,
  bool,
  int,
  mergeMetadata,
  nullableStr,
  obj,
  oneOf,
  reqStr,
  str,
  type P,
} from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { invoiceItemShape } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { planChange, previewChange, type ProrationBehavior } from '../billing/change-subscription.js';
import {
  buildInvoice,
  collectInvoice,
  finalizeInvoice,
  markUncollectible,
  payOutOfBand,
  voidInvoice,
} from '../billing/invoices.js';
import { getPrice } from './catalog.js';
import { getCustomer } from './customers.js';
import { getPaymentMethod } from './payment-methods.js';
import { getSubscription } from './subscriptions.js';
import { lineFromInvoiceItem, recomputeTotals } from '../billing/invoices.js';
import { lineItemShape } from '../shapes.js';
import { activeDiscounts } from '../billing/discounts.js';

export function getInvoice(sb: Sandbox, id: string, param = 'invoice'): Obj {
  const inv = sb.store.get(id, 'invoice');
  if (!inv || sb.store.m(id).deleted) throw resourceMissing('invoice', id, param);
  return inv;
}

function invoicePayments(sb: Sandbox, invoiceId: string): Obj[] {
  return sb.store.list('invoice_payment').filter((x) => x.invoice === invoiceId);
}

registerVirtual('invoice', 'payments', (sb, inv) => ({
  object: 'list',
  data: invoicePayments(sb, inv.id as string),
  has_more: false,
  url: `/v1/invoices/${inv.id}/payments`,
}));

export const invoiceRoutes: Route[] = [
  route('GET', '/v1/invoices', ({ sb, p }) => {
    const customer = str(p, 'customer');
    const subscription = str(p, 'subscription');
    const status = str(p, 'status');
    const created = timeFilter(p, 'created');
    const items = sb.store
      .list('invoice')
      .filter((i) => !sb.store.m(i.id).deleted)
      .filter((i) => (customer ? i.customer === customer : true))
      .filter((i) => (subscription ? i.parent?.subscription_details?.subscription === subscription : true))
      .filter((i) => (status ? i.status === status : true))
      .filter((i) => created(i.created));
    return paginate(items, p, '/v1/invoices');
  }),
  route('POST', '/v1/invoices/create_preview', ({ sb, p }) => {
    const subId = str(p, 'subscription');
    if (!subId) {
      const customer = getCustomer(sb, reqStr(p, 'customer'), 'customer');
      const at = sb.nowFor(customer.id);
      return buildInvoice(sb, {
        customer,
        subscription: null,
        billingReason: 'manual',
        lines: [],
        includePending: true,
        periodStart: at,
        periodEnd: at,
        autoFinalizeAt: null,
        preview: true,
      });
    }
    const sub = getSubscription(sb, subId, 'subscription');
    const details = obj(p, 'subscription_details') ?? {};
    const behavior: ProrationBehavior =
      oneOf(details, 'proration_behavior', ['create_prorations', 'always_invoice', 'none'] as const) ??
      'create_prorations';
    const items = (arr(details, 'items') ?? []) as P[];
    const changes = items.map((it, i) => {
      const priceId = str(it, 'price');
      return {
        id: str(it, 'id'),
        price: priceId ? getPrice(sb, priceId, `subscription_details[items][${i}][price]`) : undefined,
        quantity: int(it, 'quantity'),
        deleted: bool(it, 'deleted'),
      };
    });
    const plan = planChange(sb, sub, changes, behavior, int(details, 'proration_date'));
    return previewChange(sb, sub, plan, behavior);
  }),
  route('POST', '/v1/invoices', ({ sb, p }) => {
    const customer = getCustomer(sb, reqStr(p, 'customer'), 'customer');
    const at = sb.nowFor(customer.id);
    const subId = str(p, 'subscription');
    const sub = subId ? getSubscription(sb, subId) : null;
    const behavior = oneOf(p, 'pending_invoice_items_behavior', ['exclude', 'include'] as const) ?? 'exclude';
    const collection =
      oneOf(p, 'collection_method', ['charge_automatically', 'send_invoice'] as const) ??
      'charge_automatically';
    const inv = buildInvoice(sb, {
      customer,
      subscription: sub,
      billingReason: 'manual',
      lines: [],
      includePending: behavior === 'include',
      periodStart: at,
      periodEnd: at,
      autoFinalizeAt: bool(p, 'auto_advance') ? at + 3600 : null,
      autoAdvance: bool(p, 'auto_advance') ?? false,
      description: str(p, 'description') || null,
      collectionMethod: collection,
      daysUntilDue: int(p, 'days_until_due') ?? null,
      currency: str(p, 'currency'),
      discountIds: [],
    });
    sb.update(inv, () => (inv.metadata = mergeMetadata({}, p)), { emit: false });
    return inv;
  }),
  route('GET', '/v1/invoices/:id', ({ sb, params }) => getInvoice(sb, params.id as string, 'invoice')),
  route('POST', '/v1/invoices/:id', ({ sb, params, p }) => {
    const inv = getInvoice(sb, params.id as string, 'invoice');
    sb.update(inv, () => {
      inv.metadata = mergeMetadata(inv.metadata, p);
      const d = nullableStr(p, 'description');
      if (d !== undefined) {
        if (inv.status !== 'draft')
          throw invalidRequest(
            'Only draft invoices can change their description.',
            'description',
            'invoice_not_editable',
          );
        inv.description = d;
      }
      const aa = bool(p, 'auto_advance');
      if (aa !== undefined) inv.auto_advance = aa;
      const dpm = nullableStr(p, 'default_payment_method');
      if (dpm !== undefined) inv.default_payment_method = dpm;
    });
    return inv;
  }),
  route('DELETE', '/v1/invoices/:id', ({ sb, params }) => {
    const inv = getInvoice(sb, params.id as string, 'invoice');
    if (inv.status !== 'draft')
      throw invalidRequest('You can only delete draft invoices.', undefined, 'invoice_not_editable');
    sb.store.m(inv.id).deleted = true;
    for (const ii of sb.store.all('invoiceitem')) if (ii.invoice === inv.id) ii.invoice = null;
    sb.emit('invoice.deleted', inv);
    return { id: inv.id, object: 'invoice', deleted: true };
  }),
  route('POST', '/v1/invoices/:id/finalize', ({ sb, params, p }) => {
    const inv = getInvoice(sb, params.id as string, 'invoice');
    finalizeInvoice(sb, inv);
    const autoAdvance = bool(p, 'auto_advance') ?? inv.auto_advance;
    if (autoAdvance && inv.status === 'open' && inv.collection_method === 'charge_automatically')
      collectInvoice(sb, inv, { offSession: true });
    return inv;
  }),
  route('POST', '/v1/invoices/:id/pay', ({ sb, params, p }) => {
    const inv = getInvoice(sb, params.id as string, 'invoice');
    if (inv.status === 'draft') finalizeInvoice(sb, inv);
    if (inv.status === 'paid')
      throw invalidRequest('Invoice is already paid', undefined, 'invoice_already_paid');
    if (bool(p, 'paid_out_of_band')) return payOutOfBand(sb, inv);
    if (inv.status !== 'open')
      throw invalidRequest(
        `This invoice can't be paid (it is ${inv.status}).`,
        undefined,
        'invoice_not_open',
      );
    const pmId = str(p, 'payment_method');
    const pm = pmId ? getPaymentMethod(sb, pmId, 'payment_method') : undefined;
    const outcome = collectInvoice(sb, inv, {
      paymentMethod: pm,
      offSession: bool(p, 'off_session') ?? true,
      retrySchedule: true,
    });
    if (outcome === 'failed' || outcome === 'requires_action') {
      const pi = sb.store.get(sb.store.m(inv.id).paymentIntent as string) as Obj;
      const err = pi.last_payment_error as Obj | null;
      if (outcome === 'requires_action') {
        throw cardError(
          'This payment requires additional user action before it can be completed successfully.',
          'invoice_payment_intent_requires_action',
          undefined,
          { payment_intent: sb.render(pi) },
        );
      }
      throw cardError(err?.message ?? 'Your card was declined.', 'card_declined', err?.decline_code, {
        charge: err?.charge,
        payment_intent: sb.render(pi),
      });
    }
    if (outcome === 'no_payment_method') {
      throw invalidRequest(
        'This customer has no attached payment source or default payment method.',
        undefined,
        'invoice_no_customer_line_items',
      );
    }
    return inv;
  }),
  route('POST', '/v1/invoices/:id/void', ({ sb, params }) =>
    voidInvoice(sb, getInvoice(sb, params.id as string, 'invoice')),
  ),
  route('POST', '/v1/invoices/:id/mark_uncollectible', ({ sb, params }) =>
    markUncollectible(sb, getInvoice(sb, params.id as string, 'invoice')),
  ),
  route('POST', '/v1/invoices/:id/send', ({ sb, params }) => {
    const inv = getInvoice(sb, params.id as string, 'invoice');
    sb.emit('invoice.sent', inv);
    return inv;
  }),
  route('GET', '/v1/invoices/:id/lines', ({ sb, params, p }) => {
    const inv = getInvoice(sb, params.id as string, 'invoice');
    return paginate(inv.lines.data as Obj[], p, `/v1/invoices/${inv.id}/lines`);
  }),
  route('GET', '/v1/invoice_payments', ({ sb, p }) => {
    const invoice = str(p, 'invoice');
    const items = sb.store.list('invoice_payment').filter((x) => (invoice ? x.invoice === invoice : true));
    return paginate(items, p, '/v1/invoice_payments');
  }),
  route('GET', '/v1/invoice_payments/:id', ({ sb, params }) => {
    const x = sb.store.get(params.id as string, 'invoice_payment');
    if (!x) throw resourceMissing('invoice_payment', params.id as string, 'id');
    return x;
  }),
  route('POST', '/v1/invoiceitems', ({ sb, p }) => {
    const customer = getCustomer(sb, reqStr(p, 'customer'), 'customer');
    const priceId = str(p, 'price');
    const price = priceId ? getPrice(sb, priceId, 'price') : undefined;
    const quantity = int(p, 'quantity') ?? 1;
    const amount = price ? price.unit_amount * quantity : int(p, 'amount');
    if (amount === undefined)
      throw invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing');
    const currency = price?.currency ?? str(p, 'currency');
    if (!currency) throw invalidRequest('Missing required param: currency.', 'currency', 'parameter_missing');
    const invoiceId = str(p, 'invoice');
    const ii = invoiceItemShape(newId('ii'), sb.nowFor(customer.id), {
      amount,
      currency,
      customer: customer.id,
      description: str(p, 'description') || null,
      subscription: str(p, 'subscription') || null,
      price,
      quantity,
      metadata: mergeMetadata({}, p),
      test_clock: customer.test_clock,
    });
    sb.store.insert(ii);
    sb.emit('invoiceitem.created', ii);
    if (invoiceId) {
      const inv = getInvoice(sb, invoiceId, 'invoice');
      if (inv.status !== 'draft')
        throw invalidRequest('You can only add items to draft invoices.', 'invoice', 'invoice_not_editable');
      addItemToDraft(sb, inv, ii);
    }
    return ii;
  }),
  route('GET', '/v1/invoiceitems', ({ sb, p }) => {
    const customer = str(p, 'customer');
    const pending = bool(p, 'pending');
    const items = sb.store
      .list('invoiceitem')
      .filter((ii) => !sb.store.m(ii.id).deleted)
      .filter((ii) => (customer ? ii.customer === customer : true))
      .filter((ii) => (pending === undefined ? true : (ii.invoice === null) === pending));
    return paginate(items, p, '/v1/invoiceitems');
  }),
  route('GET', '/v1/invoiceitems/:id', ({ sb, params }) => {
    const ii = sb.store.get(params.id as string, 'invoiceitem');
    if (!ii || sb.store.m(ii.id).deleted) throw resourceMissing('invoiceitem', params.id as string, 'id');
    return ii;
  }),
  route('DELETE', '/v1/invoiceitems/:id', ({ sb, params }) => {
    const ii = sb.store.get(params.id as string, 'invoiceitem');
    if (!ii || sb.store.m(ii.id).deleted) throw resourceMissing('invoiceitem', params.id as string, 'id');
    if (ii.invoice)
      throw invalidRequest('This invoice item is already on an invoice.', undefined, 'invoice_not_editable');
    sb.store.m(ii.id).deleted = true;
    sb.emit('invoiceitem.deleted', ii);
    return { id: ii.id, object: 'invoiceitem', deleted: true };
  }),
];

function addItemToDraft(sb: Sandbox, inv: Obj, ii: Obj): void {
  sb.update(inv, () => {
    (inv.lines.data as Obj[]).push(lineItemShape(newId('il'), inv.id, lineFromInvoiceItem(sb, ii)));
    recomputeTotals(inv, activeDiscounts(sb, inv.discounts as string[], inv.period_start));
  });
  sb.update(ii, () => (ii.invoice = inv.id), { emit: false });
}
