/** Payment intents and charges (read), refunds (full and partial), disputes (created through the control API). */
import { cardError, invalidRequest, resourceMissing } from '../protocol/errors.js';
import { attemptPayment } from '../billing/charge.js';
import { collectInvoice } from '../billing/invoices.js';
import { getPaymentMethod } from './payment-methods.js';
import { paginate, timeFilter } from '../protocol/list.js';
import { bool, int, mergeMetadata, oneOf, str } from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { disputeShape, refundShape } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';

export function getCharge(sb: Sandbox, id: string, param = 'charge'): Obj {
  const c = sb.store.get(id, 'charge');
  if (!c) throw resourceMissing('charge', id, param);
  return c;
}

export function createRefund(
  sb: Sandbox,
  charge: Obj,
  amount: number | undefined,
  reason: string | null,
  metadata: Obj,
): Obj {
  if (charge.status !== 'succeeded')
    throw invalidRequest(`Charge ${charge.id} has not succeeded; it cannot be refunded.`, 'charge');
  const left = (charge.amount as number) - (charge.amount_refunded as number);
  if (left <= 0)
    throw invalidRequest(
      `Charge ${charge.id} has already been refunded.`,
      'charge',
      'charge_already_refunded',
    );
  const amt = amount ?? left;
  if (amt <= 0) throw invalidRequest('Refund amount must be positive.', 'amount');
  if (amt > left) {
    throw invalidRequest(
      `Refund amount (${amt}) is greater than unrefunded amount on charge (${left})`,
      'amount',
      'amount_too_large',
    );
  }
  if (charge.disputed)
    throw invalidRequest(
      `Charge ${charge.id} has been charged back; cannot issue a refund.`,
      'charge',
      'charge_disputed',
    );
  const refund = refundShape(newId('re'), sb.nowFor(charge.customer), {
    amount: amt,
    charge: charge.id,
    currency: charge.currency,
    customer: charge.customer,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason,
    metadata,
  });
  sb.store.insert(refund);
  sb.emit('refund.created', refund);
  const before = sb.render(charge);
  charge.amount_refunded = (charge.amount_refunded as number) + amt;
  charge.refunded = charge.amount_refunded === charge.amount;
  sb.emit('charge.refunded', charge, {
    previous: { amount_refunded: before.amount_refunded, ...(charge.refunded ? { refunded: false } : {}) },
  });
  return refund;
}

/** The control API's dispute helper: a chargeback on a succeeded charge. */
export function createDispute(sb: Sandbox, charge: Obj, o: { reason?: string; amount?: number }): Obj {
  if (charge.status !== 'succeeded')
    throw invalidRequest('Only succeeded charges can be disputed.', 'charge');
  if (charge.disputed) throw invalidRequest('This charge is already disputed.', 'charge');
  const pm = sb.store.get(charge.payment_method, 'payment_method');
  const dispute = disputeShape(newId('dp'), sb.nowFor(charge.customer), {
    amount: o.amount ?? (charge.amount as number) - (charge.amount_refunded as number),
    charge: charge.id,
    currency: charge.currency,
    payment_intent: charge.payment_intent,
    reason: o.reason ?? 'fraudulent',
    brand: pm?.card?.brand,
  });
  sb.store.insert(dispute);
  sb.update(charge, () => (charge.disputed = true), { emit: false });
  sb.emit('charge.dispute.created', dispute);
  sb.emit('charge.dispute.funds_withdrawn', dispute);
  return dispute;
}

export function closeDispute(sb: Sandbox, dispute: Obj, outcome: 'won' | 'lost'): Obj {
  if (['won', 'lost'].includes(dispute.status))
    throw invalidRequest('This dispute is already closed.', 'dispute');
  sb.update(dispute, () => {
    dispute.status = outcome;
    dispute.is_charge_refundable = false;
  });
  sb.emit('charge.dispute.closed', dispute);
  if (outcome === 'won') sb.emit('charge.dispute.funds_reinstated', dispute);
  return dispute;
}

function getDispute(sb: Sandbox, id: string): Obj {
  const d = sb.store.get(id, 'dispute');
  if (!d) throw resourceMissing('dispute', id, 'dispute');
  return d;
}

function invoiceOfPaymentIntent(sb: Sandbox, piId: string): Obj | undefined {
  return sb.store.all('invoice').find((inv) => sb.store.m(inv.id).paymentIntent === piId);
}

export const paymentRoutes: Route[] = [
  route('POST', '/v1/payment_intents/:id/confirm', ({ sb, params, p }) => {
    const pi = sb.store.get(params.id as string, 'payment_intent');
    if (!pi) throw resourceMissing('payment_intent', params.id as string, 'intent');
    if (pi.status === 'succeeded') {
      throw invalidRequest(
        'This PaymentIntent has already succeeded.',
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    const pmId = str(p, 'payment_method') ?? (pi.payment_method as string | null) ?? undefined;
    if (!pmId)
      throw invalidRequest(
        'You must provide a payment_method to confirm this PaymentIntent.',
        'payment_method',
      );
    const pm = getPaymentMethod(sb, pmId, 'payment_method');
    const offSession = bool(p, 'off_session') ?? false;
    const inv = invoiceOfPaymentIntent(sb, pi.id as string);
    if (inv && inv.status === 'open')
      collectInvoice(sb, inv, { paymentMethod: pm, offSession, retrySchedule: false });
    else attemptPayment(sb, pi, pm, { offSession });
    if (pi.status === 'requires_payment_method' && pi.last_payment_error) {
      const err = pi.last_payment_error as Obj;
      throw cardError(err.message as string, 'card_declined', err.decline_code as string | undefined, {
        charge: err.charge as string,
        payment_intent: sb.render(pi),
      });
    }
    return pi;
  }),
  route('GET', '/v1/payment_intents/:id', ({ sb, params }) => {
    const pi = sb.store.get(params.id as string, 'payment_intent');
    if (!pi) throw resourceMissing('payment_intent', params.id as string, 'intent');
    return pi;
  }),
  route('GET', '/v1/payment_intents', ({ sb, p }) => {
    const customer = str(p, 'customer');
    const created = timeFilter(p, 'created');
    return paginate(
      sb.store
        .list('payment_intent')
        .filter((x) => (customer ? x.customer === customer : true))
        .filter((x) => created(x.created)),
      p,
      '/v1/payment_intents',
    );
  }),
  route('GET', '/v1/charges/:id', ({ sb, params }) => getCharge(sb, params.id as string, 'charge')),
  route('GET', '/v1/charges', ({ sb, p }) => {
    const customer = str(p, 'customer');
    const pi = str(p, 'payment_intent');
    const created = timeFilter(p, 'created');
    return paginate(
      sb.store
        .list('charge')
        .filter((x) => (customer ? x.customer === customer : true))
        .filter((x) => (pi ? x.payment_intent === pi : true))
        .filter((x) => created(x.created)),
      p,
      '/v1/charges',
    );
  }),
  route('POST', '/v1/refunds', ({ sb, p }) => {
    const chargeId = str(p, 'charge');
    const piId = str(p, 'payment_intent');
    let charge: Obj;
    if (chargeId) charge = getCharge(sb, chargeId, 'charge');
    else if (piId) {
      const pi = sb.store.get(piId, 'payment_intent');
      if (!pi) throw resourceMissing('payment_intent', piId, 'payment_intent');
      if (!pi.latest_charge)
        throw invalidRequest('This PaymentIntent has no successful charge to refund.', 'payment_intent');
      charge = getCharge(sb, pi.latest_charge, 'payment_intent');
    } else
      throw invalidRequest('One of `charge` or `payment_intent` is required.', 'charge', 'parameter_missing');
    const reason = oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null;
    return createRefund(sb, charge, int(p, 'amount'), reason, mergeMetadata({}, p));
  }),
  route('GET', '/v1/refunds/:id', ({ sb, params }) => {
    const r = sb.store.get(params.id as string, 'refund');
    if (!r) throw resourceMissing('refund', params.id as string, 'refund');
    return r;
  }),
  route('GET', '/v1/refunds', ({ sb, p }) => {
    const charge = str(p, 'charge');
    const pi = str(p, 'payment_intent');
    return paginate(
      sb.store
        .list('refund')
        .filter((x) => (charge ? x.charge === charge : true))
        .filter((x) => (pi ? x.payment_intent === pi : true)),
      p,
      '/v1/refunds',
    );
  }),
  route('GET', '/v1/disputes/:id', ({ sb, params }) => getDispute(sb, params.id as string)),
  route('GET', '/v1/disputes', ({ sb, p }) => {
    const charge = str(p, 'charge');
    return paginate(
      sb.store.list('dispute').filter((x) => (charge ? x.charge === charge : true)),
      p,
      '/v1/disputes',
    );
  }),
  route('POST', '/v1/disputes/:id', ({ sb, params, p }) => {
    const d = getDispute(sb, params.id as string);
    sb.update(d, () => (d.metadata = mergeMetadata(d.metadata, p)));
    return d;
  }),
  route('POST', '/v1/disputes/:id/close', ({ sb, params }) =>
    closeDispute(sb, getDispute(sb, params.id as string), 'lost'),
  ),
];
