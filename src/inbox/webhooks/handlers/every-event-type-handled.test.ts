import { describe, expect, it } from 'vitest';
import { handlers } from './index.js';

// docs/DESIGN.md §4's event families, plus the ones the mirror needs to stay exact (refunds, invoice payments).
const REQUIRED = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice_payment.paid',
  'checkout.session.completed',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'refund.created',
  'refund.updated',
  'charge.dispute.created',
  'charge.dispute.closed',
  'product.created',
  'product.updated',
  'product.deleted',
  'price.created',
  'price.updated',
  'price.deleted',
  'payment_method.attached',
  'payment_method.detached',
];

describe('handlers map', () => {
  it('has a handler for every event family the design names', () => {
    const missing = REQUIRED.filter((t) => !(t in handlers));
    expect(missing).toEqual([]);
  });
  it('handles nothing outside those families (unknown types are stored as skipped)', () => {
    const families = [
      'customer.',
      'invoice.',
      'invoice_payment.',
      'checkout.session.',
      'payment_intent.',
      'charge.',
      'refund.',
      'product.',
      'price.',
      'payment_method.',
    ];
    const stray = Object.keys(handlers).filter((t) => !families.some((f) => t.startsWith(f)));
    expect(stray).toEqual([]);
  });
});
