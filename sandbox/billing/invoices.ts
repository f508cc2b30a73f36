/**
 * Invoice lifecycle: build (subscription lines + pending invoice items + discounts), draft → open
 * (finalize, applying the customer's credit balance) → paid / uncollectible / void, and payment attempts
 * with their retry schedule.
 */
import { invalidRequest } from '../protocol/errors.js';
import { invoicePaymentShape, invoiceShape, lineItemShape, type LineInput } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { getPaymentMethod } from '../resources/payment-methods.js';
import { attemptPayment, createPaymentIntent, type AttemptOutcome } from './charge.js';
import { activeDiscounts, applyDiscounts } from './discounts.js';
import { formatMoney } from './proration.js';
import { onInvoiceFailed, onInvoicePaid } from './subscription-ops.js';

export function itemDescription(sb: Sandbox, price: Obj, quantity: number): string {
  const product = sb.store.get(price.product, 'product');
  const per = price.recurring
    ? ` / ${price.recurring.interval_count > 1 ? `${price.recurring.interval_count} ` : ''}${price.recurring.interval}`
    : '';
  return `${quantity} × ${product?.name ?? price.product} (at ${formatMoney(price.unit_amount, price.currency)}${per})`;
}

/** Pending invoice items (prorations, one-offs) of a customer that the next invoice will sweep in. */
export function pendingItems(sb: Sandbox, customer: string, subscription: string | null): Obj[] {
  return sb.store
    .all('invoiceitem')
    .filter((ii) => ii.customer === customer && ii.invoice === null && !sb.store.m(ii.id).deleted)
    .filter(
      (ii) =>
        subscription === null ||
        (ii.parent?.subscription_details?.subscription ?? null) === subscription ||
        ii.parent === null,
    );
}

export function lineFromInvoiceItem(sb: Sandbox, ii: Obj): LineInput {
  const priceId = ii.pricing?.price_details?.price as string | undefined;
  const price = priceId ? sb.store.get(priceId, 'price') : undefined;
  return {
    amount: ii.amount,
    currency: ii.currency,
    description: ii.description ?? '',
    price: price ?? { id: null, product: null, unit_amount: ii.amount },
    quantity: ii.quantity,
    period: ii.period,
    subscription: ii.parent?.subscription_details?.subscription ?? null,
    subscriptionItem: ii.parent?.subscription_details?.subscription_item ?? null,
    proration: ii.proration,
    invoiceItem: ii.id,
  };
}

export interface BuildInvoice {
  customer: Obj;
  subscription: Obj | null;
  billingReason: string;
  lines: LineInput[];
  /** Sweep the customer's pending invoice items into this invoice. */
  includePending: boolean;
  periodStart: number;
  periodEnd: number;
  autoFinalizeAt: number | null;
  autoAdvance?: boolean;
  discountIds?: string[];
  description?: string | null;
  collectionMethod?: string;
  daysUntilDue?: number | null;
  currency?: string;
  /** Build without storing (create_preview). */
  preview?: boolean;
  /** Use this id (the subscription already names it as `latest_invoice` in its event). */
  id?: string;
}

export function buildInvoice(sb: Sandbox, b: BuildInvoice): Obj {
  const at = sb.nowFor(b.customer.id);
  const id = b.id ?? (b.preview ? `upcoming_${newId('in')}` : newId('in'));
  const currency = b.currency ?? b.subscription?.currency ?? b.lines[0]?.currency ?? 'usd';
  const collection = b.collectionMethod ?? b.subscription?.collection_method ?? 'charge_automatically';
  const inv = invoiceShape(id, at, {
    customer: b.customer,
    subscription: b.subscription,
    currency,
    billing_reason: b.billingReason,
    period_start: b.periodStart,
    period_end: b.periodEnd,
    auto_advance: b.autoAdvance ?? true,
    automatically_finalizes_at: b.autoFinalizeAt,
    collection_method: collection,
    description: b.description ?? null,
    due_date:
      collection === 'send_invoice'
        ? at + 86400 * (b.daysUntilDue ?? b.subscription?.days_until_due ?? 30)
        : null,
  });
  const swept = b.includePending ? pendingItems(sb, b.customer.id, b.subscription?.id ?? null) : [];
  const inputs = [...swept.map((ii) => lineFromInvoiceItem(sb, ii)), ...b.lines];
  inv.lines.data = inputs.map((l) => lineItemShape(newId('il'), id, l));
  const discountIds = b.discountIds ?? (b.subscription?.discounts as string[] | undefined) ?? [];
  // a discount applies to invoices created before its end
  const discounts = activeDiscounts(sb, discountIds, at);
  inv.discounts = discounts.map((d) => d.id);
  recomputeTotals(inv, discounts);
  if (b.preview) return inv;
  sb.store.insert(inv);
  for (const ii of swept) sb.update(ii, () => (ii.invoice = id), { emit: false });
  sb.store.m(id).retryIndex = 0;
  // a `once` coupon is used up by the first invoice it discounts
  if (b.subscription) {
    const sub = b.subscription;
    const spent = discounts.filter((d) => d.source.coupon.duration === 'once').map((d) => d.id);
    if (spent.length > 0)
      sb.update(sub, () => (sub.discounts = (sub.discounts as string[]).filter((x) => !spent.includes(x))));
  }
  sb.emit('invoice.created', inv);
  return inv;
}

export function recomputeTotals(inv: Obj, discounts: Obj[]): void {
  const lines = inv.lines.data as Obj[];
  const totals = applyDiscounts(lines, discounts, inv.currency);
  const subtotal = lines.reduce((s, l) => s + (l.amount as number), 0);
  const discount = totals.reduce((s, t) => s + t.amount, 0);
  inv.subtotal = subtotal;
  inv.subtotal_excluding_tax = subtotal;
  inv.total_discount_amounts = totals;
  inv.total = subtotal - discount;
  inv.total_excluding_tax = inv.total;
  inv.amount_due = Math.max(0, inv.total);
  inv.amount_remaining = inv.amount_due - inv.amount_paid;
}

/** draft → open. Applies the customer's credit balance; a zero amount due is paid at once. */
export function finalizeInvoice(sb: Sandbox, inv: Obj): Obj {
  if (inv.status !== 'draft')
    throw invalidRequest(
      `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
      undefined,
      'invoice_not_editable',
    );
  const customer = sb.store.get(inv.customer, 'customer') as Obj;
  const at = sb.nowFor(customer.id);
  sb.update(
    inv,
    () => {
      // customer balance: negative is credit the invoice uses up, positive is debt added to it
      const balance = customer.balance as number;
      inv.starting_balance = balance;
      if (inv.total < 0) {
        inv.amount_due = 0;
        inv.ending_balance = balance + inv.total;
      } else if (balance < 0) {
        const used = Math.min(-balance, inv.total);
        inv.amount_due = inv.total - used;
        inv.ending_balance = balance + used;
      } else {
        inv.amount_due = inv.total + balance;
        inv.ending_balance = 0;
      }
      inv.amount_remaining = inv.amount_due;
      inv.status = 'open';
      inv.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`;
      inv.status_transitions = { ...inv.status_transitions, finalized_at: at };
      inv.effective_at = at;
      inv.automatically_finalizes_at = null;
      inv.hosted_invoice_url = `${sb.baseUrl}/invoices/${inv.id}`;
      inv.invoice_pdf = `${sb.baseUrl}/invoices/${inv.id}/pdf`;
      inv.webhooks_delivered_at = at;
    },
    { emit: false },
  );
  sb.update(
    customer,
    () => {
      customer.next_invoice_sequence++;
      customer.balance = inv.ending_balance;
    },
    { emit: customer.balance !== inv.ending_balance },
  );
  sb.emit('invoice.finalized', inv);
  if (inv.amount_due === 0) markPaid(sb, inv, null);
  return inv;
}

function markPaid(sb: Sandbox, inv: Obj, chargePi: Obj | null, outOfBand = false): void {
  const at = sb.nowFor(inv.customer);
  sb.update(
    inv,
    () => {
      inv.status = 'paid';
      inv.amount_paid = inv.amount_due;
      inv.amount_remaining = 0;
      inv.next_payment_attempt = null;
      inv.status_transitions = { ...inv.status_transitions, paid_at: at };
      if (chargePi || outOfBand || inv.amount_due > 0) inv.attempted = true;
    },
    { emit: false },
  );
  const payId = sb.store.m(inv.id).invoicePayment as string | undefined;
  const pay = payId ? sb.store.get(payId, 'invoice_payment') : undefined;
  if (pay && chargePi) {
    sb.update(
      pay,
      () => {
        pay.status = 'paid';
        pay.amount_paid = inv.amount_paid;
        pay.status_transitions = { ...pay.status_transitions, paid_at: at };
      },
      { emit: false },
    );
    sb.emit('invoice_payment.paid', pay);
  }
  sb.emit('invoice.paid', inv);
  sb.emit('invoice.payment_succeeded', inv);
  const customer = sb.store.get(inv.customer, 'customer') as Obj;
  if (customer.delinquent) sb.update(customer, () => (customer.delinquent = false));
  onInvoicePaid(sb, inv);
}

export function invoicePaymentMethod(sb: Sandbox, inv: Obj, explicit?: string): Obj | null {
  if (explicit) return getPaymentMethod(sb, explicit, 'payment_method');
  const subId = inv.parent?.subscription_details?.subscription as string | undefined;
  const sub = subId ? sb.store.get(subId, 'subscription') : undefined;
  const customer = sb.store.get(inv.customer, 'customer') as Obj;
  const id =
    (inv.default_payment_method as string | null) ??
    (sub?.default_payment_method as string | null) ??
    (customer.invoice_settings.default_payment_method as string | null);
  return id ? (sb.store.get(id, 'payment_method') ?? null) : null;
}

/** The invoice's PaymentIntent and invoice_payment, created on the first attempt. */
export function ensurePaymentIntent(sb: Sandbox, inv: Obj): Obj {
  const m = sb.store.m(inv.id);
  const existing = m.paymentIntent ? sb.store.get(m.paymentIntent as string, 'payment_intent') : undefined;
  if (existing) {
    if (existing.amount !== inv.amount_remaining)
      sb.update(existing, () => (existing.amount = inv.amount_remaining), { emit: false });
    return existing;
  }
  const pi = createPaymentIntent(sb, {
    amount: inv.amount_remaining,
    currency: inv.currency,
    customer: inv.customer,
    description:
      inv.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
  });
  m.paymentIntent = pi.id;
  const pay = invoicePaymentShape(newId('inpay'), sb.nowFor(inv.customer), {
    amount: inv.amount_remaining,
    currency: inv.currency,
    invoice: inv.id,
    paymentIntent: pi.id,
  });
  sb.store.insert(pay);
  m.invoicePayment = pay.id;
  return pi;
}

/**
 * One collection attempt on an open invoice. Failures schedule the next retry from settings.retryDays
 * (first invoices of incomplete subscriptions are not retried, as on Stripe).
 */
export function collectInvoice(
  sb: Sandbox,
  inv: Obj,
  opts: {
    paymentMethod?: Obj | null;
    offSession?: boolean;
    authenticated?: boolean;
    retrySchedule?: boolean;
  } = {},
): AttemptOutcome | 'paid' {
  if (inv.status === 'paid') return 'paid';
  if (inv.status !== 'open')
    throw invalidRequest(
      `Invoice is ${inv.status}; only open invoices can be paid.`,
      undefined,
      'invoice_not_open',
    );
  const pm = opts.paymentMethod !== undefined ? opts.paymentMethod : invoicePaymentMethod(sb, inv);
  const pi = ensurePaymentIntent(sb, inv);
  const outcome = attemptPayment(sb, pi, pm, {
    offSession: opts.offSession ?? true,
    authenticated: opts.authenticated,
  });
  const at = sb.nowFor(inv.customer);
  if (outcome === 'succeeded') {
    sb.update(inv, () => inv.attempt_count++, { emit: false });
    markPaid(sb, inv, pi);
    return outcome;
  }
  const m = sb.store.m(inv.id);
  const subId = inv.parent?.subscription_details?.subscription as string | undefined;
  const sub = subId ? sb.store.get(subId, 'subscription') : undefined;
  const retryable = (opts.retrySchedule ?? true) && !(sub && sub.status === 'incomplete');
  const gapDays = retryable ? sb.settings.retryDays[m.retryIndex as number] : undefined;
  sb.update(
    inv,
    () => {
      inv.attempt_count++;
      inv.attempted = true;
      inv.next_payment_attempt = gapDays !== undefined ? at + gapDays * 86400 : null;
    },
    { emit: false },
  );
  if (gapDays !== undefined) m.retryIndex = (m.retryIndex as number) + 1;
  if (outcome === 'requires_action') sb.emit('invoice.payment_action_required', inv);
  sb.emit('invoice.payment_failed', inv);
  const customer = sb.store.get(inv.customer, 'customer') as Obj;
  if (!customer.delinquent) sb.update(customer, () => (customer.delinquent = true));
  onInvoiceFailed(sb, inv, { exhausted: retryable && gapDays === undefined });
  return outcome;
}

export function voidInvoice(sb: Sandbox, inv: Obj): Obj {
  if (inv.status !== 'open' && inv.status !== 'uncollectible') {
    throw invalidRequest(
      `You can only void open or uncollectible invoices (this one is ${inv.status}).`,
      undefined,
      'invoice_not_editable',
    );
  }
  sb.update(
    inv,
    () => {
      inv.status = 'void';
      inv.amount_remaining = 0;
      inv.next_payment_attempt = null;
      inv.status_transitions = { ...inv.status_transitions, voided_at: sb.nowFor(inv.customer) };
    },
    { emit: false },
  );
  const pi = sb.store.m(inv.id).paymentIntent
    ? sb.store.get(sb.store.m(inv.id).paymentIntent as string)
    : undefined;
  if (pi && pi.status !== 'succeeded') {
    sb.update(
      pi,
      () => {
        pi.status = 'canceled';
        pi.canceled_at = sb.nowFor(inv.customer);
        pi.cancellation_reason = 'void_invoice';
      },
      { emit: false },
    );
    sb.emit('payment_intent.canceled', pi);
  }
  sb.emit('invoice.voided', inv);
  return inv;
}

export function markUncollectible(sb: Sandbox, inv: Obj): Obj {
  if (inv.status !== 'open')
    throw invalidRequest(
      `You can only mark open invoices uncollectible (this one is ${inv.status}).`,
      undefined,
      'invoice_not_editable',
    );
  sb.update(
    inv,
    () => {
      inv.status = 'uncollectible';
      inv.next_payment_attempt = null;
      inv.status_transitions = {
        ...inv.status_transitions,
        marked_uncollectible_at: sb.nowFor(inv.customer),
      };
    },
    { emit: false },
  );
  sb.emit('invoice.marked_uncollectible', inv);
  return inv;
}

export function payOutOfBand(sb: Sandbox, inv: Obj): Obj {
  if (inv.status !== 'open' && inv.status !== 'uncollectible')
    throw invalidRequest('Invoice is not payable.', undefined, 'invoice_not_open');
  markPaid(sb, inv, null, true);
  return inv;
}
