import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadShapes, schemaPath } from './shapes.js';
import { assertStripeShape, validateEventEnvelope, validateStripeObject } from './validate.js';

const STRIPE_DIR = join(schemaPath(), '..');
const EVENTS_DIR = join(STRIPE_DIR, 'events');
const DAHLIA = { apiVersion: '2026-07-29.dahlia' };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Json;
}

/**
 * The dahlia subscription fixture brought up to the installed SDK (endive): the three fields the SDK made
 * always-present since dahlia (see overrides.ts) added with their "nothing to report" value.
 */
function endiveSubscription(): Json {
  const sub = fixture('object.subscription.active.json');
  sub.cancellation_details.feedback_option = null;
  sub.trial_settings.end_behavior.billing_cycle_anchor = null;
  sub.items.data[0].current_trial = null;
  return sub;
}

describe('the story fixtures in ../shared/stripe/events (dahlia)', () => {
  const files = readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.json') && f !== '_manifest.json');

  it('has the 38 fixtures this test was written against', () => {
    expect(files.length).toBe(38);
  });

  it.each(files)('%s validates clean as a dahlia object (events by their own api_version)', (file) => {
    expect(validateStripeObject(fixture(file), DAHLIA)).toEqual([]);
  });

  it.each(files.filter((f) => f.startsWith('event.')))('%s validates clean as an event envelope', (file) => {
    const event = fixture(file);
    // Events carry `api_version: 2026-07-29.dahlia`: their data was rendered at dahlia and stays so.
    expect(event.api_version).toBe('2026-07-29.dahlia');
    expect(validateEventEnvelope(event)).toEqual([]);
    expect(validateStripeObject(event)).toEqual([]);
  });

  // Held to the installed SDK's version (endive), a dahlia object lacks exactly the fields the SDK made
  // always-present since; each line is one entry of overrides.ts.
  const endiveOnly: Record<string, string[]> = {
    // 23.0.0 `electronic_commerce_indicator` on Charge.payment_method_details.card.
    'object.charge.failed.json': [
      'charge.payment_method_details.card.electronic_commerce_indicator: expected string, got undefined',
    ],
    'object.charge.succeeded.json': [
      'charge.payment_method_details.card.electronic_commerce_indicator: expected string, got undefined',
    ],
    // 23.0.0 `allowed_payment_method_types` on Checkout.Session.
    'object.checkout.session.subscription_complete.json': [
      'checkout.session.allowed_payment_method_types: expected array of string, got undefined',
    ],
    // 23.1.0 `submission_method` on Dispute.evidence_details and `intended_submission_method` on Dispute.
    'object.dispute.json': [
      'dispute.evidence_details.submission_method: expected "manual" | "not_submitted" | "smart_disputes", got undefined',
      'dispute.intended_submission_method: expected "manual" | "prefer_manual" | "prefer_smart_disputes" | "smart_disputes", got undefined',
    ],
    // 23.0.0: PaymentIntent.allowed_payment_method_types always present; `payment_record` added.
    'object.payment_intent.requires_payment_method.json': [
      'payment_intent.allowed_payment_method_types: expected array of one of 99 values, got undefined',
      'payment_intent.payment_record: expected string | PaymentRecord, got undefined',
    ],
    'object.payment_intent.succeeded.json': [
      'payment_intent.allowed_payment_method_types: expected array of one of 99 values, got undefined',
      'payment_intent.payment_record: expected string | PaymentRecord, got undefined',
    ],
    // 23.0.0 `tax_details` on Product.
    'object.product.json': ['product.tax_details: expected Product.TaxDetails, got undefined'],
    // 22.6.0 `feedback_option` on Subscription.cancellation_details; 23.0.0 `current_trial` on SubscriptionItem
    // and `billing_cycle_anchor` on Subscription.trial_settings.end_behavior.
    ...Object.fromEntries(
      ['active', 'canceled', 'past_due', 'trialing'].map((s) => [
        `object.subscription.${s}.json`,
        [
          'subscription.cancellation_details.feedback_option: expected string | Billing.FeedbackOption, got undefined',
          'subscription.items.data[0].current_trial: expected SubscriptionItem.CurrentTrial, got undefined',
          'subscription.trial_settings.end_behavior.billing_cycle_anchor: expected "now" | "unchanged", got undefined',
        ],
      ]),
    ),
    'object.subscription_item.json': [
      'subscription_item.current_trial: expected SubscriptionItem.CurrentTrial, got undefined',
    ],
  };

  it.each(files.filter((f) => f.startsWith('object.')))(
    '%s held to the SDK version lacks only what the SDK added',
    (file) => {
      expect(validateStripeObject(fixture(file))).toEqual(endiveOnly[file] ?? []);
    },
  );

  it('accepts the dahlia subscription once the endive fields are added', () => {
    expect(validateStripeObject(endiveSubscription())).toEqual([]);
  });
});

describe("Stripe's own example objects (fixtures3.json)", () => {
  const resources = (JSON.parse(readFileSync(join(STRIPE_DIR, 'fixtures3.json'), 'utf8')) as Json)
    .resources as Json;
  const covered = [
    'balance_transaction',
    'billing_portal.session',
    'charge',
    'checkout.session',
    'coupon',
    'customer',
    'deleted_coupon',
    'deleted_customer',
    'deleted_discount',
    'deleted_invoice',
    'deleted_invoiceitem',
    'deleted_plan',
    'deleted_price',
    'deleted_product',
    'deleted_subscription_item',
    'deleted_test_helpers.test_clock',
    'deleted_webhook_endpoint',
    'discount',
    'dispute',
    'invoice_payment',
    'invoiceitem',
    'line_item',
    'payment_intent',
    'payment_method',
    'plan',
    'price',
    'product',
    'promotion_code',
    'refund',
    'setup_intent',
    'subscription',
    'subscription_item',
    'test_helpers.test_clock',
    'webhook_endpoint',
  ];

  it.each(covered)('%s validates clean (dahlia)', (name) => {
    expect(validateStripeObject(resources[name], DAHLIA)).toEqual([]);
  });

  it('invoice: only the leftover `subscription` key the README documents (gone since basil)', () => {
    expect(validateStripeObject(resources.invoice, DAHLIA)).toEqual(['invoice.subscription: unknown field']);
  });

  it('event: its example plan still carries `aggregate_usage`, removed from Plan in basil (2025-03-31)', () => {
    // api_version is null in this example, so the event is held to the installed SDK's version.
    expect(resources.event.api_version).toBeNull();
    expect(validateStripeObject(resources.event)).toEqual([
      'event.data.object.aggregate_usage: unknown field',
    ]);
  });
});

describe('mutations are caught', () => {
  it('an unknown field', () => {
    const sub = endiveSubscription();
    sub.current_period_end = 1789834264; // moved to the items in basil
    expect(validateStripeObject(sub)).toEqual(['subscription.current_period_end: unknown field']);
  });

  it('a missing required field, deep in a list', () => {
    const sub = endiveSubscription();
    delete sub.items.data[0].current_period_end;
    expect(validateStripeObject(sub)).toEqual([
      'subscription.items.data[0].current_period_end: expected number, got undefined',
    ]);
  });

  it('a wrong primitive type', () => {
    const sub = endiveSubscription();
    sub.created = '1785747840';
    sub.cancel_at_period_end = 'false';
    expect(validateStripeObject(sub)).toEqual([
      'subscription.cancel_at_period_end: expected boolean, got string',
      'subscription.created: expected number, got string',
    ]);
  });

  it('null where the field is not nullable, and null accepted where it is', () => {
    const sub = endiveSubscription();
    sub.currency = null;
    sub.canceled_at = null;
    expect(validateStripeObject(sub)).toEqual(['subscription.currency: expected string, got null']);
  });

  it('a value outside the enum', () => {
    const sub = endiveSubscription();
    sub.status = 'grace_period';
    expect(validateStripeObject(sub)).toEqual([
      'subscription.status: "grace_period" is not one of active, canceled, incomplete, incomplete_expired, past_due, paused, trialing, unpaid',
    ]);
  });

  it('an expanded field holding an object of the wrong type', () => {
    const sub = endiveSubscription();
    sub.customer = fixture('object.invoice.paid.json');
    expect(validateStripeObject(sub)).toEqual([
      'subscription.customer: expected string | Customer | DeletedCustomer, got invoice object',
    ]);
  });

  it('an expanded field holding the right object, validated in turn', () => {
    const sub = endiveSubscription();
    sub.customer = fixture('object.customer.json');
    expect(validateStripeObject(sub)).toEqual([]);
    sub.customer.balance = null;
    expect(validateStripeObject(sub)).toEqual(['subscription.customer.balance: expected number, got null']);
  });

  it('a deleted customer where the type allows DeletedCustomer', () => {
    const sub = endiveSubscription();
    sub.customer = { id: 'cus_RrHuoIQciTfbbe', object: 'customer', deleted: true };
    expect(validateStripeObject(sub)).toEqual([]);
  });

  it('a bad item in a nested list', () => {
    const sub = endiveSubscription();
    sub.items.data[0].price.unit_amount = '2000';
    sub.items.data.push(42);
    expect(validateStripeObject(sub)).toEqual([
      'subscription.items.data[0].price.unit_amount: expected number, got string',
      'subscription.items.data[1]: expected SubscriptionItem, got number',
    ]);
  });

  it('a list envelope missing its keys', () => {
    const sub = endiveSubscription();
    delete sub.items.has_more;
    sub.items.total_count = 1;
    expect(validateStripeObject(sub)).toEqual([
      'subscription.items.total_count: unknown field',
      'subscription.items.has_more: expected boolean, got undefined',
    ]);
  });

  it('metadata values must be strings', () => {
    const sub = endiveSubscription();
    sub.metadata = { app_user_id: 42 };
    expect(validateStripeObject(sub)).toEqual([
      'subscription.metadata.app_user_id: expected string, got number',
    ]);
  });

  it('a decimal string that is not a number', () => {
    const price = fixture('object.price.recurring_monthly.json');
    price.unit_amount_decimal = '20.00 USD';
    expect(validateStripeObject(price)).toEqual([
      'price.unit_amount_decimal: expected decimal string, got string',
    ]);
  });

  it('an object type nobody knows', () => {
    expect(validateStripeObject({ id: 'wid_1', object: 'widget' })).toEqual([
      'widget.object: unknown object type "widget"',
    ]);
    expect(validateStripeObject('sub_123')).toEqual(['(root): expected a Stripe object, got string']);
  });

  it('checks every item of a top-level list and search result by its own type', () => {
    const good = endiveSubscription();
    const bad = endiveSubscription();
    bad.livemode = 'no';
    const list = { object: 'list', data: [good, bad], has_more: false, url: '/v1/subscriptions' };
    expect(validateStripeObject(list)).toEqual(['list.data[1].livemode: expected boolean, got string']);
    const search = { ...list, object: 'search_result', data: [good], next_page: null };
    expect(validateStripeObject(search)).toEqual([]);
    expect(validateStripeObject({ ...search, next_page: undefined })).toEqual([
      'search_result.next_page: expected string, got undefined',
    ]);
  });

  it('assertStripeShape throws with every problem listed', () => {
    const sub = endiveSubscription();
    sub.status = 'grace_period';
    sub.foo = 1;
    expect(() => assertStripeShape(sub)).toThrow(
      'subscription does not match Stripe\'s shape:\n  subscription.foo: unknown field\n  subscription.status: "grace_period" is not one of active, canceled, incomplete, incomplete_expired, past_due, paused, trialing, unpaid',
    );
    expect(() => assertStripeShape(endiveSubscription())).not.toThrow();
  });
});

describe('error responses', () => {
  it('accepts a card error as Stripe sends it, with the expanded payment intent validated too', () => {
    const body = {
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        charge: 'ch_1',
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
        request_log_url: 'https://dashboard.stripe.com/test/logs/req_1',
      },
    };
    expect(validateStripeObject(body)).toEqual([]);
    const withIntent = {
      error: { ...body.error, payment_intent: fixture('object.payment_intent.succeeded.json') },
    };
    expect(validateStripeObject(withIntent, DAHLIA)).toEqual([]);
    withIntent.error.payment_intent.amount = '2000';
    expect(validateStripeObject(withIntent, DAHLIA)).toEqual([
      'response.error.payment_intent.amount: expected number, got string',
    ]);
  });

  it('catches a bad error type, a missing type, a stray key and a non-string param', () => {
    expect(validateStripeObject({ error: { type: 'oops', message: 'x' } })).toEqual([
      'response.error.type: "oops" is not one of api_error, authentication_error, card_error, idempotency_error, invalid_request_error, rate_limit_error',
    ]);
    expect(validateStripeObject({ error: { message: 'x', param: ['a'] }, status: 400 })).toEqual([
      'response.status: unknown field',
      'response.error.type: expected "api_error" | "authentication_error" | "card_error" | "idempotency_error" | "invalid_request_error" | "rate_limit_error", got undefined',
      'response.error.param: expected string, got array',
    ]);
    expect(() => assertStripeShape({ error: { type: 'idempotency_error', messsage: 'typo' } })).toThrow(
      "response does not match Stripe's shape:\n  response.error.messsage: unknown field",
    );
  });
});

describe('events', () => {
  function planChange(): Json {
    return fixture('event.customer.subscription.updated.plan_change.json');
  }

  it('data.object of the wrong type for the event type', () => {
    const event = planChange();
    event.data.object = fixture('object.invoice.paid.json');
    delete event.data.previous_attributes;
    expect(validateEventEnvelope(event)).toEqual([
      'event.data.object: expected Subscription for customer.subscription.updated, got invoice object',
    ]);
  });

  it('data.object validated by its own type', () => {
    const event = planChange();
    event.data.object.status = 'grace_period';
    expect(validateEventEnvelope(event)).toEqual([
      'event.data.object.status: "grace_period" is not one of active, canceled, incomplete, incomplete_expired, past_due, paused, trialing, unpaid',
    ]);
  });

  it('previous_attributes: known fields of the same type, nested hashes partial, arrays whole', () => {
    const event = planChange();
    expect(Object.keys(event.data.previous_attributes)).toEqual([
      'billing_cycle_anchor',
      'items',
      'latest_invoice',
    ]);
    event.data.previous_attributes.plan = { id: 'plan_1' };
    event.data.previous_attributes.cancel_at_period_end = 'yes';
    event.data.previous_attributes.cancellation_details = { reason: 'cancellation_requested' };
    delete event.data.previous_attributes.items.data[0].current_period_end;
    // An array is sent whole: its hashes cannot be partial (BillingSchedule needs applies_to and bill_until).
    event.data.previous_attributes.billing_schedules = [{ key: 'sched_1' }];
    expect(validateEventEnvelope(event)).toEqual([
      'event.data.previous_attributes.plan: unknown field',
      'event.data.previous_attributes.billing_schedules[0].applies_to: expected array of Subscription.BillingSchedule.AppliesTo, got undefined',
      'event.data.previous_attributes.billing_schedules[0].bill_until: expected Subscription.BillingSchedule.BillUntil, got undefined',
      'event.data.previous_attributes.cancel_at_period_end: expected boolean, got string',
      'event.data.previous_attributes.items.data[0].current_period_end: expected number, got undefined',
    ]);
  });

  it('the envelope: closed event types, required keys, no stray keys', () => {
    const event = planChange();
    event.type = 'customer.subscription.exploded';
    delete event.pending_webhooks;
    event.data.extra = true;
    const problems = validateEventEnvelope(event);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('event.pending_webhooks: expected number, got undefined');
    expect(problems[1]).toMatch(
      /^event\.type: "customer\.subscription\.exploded" is not one of account\.application\.authorized, /,
    );
    expect(problems[2]).toBe('event.data.extra: unknown field');
  });

  it('accepts event types the SDK added after dahlia and rejects non-events', () => {
    const event = planChange();
    event.type = 'customer.subscription.pending_update_applied';
    expect(validateEventEnvelope(event)).toEqual([]);
    expect(validateEventEnvelope(fixture('object.customer.json'))).toEqual([
      'customer: expected event object, got customer object',
    ]);
  });
});

describe('where the shapes come from', () => {
  it('compiles them from the shared schema file when it is beside the repository', () => {
    const { shapes, from } = loadShapes();
    expect(from).toBe('schema');
    expect(shapes.apiVersion).toBe('2026-07-29.dahlia');
    expect(shapes.types.Subscription?.object).toBe('subscription');
    expect(shapes.types['Checkout.Session']?.object).toBe('checkout.session');
    expect(shapes.events['customer.subscription.updated']).toBe('Subscription');
  });
});
