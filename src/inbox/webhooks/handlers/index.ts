/**
 * The typed map from Stripe event type to handler (one file per event family). Types without a handler are stored
 * and marked skipped by the dispatcher.
 */
import type Stripe from 'stripe';
import type { Handler } from '../types.js';
import { priceChanged, productChanged } from './catalogue.js';
import { checkoutSessionCompleted } from './checkout-session.js';
import { customerCreatedOrUpdated, customerDeleted } from './customer.js';
import { disputeChanged } from './dispute.js';
import { invoiceChanged, invoicePaymentPaid } from './invoice.js';
import { chargeChanged, paymentIntentChanged, refundChanged } from './payment.js';
import { paymentMethodChanged } from './payment-method.js';
import { subscriptionChanged } from './subscription.js';

export const handlers = {
  'customer.created': customerCreatedOrUpdated,
  'customer.updated': customerCreatedOrUpdated,
  'customer.deleted': customerDeleted,

  'customer.subscription.created': subscriptionChanged,
  'customer.subscription.updated': subscriptionChanged,
  'customer.subscription.deleted': subscriptionChanged,
  'customer.subscription.paused': subscriptionChanged,
  'customer.subscription.resumed': subscriptionChanged,
  'customer.subscription.trial_will_end': subscriptionChanged,
  'customer.subscription.pending_update_applied': subscriptionChanged,
  'customer.subscription.pending_update_expired': subscriptionChanged,

  'invoice.created': invoiceChanged,
  'invoice.finalized': invoiceChanged,
  'invoice.updated': invoiceChanged,
  'invoice.paid': invoiceChanged,
  'invoice.payment_succeeded': invoiceChanged,
  'invoice.payment_failed': invoiceChanged,
  'invoice.payment_action_required': invoiceChanged,
  'invoice.voided': invoiceChanged,
  'invoice.marked_uncollectible': invoiceChanged,
  'invoice.overdue': invoiceChanged,
  'invoice_payment.paid': invoicePaymentPaid,

  'checkout.session.completed': checkoutSessionCompleted,

  'payment_intent.succeeded': paymentIntentChanged,
  'payment_intent.payment_failed': paymentIntentChanged,
  'payment_intent.processing': paymentIntentChanged,
  'payment_intent.canceled': paymentIntentChanged,
  'payment_intent.requires_action': paymentIntentChanged,

  'charge.succeeded': chargeChanged,
  'charge.failed': chargeChanged,
  'charge.refunded': chargeChanged,
  'charge.updated': chargeChanged,
  'charge.captured': chargeChanged,
  'charge.refund.updated': refundChanged,
  'refund.created': refundChanged,
  'refund.updated': refundChanged,
  'refund.failed': refundChanged,

  'charge.dispute.created': disputeChanged,
  'charge.dispute.updated': disputeChanged,
  'charge.dispute.closed': disputeChanged,
  'charge.dispute.funds_withdrawn': disputeChanged,
  'charge.dispute.funds_reinstated': disputeChanged,

  'product.created': productChanged,
  'product.updated': productChanged,
  'product.deleted': productChanged,
  'price.created': priceChanged,
  'price.updated': priceChanged,
  'price.deleted': priceChanged,

  'payment_method.attached': paymentMethodChanged,
  'payment_method.updated': paymentMethodChanged,
  'payment_method.automatically_updated': paymentMethodChanged,
  'payment_method.detached': paymentMethodChanged,
} satisfies { [T in Stripe.Event['type']]?: Handler<T> };
