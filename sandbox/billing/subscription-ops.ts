/**
 * Subscription state machine: create (trial / charge now / default_incomplete), renew at period end,
 * end trials, react to invoice payment outcomes (incomplete/past_due/unpaid → active, active → past_due,
 * retries exhausted → canceled or unpaid), cancel now / at period end, pause and resume, expire incomplete.
 */
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { subscriptionItemShape, subscriptionShape, type LineInput } from '../shapes.js';
import {
  buildInvoice,
  collectInvoice,
  ensurePaymentIntent,
  finalizeInvoice,
  itemDescription,
  markUncollectible,
  voidInvoice,
} from './invoices.js';
import { periodEndAfter, type Interval } from './proration.js';

export function itemPeriod(sub: Obj): { start: number; end: number } {
  const it = (sub.items.data as Obj[])[0] as Obj;
  return { start: it.current_period_start as number, end: it.current_period_end as number };
}

export function priceOf(sb: Sandbox, item: Obj): Obj {
  const id = typeof item.price === 'string' ? item.price : item.price.id;
  return sb.store.get(id, 'price') as Obj;
}

export function periodLines(sb: Sandbox, sub: Obj, start: number, end: number): LineInput[] {
  return (sub.items.data as Obj[]).map((it) => {
    const price = priceOf(sb, it);
    return {
      amount: price.unit_amount * it.quantity,
      currency: price.currency,
      description: itemDescription(sb, price, it.quantity),
      price,
      quantity: it.quantity,
      period: { start, end },
      subscription: sub.id,
      subscriptionItem: it.id,
      proration: false,
      invoiceItem: null,
    };
  });
}

export interface NewSubscription {
  customer: Obj;
  items: Array<{ price: Obj; quantity: number; metadata: Obj }>;
  defaultPaymentMethod: string | null;
  trialEnd: number | null;
  paymentBehavior:
    'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';
  collectionMethod: 'charge_automatically' | 'send_invoice';
  daysUntilDue: number | null;
  metadata: Obj;
  description: string | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  discountIds: (sub: Obj) => string[];
  missingPaymentMethod: 'cancel' | 'create_invoice' | 'pause';
  offSession?: boolean;
  authenticated?: boolean;
}

export function createSubscription(sb: Sandbox, n: NewSubscription): Obj {
  const at = sb.nowFor(n.customer.id);
  const first = n.items[0]?.price as Obj;
  const interval = first.recurring.interval as Interval;
  const count = first.recurring.interval_count as number;
  const trialing = n.trialEnd !== null && n.trialEnd > at;
  const anchor = trialing ? (n.trialEnd as number) : at;
  const periodEnd = trialing ? (n.trialEnd as number) : periodEndAfter(anchor, at, interval, count);
  const id = newId('sub');
  const sub = subscriptionShape(id, at, {
    customer: n.customer.id,
    currency: first.currency,
    billing_cycle_anchor: anchor,
    status: trialing ? 'trialing' : n.collectionMethod === 'send_invoice' ? 'active' : 'incomplete',
    trial_start: trialing ? at : null,
    trial_end: trialing ? n.trialEnd : null,
    default_payment_method: n.defaultPaymentMethod,
    collection_method: n.collectionMethod,
    days_until_due: n.daysUntilDue,
    metadata: n.metadata,
    description: n.description,
    test_clock: n.customer.test_clock,
    missing_payment_method: n.missingPaymentMethod,
  });
  sub.items.data = n.items.map((it) =>
    subscriptionItemShape(newId('si', 14), at, {
      price: it.price.id,
      quantity: it.quantity,
      subscription: id,
      metadata: it.metadata,
      current_period_start: at,
      current_period_end: periodEnd,
    }),
  );
  if (n.cancelAtPeriodEnd) {
    sub.cancel_at_period_end = true;
    sub.cancel_at = periodEnd;
    sub.canceled_at = at;
  } else if (n.cancelAt !== null) {
    sub.cancel_at = n.cancelAt;
    sub.canceled_at = at;
  }
  // the created event already names the first invoice, as Stripe's does
  const invoiceId = newId('in');
  sub.latest_invoice = invoiceId;
  sb.store.insert(sub);
  sub.discounts = n.discountIds(sub);
  sb.store.m(id).lastPeriodStart = at;
  sb.emit('customer.subscription.created', sub);

  const lines = trialing
    ? periodLines(sb, sub, at, periodEnd).map((l) => ({
        ...l,
        amount: 0,
        description: `Trial period for ${l.description.replace(/ \(at .*\)$/, '').replace(/^\d+ × /, '')}`,
      }))
    : periodLines(sb, sub, at, periodEnd);
  const inv = buildInvoice(sb, {
    id: invoiceId,
    customer: n.customer,
    subscription: sub,
    billingReason: 'subscription_create',
    lines,
    includePending: true,
    periodStart: at,
    periodEnd: at,
    autoFinalizeAt: null,
  });
  finalizeInvoice(sb, inv);
  if (inv.status === 'open' && n.collectionMethod === 'charge_automatically') {
    if (n.paymentBehavior === 'default_incomplete') {
      // the app confirms the PaymentIntent itself (Checkout / Elements); nothing is attempted now
      ensurePaymentIntent(sb, inv);
    } else {
      collectInvoice(sb, inv, {
        offSession: n.offSession ?? true,
        authenticated: n.authenticated,
        retrySchedule: false,
      });
    }
  }
  return sub;
}

export function subscriptionOf(sb: Sandbox, inv: Obj): Obj | undefined {
  const id = inv.parent?.subscription_details?.subscription as string | undefined;
  return id ? sb.store.get(id, 'subscription') : undefined;
}

export function onInvoicePaid(sb: Sandbox, inv: Obj): void {
  const sub = subscriptionOf(sb, inv);
  if (!sub) return;
  if (['incomplete', 'past_due', 'unpaid'].includes(sub.status)) {
    sb.update(sub, () => (sub.status = 'active'));
  }
}

export function onInvoiceFailed(sb: Sandbox, inv: Obj, o: { exhausted: boolean }): void {
  const sub = subscriptionOf(sb, inv);
  if (!sub) return;
  if (sub.status === 'active' || sub.status === 'trialing') sb.update(sub, () => (sub.status = 'past_due'));
  if (!o.exhausted || sub.latest_invoice !== inv.id) return;
  switch (sb.settings.afterRetries) {
    case 'cancel':
      cancelSubscriptionNow(sb, sub, { reason: 'payment_failed' });
      break;
    case 'unpaid':
      if (sub.status !== 'canceled') sb.update(sub, () => (sub.status = 'unpaid'));
      break;
    case 'past_due':
      break;
  }
}

export function cancelSubscriptionNow(
  sb: Sandbox,
  sub: Obj,
  o: {
    reason: 'cancellation_requested' | 'payment_failed' | 'payment_disputed';
    comment?: string | null;
    feedback?: string | null;
  },
): Obj {
  const at = sb.nowFor(sub.customer);
  sb.update(
    sub,
    () => {
      sub.status = 'canceled';
      sub.ended_at = at;
      // a scheduled cancellation keeps the time it was requested (Stripe's `canceled_at` semantics)
      const scheduled = sub.cancel_at_period_end || (sub.cancel_at !== null && sub.cancel_at <= at);
      sub.canceled_at = scheduled ? (sub.canceled_at ?? at) : at;
      sub.cancellation_details = {
        comment: o.comment ?? sub.cancellation_details.comment ?? null,
        feedback: o.feedback ?? sub.cancellation_details.feedback ?? null,
        feedback_option: sub.cancellation_details.feedback_option ?? null,
        reason: o.reason,
      };
    },
    { emit: false },
  );
  sb.emit('customer.subscription.deleted', sub);
  return sub;
}

/** Start the next period at `start` and invoice it (draft, finalized automatically about an hour later). */
export function startNewPeriod(
  sb: Sandbox,
  sub: Obj,
  start: number,
  reason: 'subscription_cycle' | 'subscription_update',
): Obj {
  const customer = sb.store.get(sub.customer, 'customer') as Obj;
  const first = priceOf(sb, (sub.items.data as Obj[])[0] as Obj);
  const end = periodEndAfter(
    sub.billing_cycle_anchor,
    start,
    first.recurring.interval,
    first.recurring.interval_count,
  );
  const invoiceId = newId('in');
  sb.update(sub, () => {
    for (const it of sub.items.data as Obj[]) {
      it.current_period_start = start;
      it.current_period_end = end;
    }
    if (sub.status === 'trialing') sub.status = 'active';
    sub.latest_invoice = invoiceId;
  });
  const pause = sub.pause_collection as Obj | null;
  const unpaid = sub.status === 'unpaid';
  const inv = buildInvoice(sb, {
    id: invoiceId,
    customer,
    subscription: sub,
    billingReason: reason,
    lines: periodLines(sb, sub, start, end),
    includePending: true,
    periodStart: sb.store.m(sub.id).lastPeriodStart ?? start,
    periodEnd: start,
    autoFinalizeAt:
      unpaid || pause?.behavior === 'keep_as_draft' ? null : start + sb.settings.finalizeAfterHours * 3600,
    autoAdvance: !(unpaid || pause?.behavior === 'keep_as_draft'),
  });
  sb.store.m(sub.id).lastPeriodStart = start;
  return inv;
}

/** What the lifecycle engine does when a draft's automatic finalization falls due. */
export function autoFinalize(sb: Sandbox, inv: Obj): void {
  finalizeInvoice(sb, inv);
  if (inv.status !== 'open') return;
  const sub = subscriptionOf(sb, inv);
  const pause = sub?.pause_collection as Obj | null | undefined;
  if (pause?.behavior === 'void') {
    voidInvoice(sb, inv);
    return;
  }
  if (pause?.behavior === 'mark_uncollectible') {
    markUncollectible(sb, inv);
    return;
  }
  if (inv.collection_method === 'charge_automatically') collectInvoice(sb, inv, { offSession: true });
}

export function endTrial(sb: Sandbox, sub: Obj): void {
  const customer = sb.store.get(sub.customer, 'customer') as Obj;
  const hasPm = Boolean(sub.default_payment_method ?? customer.invoice_settings.default_payment_method);
  const behavior = sub.trial_settings?.end_behavior?.missing_payment_method as string;
  if (!hasPm && behavior === 'cancel') {
    cancelSubscriptionNow(sb, sub, { reason: 'cancellation_requested' });
    return;
  }
  if (!hasPm && behavior === 'pause') {
    pauseSubscription(sb, sub, 'trial_end_without_payment_method');
    return;
  }
  startNewPeriod(sb, sub, sub.trial_end as number, 'subscription_cycle');
}

export function pauseSubscription(
  sb: Sandbox,
  sub: Obj,
  reason: 'pause_requested' | 'trial_end_without_payment_method' = 'pause_requested',
): Obj {
  const at = sb.nowFor(sub.customer);
  sb.update(
    sub,
    () => {
      sub.status = 'paused';
      sub.status_details = {
        paused: { subscription: { type: reason }, transitioned_at: at, type: 'subscription' },
      };
    },
    { emit: false },
  );
  sb.emit('customer.subscription.paused', sub);
  return sub;
}

/** Resume a paused subscription: a new period starts now and is invoiced at once. */
export function resumeSubscription(sb: Sandbox, sub: Obj): Obj {
  const at = sb.nowFor(sub.customer);
  sb.update(
    sub,
    () => {
      sub.status = 'active';
      delete sub.status_details;
      sub.billing_cycle_anchor = at;
    },
    { emit: false },
  );
  sb.emit('customer.subscription.resumed', sub);
  const inv = startNewPeriod(sb, sub, at, 'subscription_cycle');
  autoFinalize(sb, inv);
  return sub;
}

export function expireIncomplete(sb: Sandbox, sub: Obj): void {
  const inv = sub.latest_invoice ? sb.store.get(sub.latest_invoice, 'invoice') : undefined;
  sb.update(sub, () => {
    sub.status = 'incomplete_expired';
    sub.ended_at = sb.nowFor(sub.customer);
  });
  if (inv && inv.status === 'open') voidInvoice(sb, inv);
}
