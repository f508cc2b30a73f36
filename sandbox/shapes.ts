/**
 * Factories for every object the sandbox serves, field for field as the installed SDK's types
 * (2026-10-28.endive: dahlia plus `status_details`, `current_trial`, `tax_details`,
 * `allowed_payment_method_types`, `payment_record`, `intended_submission_method`, ...).
 * Values that only exist on real Stripe (risk scores, network ids) are fixed plausible constants.
 */
import { newId, randomChars, type Obj } from './store.js';

export const API_VERSION = '2026-10-28.endive';

export const emptyAddress = () => ({
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
});

export function customerShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'customer',
    address: f.address ?? null,
    balance: f.balance ?? 0,
    created,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: f.description ?? null,
    discount: null,
    email: f.email ?? null,
    invoice_prefix: randomChars(8)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, 'X'),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: f.metadata ?? {},
    name: f.name ?? null,
    next_invoice_sequence: 1,
    phone: f.phone ?? null,
    preferred_locales: f.preferred_locales ?? [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: f.test_clock ?? null,
  };
}

export function productShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'product',
    active: f.active ?? true,
    created,
    default_price: null,
    description: f.description ?? null,
    images: f.images ?? [],
    livemode: false,
    marketing_features: f.marketing_features ?? [],
    metadata: f.metadata ?? {},
    name: f.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: f.statement_descriptor ?? null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: f.unit_label ?? null,
    updated: created,
    url: f.url ?? null,
  };
}

export function priceShape(id: string, created: number, f: Obj): Obj {
  const recurring = f.recurring
    ? {
        interval: f.recurring.interval,
        interval_count: f.recurring.interval_count ?? 1,
        meter: null,
        trial_period_days: f.recurring.trial_period_days ?? null,
        usage_type: 'licensed',
      }
    : null;
  return {
    id,
    object: 'price',
    active: f.active ?? true,
    billing_scheme: 'per_unit',
    created,
    currency: f.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: f.lookup_key ?? null,
    metadata: f.metadata ?? {},
    nickname: f.nickname ?? null,
    product: f.product,
    recurring,
    tax_behavior: f.tax_behavior ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: f.unit_amount,
    unit_amount_decimal: String(f.unit_amount),
  };
}

/** The legacy `plan` mirror Stripe still embeds in subscription items. */
export function planFromPrice(price: Obj): Obj {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: 'licensed',
  };
}

export interface TestCard {
  brand: 'visa' | 'mastercard';
  last4: string;
  fingerprint: string;
  /** How charges behave: succeed, decline at attach and charge, decline only on charge, or need 3DS. */
  behavior: 'ok' | 'decline' | 'charge_fail' | 'auth_required';
  declineCode?: string;
  message?: string;
}

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242', fingerprint: 'Xt5EWLLDS7FJjR1c', behavior: 'ok' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', fingerprint: 'Mc7HqEwJmT2pWk9d', behavior: 'ok' },
  pm_card_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    fingerprint: 'Dc2QwErTyUiOpAs1',
    behavior: 'decline',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    fingerprint: 'If9ZxCvBnMaSdFg2',
    behavior: 'decline',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_chargeCustomerFail: {
    brand: 'visa',
    last4: '0341',
    fingerprint: 'Cf0PoIuYtReWqLk3',
    behavior: 'charge_fail',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    fingerprint: 'Ar3MnBvCxZlKjHg4',
    behavior: 'auth_required',
    declineCode: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
  },
};

export function paymentMethodShape(id: string, created: number, card: TestCard, f: Obj): Obj {
  return {
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: emptyAddress(),
      email: f.email ?? null,
      name: f.name ?? null,
      phone: null,
      tax_id: null,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: 12,
      exp_year: 2034,
      fingerprint: card.fingerprint,
      funding: 'credit',
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: f.metadata ?? {},
    type: 'card',
  };
}

export function subscriptionItemShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'subscription_item',
    billing_thresholds: null,
    created,
    current_period_end: f.current_period_end,
    current_period_start: f.current_period_start,
    current_trial: null,
    discounts: [],
    metadata: f.metadata ?? {},
    // `plan` and `price` are filled from the stored price at render time (see render.ts)
    plan: f.price,
    price: f.price,
    quantity: f.quantity ?? 1,
    subscription: f.subscription,
    tax_rates: [],
  };
}

export function subscriptionShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: f.billing_cycle_anchor,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: { proration_discounts: 'included' }, type: 'flexible', updated_at: created },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: f.collection_method ?? 'charge_automatically',
    created,
    currency: f.currency,
    customer: f.customer,
    customer_account: null,
    days_until_due: f.days_until_due ?? null,
    default_payment_method: f.default_payment_method ?? null,
    default_source: null,
    default_tax_rates: [],
    description: f.description ?? null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: { object: 'list', data: [], has_more: false, url: `/v1/subscription_items?subscription=${id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: f.metadata ?? {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: created,
    status: f.status,
    test_clock: f.test_clock ?? null,
    transfer_data: null,
    trial_end: f.trial_end ?? null,
    trial_settings: {
      end_behavior: {
        billing_cycle_anchor: null,
        missing_payment_method: f.missing_payment_method ?? 'create_invoice',
      },
    },
    trial_start: f.trial_start ?? null,
  };
}

export function invoiceShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Sertantai Sandbox',
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: f.auto_advance ?? true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: f.automatically_finalizes_at ?? null,
    billing_reason: f.billing_reason,
    collection_method: f.collection_method ?? 'charge_automatically',
    created,
    currency: f.currency,
    custom_fields: null,
    customer: f.customer.id,
    customer_account: null,
    customer_address: f.customer.address,
    customer_email: f.customer.email,
    customer_name: f.customer.name,
    customer_phone: f.customer.phone,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: f.description ?? null,
    discounts: [],
    due_date: f.due_date ?? null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: f.metadata ?? {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: f.subscription
      ? {
          quote_details: null,
          subscription_details: { metadata: f.subscription.metadata, subscription: f.subscription.id },
          type: 'subscription_details',
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: f.period_end ?? created,
    period_start: f.period_start ?? created,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: {
      amount_tax_display: null,
      pdf: { page_size: 'auto' },
      template: null,
      template_version: null,
    },
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: f.customer.test_clock ?? null,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

export interface LineInput {
  amount: number;
  currency: string;
  description: string;
  price: Obj;
  quantity: number;
  period: { start: number; end: number };
  subscription: string | null;
  subscriptionItem: string | null;
  proration: boolean;
  invoiceItem: string | null;
  metadata?: Obj;
}

export function lineItemShape(id: string, invoiceId: string, l: LineInput): Obj {
  const fromSubscription = l.subscription !== null && l.subscriptionItem !== null && l.invoiceItem === null;
  return {
    id,
    object: 'line_item',
    amount: l.amount,
    currency: l.currency,
    description: l.description,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: l.metadata ?? {},
    parent: fromSubscription
      ? {
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            proration: l.proration,
            proration_details: { credited_items: null },
            subscription: l.subscription,
            subscription_item: l.subscriptionItem,
          },
          type: 'subscription_item_details',
        }
      : {
          invoice_item_details: {
            invoice_item: l.invoiceItem,
            proration: l.proration,
            proration_details: { credited_items: null },
            subscription: l.subscription,
          },
          subscription_item_details: null,
          type: 'invoice_item_details',
        },
    period: l.period,
    pretax_credit_amounts: [],
    // an amount-only invoice item has no price: `price_details` is then absent
    pricing: l.price.id
      ? {
          price_details: { price: l.price.id, product: l.price.product },
          type: 'price_details',
          unit_amount_decimal: String(l.price.unit_amount),
        }
      : { type: 'price_details', unit_amount_decimal: String(l.price.unit_amount) },
    quantity: l.quantity,
    quantity_decimal: String(l.quantity),
    subscription: l.subscription,
    subtotal: l.amount,
    taxes: [],
  };
}

export function invoiceItemShape(id: string, date: number, f: Obj): Obj {
  return {
    id,
    object: 'invoiceitem',
    amount: f.amount,
    currency: f.currency,
    customer: f.customer,
    customer_account: null,
    date,
    description: f.description ?? null,
    discountable: true,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: f.metadata ?? {},
    net_amount: f.amount,
    parent: f.subscription
      ? {
          subscription_details: {
            subscription: f.subscription,
            subscription_item: f.subscription_item ?? null,
          },
          type: 'subscription_details',
        }
      : null,
    period: f.period ?? { start: date, end: date },
    pricing: f.price
      ? {
          price_details: { price: f.price.id, product: f.price.product },
          type: 'price_details',
          unit_amount_decimal: String(f.price.unit_amount),
        }
      : { type: 'price_details', unit_amount_decimal: String(f.amount) },
    proration: f.proration ?? false,
    quantity: f.quantity ?? 1,
    quantity_decimal: String(f.quantity ?? 1),
    tax_rates: [],
    test_clock: f.test_clock ?? null,
  };
}

export function paymentIntentShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: f.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${randomChars(25)}`,
    confirmation_method: 'automatic',
    created,
    currency: f.currency,
    customer: f.customer ?? null,
    customer_account: null,
    description: f.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: f.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_group: null,
  };
}

export function chargeShape(id: string, created: number, f: Obj): Obj {
  const pm = f.paymentMethod as Obj;
  const ok = f.succeeded as boolean;
  return {
    id,
    object: 'charge',
    amount: f.amount,
    amount_captured: ok ? f.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ok ? newId('txn') : null,
    billing_details: pm.billing_details,
    calculated_statement_descriptor: 'SERTANTAI SANDBOX',
    captured: ok,
    created,
    currency: f.currency,
    customer: f.customer ?? null,
    description: f.description ?? null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: ok ? null : f.failureCode,
    failure_message: ok ? null : f.failureMessage,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: ok
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: 21,
          seller_message: 'Payment complete.',
          type: 'authorized',
        }
      : {
          advice_code: f.declineCode === 'insufficient_funds' ? 'try_again_later' : 'do_not_try_again',
          network_advice_code: null,
          network_decline_code: f.declineCode === 'insufficient_funds' ? '51' : '05',
          network_status: 'declined_by_network',
          reason: f.declineCode,
          risk_level: 'normal',
          risk_score: 21,
          seller_message: `The bank returned the decline code \`${f.declineCode}\`.`,
          type: 'issuer_declined',
        },
    paid: ok,
    payment_intent: f.paymentIntent,
    payment_method: pm.id,
    payment_method_details: {
      card: {
        amount_authorized: ok ? f.amount : 0,
        authorization_code: ok ? '482913' : null,
        brand: pm.card.brand,
        checks: pm.card.checks,
        country: 'US',
        electronic_commerce_indicator: null,
        exp_month: pm.card.exp_month,
        exp_year: pm.card.exp_year,
        extended_authorization: { status: 'disabled' },
        fingerprint: pm.card.fingerprint,
        funding: 'credit',
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: pm.card.last4,
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: pm.card.brand,
        network_token: { used: false },
        network_transaction_id: '104557651805572',
        overcapture: { maximum_amount_capturable: ok ? f.amount : 0, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: ok ? `https://pay.stripe.com/receipts/sandbox/${id}` : null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: ok ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
  };
}

export function invoicePaymentShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'invoice_payment',
    amount_paid: null,
    amount_requested: f.amount,
    created,
    currency: f.currency,
    invoice: f.invoice,
    is_default: true,
    livemode: false,
    payment: { payment_intent: f.paymentIntent, type: 'payment_intent' },
    status: 'open',
    status_transitions: { canceled_at: null, paid_at: null },
  };
}

export function refundShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'refund',
    amount: f.amount,
    balance_transaction: newId('txn'),
    charge: f.charge,
    created,
    currency: f.currency,
    customer: f.customer ?? null,
    customer_account: null,
    destination_details: {
      card: {
        reference: '7428915500731',
        reference_status: 'available',
        reference_type: 'acquirer_reference_number',
        type: 'refund',
      },
      type: 'card',
    },
    metadata: f.metadata ?? {},
    payment_intent: f.payment_intent ?? null,
    payment_method: f.payment_method ?? null,
    reason: f.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

const EVIDENCE_KEYS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
];

export function disputeShape(id: string, created: number, f: Obj): Obj {
  const evidence: Obj = {};
  for (const k of EVIDENCE_KEYS) evidence[k] = null;
  evidence.enhanced_evidence = {};
  return {
    id,
    object: 'dispute',
    amount: f.amount,
    balance_transactions: [
      {
        id: newId('txn'),
        object: 'balance_transaction',
        amount: -f.amount,
        available_on: created,
        balance_type: 'payments',
        created,
        currency: f.currency,
        description: `Chargeback withdrawal for ${f.charge}`,
        exchange_rate: null,
        fee: 1500,
        fee_details: [
          {
            amount: 1500,
            application: null,
            currency: f.currency,
            description: 'Dispute fee',
            type: 'stripe_fee',
          },
        ],
        net: -f.amount - 1500,
        reporting_category: 'dispute',
        source: id,
        status: 'available',
        type: 'adjustment',
      },
    ],
    charge: f.charge,
    created,
    currency: f.currency,
    enhanced_eligibility_types: [],
    evidence,
    evidence_details: {
      due_by: created + 21 * 86400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: f.payment_intent ?? null,
    payment_method_details: {
      card: {
        brand: f.brand ?? 'visa',
        case_type: 'chargeback',
        network: f.brand ?? 'visa',
        network_reason_code: '10.4',
      },
      type: 'card',
    },
    reason: f.reason ?? 'fraudulent',
    status: 'needs_response',
  };
}

export function couponShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'coupon',
    amount_off: f.amount_off ?? null,
    created,
    currency: f.amount_off !== undefined && f.amount_off !== null ? f.currency : null,
    duration: f.duration ?? 'once',
    duration_in_months: f.duration === 'repeating' ? f.duration_in_months : null,
    livemode: false,
    max_redemptions: f.max_redemptions ?? null,
    metadata: f.metadata ?? {},
    name: f.name ?? null,
    percent_off: f.percent_off ?? null,
    redeem_by: f.redeem_by ?? null,
    times_redeemed: 0,
    valid: true,
  };
}

export function promotionCodeShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'promotion_code',
    active: f.active ?? true,
    code: f.code,
    created,
    customer: f.customer ?? null,
    customer_account: null,
    expires_at: f.expires_at ?? null,
    livemode: false,
    max_redemptions: f.max_redemptions ?? null,
    metadata: f.metadata ?? {},
    promotion: { coupon: f.coupon, type: 'coupon' },
    restrictions: {
      first_time_transaction: f.first_time_transaction ?? false,
      minimum_amount: f.minimum_amount ?? null,
      minimum_amount_currency: f.minimum_amount_currency ?? null,
    },
    times_redeemed: 0,
  };
}

export function discountShape(id: string, start: number, f: Obj): Obj {
  return {
    id,
    object: 'discount',
    checkout_session: f.checkout_session ?? null,
    customer: f.customer ?? null,
    customer_account: null,
    end: f.end ?? null,
    invoice: null,
    invoice_item: null,
    promotion_code: f.promotion_code ?? null,
    source: { coupon: f.coupon, type: 'coupon' },
    start,
    subscription: f.subscription ?? null,
    subscription_item: null,
  };
}

export function testClockShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'test_helpers.test_clock',
    created,
    deletes_after: created + 30 * 86400,
    frozen_time: f.frozen_time,
    livemode: false,
    name: f.name ?? null,
    status: 'ready',
    status_details: {},
  };
}

export function webhookEndpointShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'webhook_endpoint',
    api_version: f.api_version ?? null,
    application: null,
    created,
    description: f.description ?? null,
    enabled_events: f.enabled_events,
    livemode: false,
    metadata: f.metadata ?? {},
    status: 'enabled',
    url: f.url,
  };
}

export function eventShape(id: string, created: number, f: Obj): Obj {
  return {
    id,
    object: 'event',
    api_version: API_VERSION,
    created,
    data: f.previous_attributes
      ? { object: f.object, previous_attributes: f.previous_attributes }
      : { object: f.object },
    livemode: false,
    pending_webhooks: f.pending_webhooks ?? 0,
    request: { id: f.requestId ?? null, idempotency_key: f.idempotencyKey ?? null },
    type: f.type,
  };
}
