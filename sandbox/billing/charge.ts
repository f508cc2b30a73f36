/**
 * One payment attempt for an amount: a PaymentIntent (reused across attempts of the same invoice) and a
 * Charge per attempt, with Stripe's statuses, failure codes and events.
 */
import { chargeShape, paymentIntentShape } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { cardOf } from '../resources/payment-methods.js';

export type AttemptOutcome = 'succeeded' | 'failed' | 'requires_action' | 'no_payment_method';

export function createPaymentIntent(
  sb: Sandbox,
  f: { amount: number; currency: string; customer: string; description: string; metadata?: Obj },
): Obj {
  const pi = paymentIntentShape(newId('pi'), sb.nowFor(f.customer), f);
  sb.store.insert(pi);
  sb.emit('payment_intent.created', pi);
  return pi;
}

/**
 * Attempt to collect `pi.amount` with `pm`. Off-session, the 3DS card ends in `requires_action`;
 * `authenticated` (the hosted page's challenge passed) lets it through.
 */
export function attemptPayment(
  sb: Sandbox,
  pi: Obj,
  pm: Obj | null,
  opts: { offSession: boolean; authenticated?: boolean },
): AttemptOutcome {
  const at = sb.nowFor(pi.customer);
  if (!pm) {
    sb.update(
      pi,
      () => {
        pi.last_payment_error = {
          code: 'payment_intent_payment_attempt_failed',
          doc_url: 'https://docs.stripe.com/error-codes/payment-intent-payment-attempt-failed',
          message: 'The customer has no default payment method.',
          type: 'invalid_request_error',
        };
      },
      { emit: false },
    );
    sb.emit('payment_intent.payment_failed', pi);
    return 'no_payment_method';
  }
  const card = cardOf(sb, pm);
  if (card.behavior === 'auth_required' && !opts.authenticated) {
    sb.update(
      pi,
      () => {
        pi.status = 'requires_action';
        pi.payment_method = pm.id;
        pi.next_action = {
          type: 'use_stripe_sdk',
          use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `${sb.baseUrl}/3ds/${pi.id}` },
        };
        pi.last_payment_error = null;
      },
      { emit: false },
    );
    sb.emit('payment_intent.requires_action', pi);
    return 'requires_action';
  }
  const ok = card.behavior === 'ok' || card.behavior === 'auth_required';
  const charge = chargeShape(newId('ch'), at, {
    amount: pi.amount,
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    paymentMethod: sb.render(pm),
    paymentIntent: pi.id,
    succeeded: ok,
    failureCode: 'card_declined',
    failureMessage: card.message,
    declineCode: card.declineCode,
  });
  sb.store.insert(charge);
  if (ok) {
    sb.emit('charge.succeeded', charge);
    sb.update(
      pi,
      () => {
        pi.status = 'succeeded';
        pi.amount_received = pi.amount;
        pi.latest_charge = charge.id;
        pi.payment_method = pm.id;
        pi.last_payment_error = null;
        pi.next_action = null;
      },
      { emit: false },
    );
    sb.emit('payment_intent.succeeded', pi);
    return 'succeeded';
  }
  sb.emit('charge.failed', charge);
  sb.update(
    pi,
    () => {
      pi.status = 'requires_payment_method';
      pi.latest_charge = charge.id;
      pi.payment_method = null;
      pi.next_action = null;
      pi.last_payment_error = {
        advice_code: card.declineCode === 'insufficient_funds' ? 'try_again_later' : 'do_not_try_again',
        charge: charge.id,
        code: 'card_declined',
        decline_code: card.declineCode,
        doc_url: 'https://docs.stripe.com/error-codes/card-declined',
        message: card.message,
        network_decline_code: card.declineCode === 'insufficient_funds' ? '51' : '05',
        payment_method: sb.render(pm),
        type: 'card_error',
      };
    },
    { emit: false },
  );
  sb.emit('payment_intent.payment_failed', pi);
  return 'failed';
}
