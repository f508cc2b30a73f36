/**
 * Where the installed SDK (stripe 23.1.0, API version 2026-10-28.endive) differs from the dahlia field lists
 * in ../shared/stripe/schema.2026-07-29.dahlia.from-stripe-node.json, for the types the sandbox serves.
 * SDK types win: the validator applies this table on top of the compiled schema shapes.
 *
 * Found with `npx tsx sandbox/conformance/sdk-diff.ts` (it compiles node_modules/stripe/esm/resources/*.d.ts
 * the same way as the schema file and lists every difference); each entry's `why` quotes the stripe-node
 * CHANGELOG line that introduced it (22.6.0, 23.0.0 or 23.1.0) or says why the schema file differs.
 * overrides.test.ts fails when the table and the installed SDK disagree, so an SDK upgrade shows up there.
 *
 * Objects rendered at an older API version (the dahlia fixtures in ../shared/stripe/events, or an event whose
 * `api_version` is older) may lack the fields this table adds: see applyOverrides(..., { olderVersion }).
 */
import type { Alt, FieldShape, ObjectShape, Shapes } from './compile-shapes.js';

/** The API version the installed SDK pins (overrides.test.ts checks it against Stripe.API_VERSION). */
export const SDK_API_VERSION = '2026-10-28.endive';

export type Override =
  /** A field added, or whose shape changed (optionality, nullability, types). */
  | { at: string; why: string; field: FieldShape }
  /** Enum values the SDK added (or dropped) on an existing field. */
  | { at: string; why: string; addEnum?: string[]; removeEnum?: string[] }
  /** A field the SDK no longer has. */
  | { at: string; why: string; remove: true }
  /** A sub-object type the SDK added (reached through an added field). */
  | { type: string; why: string; fields: Record<string, FieldShape> }
  /** An event type whose `data.object` type the schema file does not list. */
  | { event: string; why: string; object: string };

/** A field that is always present; `null` in the list makes it nullable. */
function req(...types: (Alt | null)[]): FieldShape {
  return {
    types: types.filter((t): t is Alt => t !== null),
    nullable: types.includes(null),
    optional: false,
  };
}
/** A field that may be absent. */
function opt(...types: (Alt | null)[]): FieldShape {
  return { ...req(...types), optional: true };
}

export const OVERRIDES: Override[] = [
  {
    at: 'BalanceTransaction.source',
    why: 'the schema file kept only the name BalanceTransactionSource; the SDK spells out the union, of which Charge, Dispute, Refund and Payout-like objects matter here',
    field: req(
      'string',
      { opaque: 'ApplicationFee' },
      { ref: 'Charge' },
      { opaque: 'ConnectCollectionTransfer' },
      { opaque: 'CustomerCashBalanceTransaction' },
      { ref: 'Dispute' },
      { opaque: 'FeeRefund' },
      { opaque: 'Issuing.Authorization' },
      { opaque: 'Issuing.Dispute' },
      { opaque: 'Issuing.Transaction' },
      { opaque: 'Payout' },
      { ref: 'Refund' },
      { opaque: 'ReserveTransaction' },
      { opaque: 'TaxDeductedAtSource' },
      { opaque: 'Topup' },
      { opaque: 'Transfer' },
      { opaque: 'TransferReversal' },
      null,
    ),
  },
  {
    at: 'BalanceTransaction.type',
    why: '23.0.0: Add support for new values `issuing_dispute_provisional_credit_reversal` and `issuing_dispute_provisional_credit` on enum `BalanceTransaction.type`',
    addEnum: ['issuing_dispute_provisional_credit', 'issuing_dispute_provisional_credit_reversal'],
  },
  {
    at: 'BillingPortal.Session.after_expiration',
    why: '23.1.0: Add support for `after_expiration` on `BillingPortal.SessionCreateParams` and `BillingPortal.Session`',
    field: opt({ ref: 'BillingPortal.Session.AfterExpiration' }, null),
  },
  {
    at: 'BillingPortal.Session.Flow.type',
    why: '22.6.0: Add support for new value `customer_update` on enums `BillingPortal.Session.flow.type` and `BillingPortal.SessionCreateParams.flow_data.type`',
    addEnum: ['customer_update', 'subscription_pause'],
  },
  {
    at: 'BillingPortal.Session.Flow.customer_update',
    why: '22.6.0: Add support for new value `customer_update` on enums `BillingPortal.Session.flow.type` and `BillingPortal.SessionCreateParams.flow_data.type`',
    field: req({ ref: 'BillingPortal.Session.Flow.CustomerUpdate' }, null),
  },
  {
    at: 'BillingPortal.Session.Flow.subscription_pause',
    why: '23.1.0: Add support for `subscription_pause` on `BillingPortal.Configuration.features`, `BillingPortal.ConfigurationCreateParams.features`, `BillingPortal.Configurat...',
    field: req({ ref: 'BillingPortal.Session.Flow.SubscriptionPause' }, null),
  },
  {
    at: 'Charge.PaymentMethodDetails.paypay',
    why: '23.0.0: Add support for `paypay` on `Charge.payment_method_details`, `ConfirmationToken.payment_method_preview`, `ConfirmationTokenCreateParams.testHelpers.payment_m...',
    field: opt({ ref: 'Charge.PaymentMethodDetails.Paypay' }),
  },
  {
    at: 'Charge.PaymentMethodDetails.sequra',
    why: '23.0.0: Add support for `sequra` on `Charge.payment_method_details`, `Checkout.Session.payment_method_options`, `Checkout.SessionCreateParams.payment_method_options`...',
    field: opt({ ref: 'Charge.PaymentMethodDetails.Sequra' }),
  },
  {
    at: 'Charge.PaymentMethodDetails.Card.mandate',
    why: 'the SDK types the mandate as expandable (string | Mandate); the schema file had string only',
    field: req('string', { opaque: 'Mandate' }, null),
  },
  {
    at: 'Charge.PaymentMethodDetails.Card.electronic_commerce_indicator',
    why: '23.0.0: Add support for `electronic_commerce_indicator` on `Charge.payment_method_details.card`',
    field: req('string', null),
  },
  {
    at: 'Charge.PaymentMethodDetails.Card.setup_credential_usage',
    why: '23.1.0: Add support for `setup_credential_usage` on `Charge.payment_method_details.card`, `PaymentIntent.payment_method_options.card`, `PaymentIntentConfirmParams.pa...',
    field: opt({ enum: ['installment', 'recurring', 'unscheduled'] }),
  },
  {
    at: 'Charge.PaymentMethodDetails.Card.stored_credential_usage',
    why: '23.1.0: Add support for `stored_credential_usage` on `Charge.payment_method_details.card`, `PaymentAttemptRecord.payment_method_details.card`, `PaymentIntent.payment...',
    field: opt({ enum: ['installment', 'recurring', 'unscheduled'] }),
  },
  {
    at: 'Charge.PaymentMethodDetails.Card.Wallet.Link.funding_source_group',
    why: '22.6.0: Add support for `funding_source_group` on `Charge.payment_method_details.card.wallet.link` and `Charge.payment_method_details.link`',
    field: req('string', null),
  },
  {
    at: 'Charge.PaymentMethodDetails.Crypto.token_currency',
    why: '23.1.0: Add support for new value `ousd` on enums `Charge.payment_method_details.crypto.token_currency`, `PaymentAttemptRecord.payment_method_details.crypto.token_cu...',
    addEnum: ['ousd'],
  },
  {
    at: 'Charge.PaymentMethodDetails.Link.funding_source_group',
    why: '22.6.0: Add support for `funding_source_group` on `Charge.payment_method_details.card.wallet.link` and `Charge.payment_method_details.link`',
    field: opt('string'),
  },
  {
    at: 'Checkout.Session.locale',
    why: '23.1.0: Add support for new value `hi-IN` on enums `Checkout.Session.locale` and `Checkout.SessionCreateParams.locale`',
    addEnum: ['hi-IN'],
  },
  {
    at: 'Checkout.Session.allowed_payment_method_types',
    why: '23.0.0: Add support for `allowed_payment_method_types` on `Checkout.SessionCreateParams` and `Checkout.Session`',
    field: req({ array: ['string'] }, null),
  },
  {
    at: 'Checkout.Session.CustomerDetails.TaxId.type',
    why: '23.1.0: Add support for new values `au_acn`, `au_wpn`, `bw_vat`, `ci_vat`, `cz_dic`, `fr_siren`, `fr_siret`, `fr_spi`, `gh_tin`, `is_kt`, `md_cf`, `mu_vat`, `mz_nuit...',
    addEnum: [
      'au_acn',
      'au_wpn',
      'bw_vat',
      'ci_vat',
      'cz_dic',
      'fr_siren',
      'fr_siret',
      'fr_spi',
      'gh_tin',
      'is_kt',
      'md_cf',
      'mu_vat',
      'mz_nuit',
      'nz_bn',
      'pt_nif',
      'sm_coe',
      'tt_bir',
      'tt_vat',
    ],
  },
  {
    at: 'Checkout.Session.PaymentMethodOptions.sequra',
    why: '23.0.0: Add support for `sequra` on `Charge.payment_method_details`, `Checkout.Session.payment_method_options`, `Checkout.SessionCreateParams.payment_method_options`...',
    field: opt({ ref: 'Checkout.Session.PaymentMethodOptions.Sequra' }),
  },
  {
    at: 'Checkout.Session.PaymentMethodOptions.Bancontact.setup_future_usage',
    why: '23.0.0: Change type of `Checkout.Session.payment_method_options.bancontact.setup_future_usage` from literal(none) to enum(none|off_session)',
    addEnum: ['off_session'],
  },
  {
    at: 'Checkout.Session.PaymentMethodOptions.Card.Restrictions.funding_types_blocked',
    why: '22.6.0: Add support for `funding_types_blocked` on `Checkout.Session.payment_method_options.card.restrictions` and `Checkout.SessionCreateParams.payment_method_optio...',
    field: opt({ array: [{ enum: ['credit', 'debit', 'prepaid'] }] }),
  },
  {
    at: 'Dispute.status',
    why: '23.1.0: Add support for new values `appeal_needs_response` and `appeal_under_review` on enum `Dispute.status`',
    addEnum: ['appeal_needs_response', 'appeal_under_review'],
  },
  {
    at: 'Dispute.intended_submission_method',
    why: '23.1.0: Add support for `intended_submission_method` on `DisputeUpdateParams` and `Dispute`',
    field: req({ enum: ['manual', 'prefer_manual', 'prefer_smart_disputes', 'smart_disputes'] }, null),
  },
  {
    at: 'Dispute.Evidence.appeal',
    why: '23.1.0: Add support for `appeal` on `Dispute.evidence` and `DisputeUpdateParams.evidence`',
    field: opt({ ref: 'Dispute.Evidence.Appeal' }, null),
  },
  {
    at: 'Dispute.EvidenceDetails.submission_method',
    why: '23.1.0: Add support for `submission_method` on `Dispute.evidence_details`',
    field: req({ enum: ['manual', 'not_submitted', 'smart_disputes'] }),
  },
  {
    at: 'EventBase.type',
    why: '23.0.0: Add support for new values `apps.install.created`, `apps.install.deleted`, and `apps.install.updated` on enum `Event.type`',
    addEnum: [
      'apps.install.created',
      'apps.install.deleted',
      'apps.install.updated',
      'three_d_secure.authentication.canceled',
      'three_d_secure.authentication.challenge_started',
      'three_d_secure.authentication.errored',
      'three_d_secure.authentication.failed',
      'three_d_secure.authentication.requires_challenge',
      'three_d_secure.authentication.requires_submission',
      'three_d_secure.authentication.succeeded',
    ],
  },
  {
    at: 'Invoice.status_details',
    why: '23.0.0: Add support for `status_details` on `Invoice` and `Subscription`',
    field: opt({ ref: 'Invoice.StatusDetails' }),
  },
  {
    at: 'Invoice.CustomerTaxId.type',
    why: '23.1.0: Add support for new values `au_acn`, `au_wpn`, `bw_vat`, `ci_vat`, `cz_dic`, `fr_siren`, `fr_siret`, `fr_spi`, `gh_tin`, `is_kt`, `md_cf`, `mu_vat`, `mz_nuit...',
    addEnum: [
      'au_acn',
      'au_wpn',
      'bw_vat',
      'ci_vat',
      'cz_dic',
      'fr_siren',
      'fr_siret',
      'fr_spi',
      'gh_tin',
      'is_kt',
      'md_cf',
      'mu_vat',
      'mz_nuit',
      'nz_bn',
      'pt_nif',
      'sm_coe',
      'tt_bir',
      'tt_vat',
    ],
  },
  {
    at: 'Invoice.LastFinalizationError.code',
    why: '22.6.0: Add support for error codes `authentication_failure`, `capability_not_active`, `expired_payment_method`, `incorrect_postal_code`, `invalid_canceled_subscript...',
    addEnum: [
      'authentication_failure',
      'capability_not_active',
      'dispute_evidence_page_limit_exceeded',
      'expired_payment_method',
      'financial_connections_consent_locale_invalid',
      'financial_connections_consent_locale_unsupported',
      'incorrect_postal_code',
      'invalid_canceled_subscription_fields',
      'payment_evaluation_on_api_version_not_supported',
      'payment_method_restricted',
      'smart_disputes_not_available',
      'subscription_update_trial_after_billing_cycle_anchor',
      'three_d_secure_authentication_not_supported',
      'three_d_secure_authentication_upstream_error',
    ],
  },
  {
    at: 'Invoice.PaymentSettings.payment_method_types',
    why: '22.6.0: Add support for `billie` on `Invoice.payment_settings.payment_method_options`, `InvoiceCreateParams.payment_settings.payment_method_options`, `InvoiceUpdateP...',
    addEnum: ['billie', 'blik', 'sequra'],
  },
  {
    at: 'Invoice.PaymentSettings.PaymentMethodOptions.billie',
    why: '22.6.0: Add support for `billie` on `Invoice.payment_settings.payment_method_options`, `InvoiceCreateParams.payment_settings.payment_method_options`, `InvoiceUpdateP...',
    field: opt({ ref: 'Invoice.PaymentSettings.PaymentMethodOptions.Billie' }, null),
  },
  {
    at: 'Invoice.PaymentSettings.PaymentMethodOptions.blik',
    why: '23.0.0: Add support for `blik` on `Checkout.SessionCreateParams.payment_method_options`, `Invoice.payment_settings.payment_method_options`, `InvoiceCreateParams.paym...',
    field: opt({ ref: 'Invoice.PaymentSettings.PaymentMethodOptions.Blik' }, null),
  },
  {
    at: 'InvoiceItem.frozen_fields',
    why: '22.6.0: Add support for `frozen_fields` on `InvoiceItem`',
    field: opt({ array: [{ enum: ['discounts', 'pricing', 'quantity'] }] }),
  },
  {
    at: 'InvoiceItem.invoicing_rules',
    why: '23.0.0: Add support for `invoicing_rules` on `InvoiceItemUpdateParams` and `InvoiceItem`',
    field: opt({ array: [{ ref: 'InvoiceItem.InvoicingRule' }] }),
  },
  {
    at: 'PaymentIntent.allowed_payment_method_types',
    why: '23.0.0: the field became always present (null when unset) and gained values (card_present, interac_present, paypay, sequra...)',
    field: req(
      {
        array: [
          {
            enum: [
              'acss_debit',
              'affirm',
              'afterpay_clearpay',
              'alipay',
              'alma',
              'amazon_pay',
              'au_becs_debit',
              'bacs_debit',
              'bancontact',
              'billie',
              'bizum',
              'blik',
              'boku_promptpay',
              'boleto',
              'capchase_pay',
              'card',
              'card_present',
              'cashapp',
              'check_scan',
              'click_to_pay',
              'crypto',
              'customer_balance',
              'demo_pay',
              'duitnow',
              'dummy_auth_push',
              'dummy_passthrough_card',
              'edenred',
              'eps',
              'fpx',
              'gcash',
              'getbalance',
              'gift_card',
              'giropay',
              'gopay',
              'grabpay',
              'id_bank_transfer',
              'ideal',
              'interac_present',
              'kakao_pay',
              'klarna',
              'knet',
              'konbini',
              'kr_card',
              'kr_market',
              'kriya',
              'link',
              'mb_way',
              'mobilepay',
              'momo',
              'mondu',
              'multibanco',
              'naver_pay',
              'netbanking',
              'ng_bank',
              'ng_bank_transfer',
              'ng_card',
              'ng_market',
              'ng_ussd',
              'ng_wallet',
              'nz_bank_account',
              'octopus',
              'oxxo',
              'p24',
              'paper_check',
              'pay_by_bank',
              'payco',
              'paynow',
              'paypal',
              'paypay',
              'payto',
              'pix',
              'promptpay',
              'qris',
              'rechnung',
              'revolut_pay',
              'samsung_pay',
              'satispay',
              'scalapay',
              'sepa_debit',
              'sequra',
              'shop_pay',
              'shopeepay',
              'sofort',
              'south_korea_market',
              'stripe_balance',
              'sunbit',
              'swish',
              'tamara',
              'test_pay',
              'touch_n_go',
              'truemoney',
              'twint',
              'upi',
              'us_bank_account',
              'us_cash_voucher',
              'vipps',
              'wechat_pay',
              'wero',
              'zip',
            ],
          },
        ],
      },
      null,
    ),
  },
  {
    at: 'PaymentIntent.excluded_payment_method_types',
    why: '23.0.0: Add support for `paypay` on `Charge.payment_method_details`, `ConfirmationToken.payment_method_preview`, `ConfirmationTokenCreateParams.testHelpers.payment_m...',
    addEnum: ['paypay', 'sequra'],
  },
  {
    at: 'PaymentIntent.payment_record',
    why: '23.0.0: Add support for `payment_record` on `PaymentIntent`',
    field: req('string', { opaque: 'PaymentRecord' }, null),
  },
  {
    at: 'PaymentIntent.LastPaymentError.code',
    why: '22.6.0: Add support for error codes `authentication_failure`, `capability_not_active`, `expired_payment_method`, `incorrect_postal_code`, `invalid_canceled_subscript...',
    addEnum: [
      'authentication_failure',
      'capability_not_active',
      'dispute_evidence_page_limit_exceeded',
      'expired_payment_method',
      'financial_connections_consent_locale_invalid',
      'financial_connections_consent_locale_unsupported',
      'incorrect_postal_code',
      'invalid_canceled_subscription_fields',
      'payment_evaluation_on_api_version_not_supported',
      'payment_method_restricted',
      'smart_disputes_not_available',
      'subscription_update_trial_after_billing_cycle_anchor',
      'three_d_secure_authentication_not_supported',
      'three_d_secure_authentication_upstream_error',
    ],
  },
  {
    at: 'PaymentIntent.NextAction.SwishHandleRedirectOrDisplayQrCode.QrCode.expires_at',
    why: '23.0.0: Add support for `expires_at` on `PaymentIntent.next_action.swish_handle_redirect_or_display_qr_code.qr_code`',
    field: req('number'),
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.paypay',
    why: '23.0.0: Add support for `paypay` on `Charge.payment_method_details`, `ConfirmationToken.payment_method_preview`, `ConfirmationTokenCreateParams.testHelpers.payment_m...',
    field: opt({ ref: 'PaymentIntent.PaymentMethodOptions.Paypay' }),
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.sequra',
    why: '23.0.0: Add support for `sequra` on `Charge.payment_method_details`, `Checkout.Session.payment_method_options`, `Checkout.SessionCreateParams.payment_method_options`...',
    field: opt({ ref: 'PaymentIntent.PaymentMethodOptions.Sequra' }),
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.Billie.company_details',
    why: '23.0.0: Add support for `company_details` on `Invoice.payment_settings.payment_method_options.billie`, `InvoiceCreateParams.payment_settings.payment_method_options.b...',
    field: opt({ ref: 'PaymentIntent.PaymentMethodOptions.Billie.CompanyDetails' }),
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.Billie.reference',
    why: '23.0.0: Add support for `reference` on `Invoice.payment_settings.payment_method_options.billie`, `InvoiceCreateParams.payment_settings.payment_method_options.billie`...',
    field: opt('string', null),
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.Blik.setup_future_usage',
    why: '23.0.0: Change type of `PaymentIntent.payment_method_options.blik.setup_future_usage` from literal(none) to enum(none|off_session)',
    addEnum: ['off_session'],
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.Blik.mandate_options',
    why: '23.0.0: Add support for `mandate_options` on `PaymentIntent.payment_method_options.blik`, `PaymentIntentConfirmParams.payment_method_options.blik`, `PaymentIntentCre...',
    field: opt({ ref: 'PaymentIntent.PaymentMethodOptions.Blik.MandateOptions' }),
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.Card.setup_credential_usage',
    why: '23.1.0: Add support for `setup_credential_usage` on `Charge.payment_method_details.card`, `PaymentIntent.payment_method_options.card`, `PaymentIntentConfirmParams.pa...',
    field: opt({ enum: ['installment', 'recurring', 'unscheduled'] }),
  },
  {
    at: 'PaymentIntent.PaymentMethodOptions.Card.stored_credential_usage',
    why: '23.1.0: Add support for `stored_credential_usage` on `Charge.payment_method_details.card`, `PaymentAttemptRecord.payment_method_details.card`, `PaymentIntent.payment...',
    field: opt({ enum: ['installment', 'recurring', 'unscheduled'] }),
  },
  {
    at: 'PaymentMethod.type',
    why: '23.0.0: Add support for `paypay` on `Charge.payment_method_details`, `ConfirmationToken.payment_method_preview`, `ConfirmationTokenCreateParams.testHelpers.payment_m...',
    addEnum: ['paypay', 'sequra'],
  },
  {
    at: 'PaymentMethod.paypay',
    why: '23.0.0: Add support for `paypay` on `Charge.payment_method_details`, `ConfirmationToken.payment_method_preview`, `ConfirmationTokenCreateParams.testHelpers.payment_m...',
    field: opt({ ref: 'PaymentMethod.Paypay' }),
  },
  {
    at: 'PaymentMethod.sequra',
    why: '23.0.0: Add support for `sequra` on `Charge.payment_method_details`, `Checkout.Session.payment_method_options`, `Checkout.SessionCreateParams.payment_method_options`...',
    field: opt({ ref: 'PaymentMethod.Sequra' }),
  },
  {
    at: 'Product.tax_details',
    why: '23.0.0: Add support for `tax_details` on `Checkout.SessionCreateParams.line_items[].price_data.product_data`, `Checkout.SessionUpdateParams.line_items[].price_data.p...',
    field: req({ ref: 'Product.TaxDetails' }, null),
  },
  {
    at: 'Refund.DestinationDetails.AfterpayClearpay.reference',
    why: '23.1.0: Add support for `reference_status` and `reference` on `Refund.destination_details.afterpay_clearpay`, `Refund.destination_details.klarna`, and `Refund.destin...',
    field: req('string', null),
  },
  {
    at: 'Refund.DestinationDetails.AfterpayClearpay.reference_status',
    why: '23.1.0: Add support for `reference_status` and `reference` on `Refund.destination_details.afterpay_clearpay`, `Refund.destination_details.klarna`, and `Refund.destin...',
    field: req('string', null),
  },
  {
    at: 'Refund.DestinationDetails.Klarna.reference',
    why: '23.1.0: Add support for `reference_status` and `reference` on `Refund.destination_details.afterpay_clearpay`, `Refund.destination_details.klarna`, and `Refund.destin...',
    field: req('string', null),
  },
  {
    at: 'Refund.DestinationDetails.Klarna.reference_status',
    why: '23.1.0: Add support for `reference_status` and `reference` on `Refund.destination_details.afterpay_clearpay`, `Refund.destination_details.klarna`, and `Refund.destin...',
    field: req('string', null),
  },
  {
    at: 'Refund.DestinationDetails.Paypal.reference',
    why: '23.1.0: Add support for `reference_status` and `reference` on `Refund.destination_details.afterpay_clearpay`, `Refund.destination_details.klarna`, and `Refund.destin...',
    field: req('string', null),
  },
  {
    at: 'Refund.DestinationDetails.Paypal.reference_status',
    why: '23.1.0: Add support for `reference_status` and `reference` on `Refund.destination_details.afterpay_clearpay`, `Refund.destination_details.klarna`, and `Refund.destin...',
    field: req('string', null),
  },
  {
    at: 'SetupIntent.allowed_payment_method_types',
    why: '23.0.0: the field became always present (null when unset) and gained values',
    field: req(
      {
        array: [
          {
            enum: [
              'acss_debit',
              'affirm',
              'afterpay_clearpay',
              'alipay',
              'alma',
              'amazon_pay',
              'au_becs_debit',
              'bacs_debit',
              'bancontact',
              'billie',
              'bizum',
              'blik',
              'boku_promptpay',
              'boleto',
              'capchase_pay',
              'card',
              'card_present',
              'cashapp',
              'check_scan',
              'click_to_pay',
              'crypto',
              'customer_balance',
              'demo_pay',
              'duitnow',
              'dummy_auth_push',
              'dummy_passthrough_card',
              'edenred',
              'eps',
              'fpx',
              'gcash',
              'getbalance',
              'gift_card',
              'giropay',
              'gopay',
              'grabpay',
              'id_bank_transfer',
              'ideal',
              'interac_present',
              'kakao_pay',
              'klarna',
              'knet',
              'konbini',
              'kr_card',
              'kr_market',
              'kriya',
              'link',
              'mb_way',
              'mobilepay',
              'momo',
              'mondu',
              'multibanco',
              'naver_pay',
              'netbanking',
              'ng_bank',
              'ng_bank_transfer',
              'ng_card',
              'ng_market',
              'ng_ussd',
              'ng_wallet',
              'nz_bank_account',
              'octopus',
              'oxxo',
              'p24',
              'paper_check',
              'pay_by_bank',
              'payco',
              'paynow',
              'paypal',
              'paypay',
              'payto',
              'pix',
              'promptpay',
              'qris',
              'rechnung',
              'revolut_pay',
              'samsung_pay',
              'satispay',
              'scalapay',
              'sepa_debit',
              'sequra',
              'shop_pay',
              'shopeepay',
              'sofort',
              'south_korea_market',
              'stripe_balance',
              'sunbit',
              'swish',
              'tamara',
              'test_pay',
              'touch_n_go',
              'truemoney',
              'twint',
              'upi',
              'us_bank_account',
              'us_cash_voucher',
              'vipps',
              'wechat_pay',
              'wero',
              'zip',
            ],
          },
        ],
      },
      null,
    ),
  },
  {
    at: 'SetupIntent.excluded_payment_method_types',
    why: '23.0.0: Add support for `paypay` on `Charge.payment_method_details`, `ConfirmationToken.payment_method_preview`, `ConfirmationTokenCreateParams.testHelpers.payment_m...',
    addEnum: ['paypay', 'sequra'],
  },
  {
    at: 'SetupIntent.LastSetupError.code',
    why: '22.6.0: Add support for error codes `authentication_failure`, `capability_not_active`, `expired_payment_method`, `incorrect_postal_code`, `invalid_canceled_subscript...',
    addEnum: [
      'authentication_failure',
      'capability_not_active',
      'dispute_evidence_page_limit_exceeded',
      'expired_payment_method',
      'financial_connections_consent_locale_invalid',
      'financial_connections_consent_locale_unsupported',
      'incorrect_postal_code',
      'invalid_canceled_subscription_fields',
      'payment_evaluation_on_api_version_not_supported',
      'payment_method_restricted',
      'smart_disputes_not_available',
      'subscription_update_trial_after_billing_cycle_anchor',
      'three_d_secure_authentication_not_supported',
      'three_d_secure_authentication_upstream_error',
    ],
  },
  {
    at: 'SetupIntent.PaymentMethodOptions.blik',
    why: '23.0.0: Add support for `blik` on `Checkout.SessionCreateParams.payment_method_options`, `Invoice.payment_settings.payment_method_options`, `InvoiceCreateParams.paym...',
    field: opt({ ref: 'SetupIntent.PaymentMethodOptions.Blik' }),
  },
  {
    at: 'SetupIntent.PaymentMethodOptions.Card.setup_credential_usage',
    why: '23.1.0: Add support for `setup_credential_usage` on `Charge.payment_method_details.card`, `PaymentIntent.payment_method_options.card`, `PaymentIntentConfirmParams.pa...',
    field: opt({ enum: ['installment', 'recurring', 'unscheduled'] }),
  },
  {
    at: 'Subscription.status_details',
    why: '23.0.0: Add support for `status_details` on `Invoice` and `Subscription`',
    field: opt({ ref: 'Subscription.StatusDetails' }),
  },
  {
    at: 'Subscription.CancellationDetails.feedback_option',
    why: '22.6.0: Add support for `feedback_option` on `Subscription.cancellation_details`, `SubscriptionCancelParams.cancellation_details`, and `SubscriptionUpdateParams.canc...',
    field: req('string', { opaque: 'Billing.FeedbackOption' }, null),
  },
  {
    at: 'Subscription.PaymentSettings.payment_method_types',
    why: '22.6.0: Add support for `billie` on `Invoice.payment_settings.payment_method_options`, `InvoiceCreateParams.payment_settings.payment_method_options`, `InvoiceUpdateP...',
    addEnum: ['billie', 'blik', 'sequra'],
  },
  {
    at: 'Subscription.PaymentSettings.PaymentMethodOptions.billie',
    why: '22.6.0: Add support for `billie` on `Invoice.payment_settings.payment_method_options`, `InvoiceCreateParams.payment_settings.payment_method_options`, `InvoiceUpdateP...',
    field: opt({ ref: 'Subscription.PaymentSettings.PaymentMethodOptions.Billie' }, null),
  },
  {
    at: 'Subscription.PaymentSettings.PaymentMethodOptions.blik',
    why: '23.0.0: Add support for `blik` on `Checkout.SessionCreateParams.payment_method_options`, `Invoice.payment_settings.payment_method_options`, `InvoiceCreateParams.paym...',
    field: opt({ ref: 'Subscription.PaymentSettings.PaymentMethodOptions.Blik' }, null),
  },
  {
    at: 'Subscription.PendingUpdate.cancel_at_period_end',
    why: '23.0.0: Add support for `cancel_at_period_end` on `Subscription.pending_update`',
    field: req('boolean', null),
  },
  {
    at: 'Subscription.TrialSettings.EndBehavior.billing_cycle_anchor',
    why: '23.0.0: Add support for `billing_cycle_anchor` on `Subscription.trial_settings.end_behavior`, `SubscriptionCreateParams.trial_settings.end_behavior`, and `Subscripti...',
    field: req({ enum: ['now', 'unchanged'] }, null),
  },
  {
    at: 'SubscriptionItem.current_trial',
    why: '23.0.0: Add support for `current_trial` on `InvoiceCreatePreviewParams.subscription_details.items[]`, `SubscriptionCreateParams.items[]`, `SubscriptionItemCreatePara...',
    field: req({ ref: 'SubscriptionItem.CurrentTrial' }, null),
  },
  {
    type: 'BillingPortal.Session.AfterExpiration',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      customer_login: req({ ref: 'BillingPortal.Session.AfterExpiration.CustomerLogin' }, null),
      type: req({ enum: ['customer_login'] }),
    },
  },
  {
    type: 'BillingPortal.Session.AfterExpiration.CustomerLogin',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      expires_at: req('number', null),
    },
  },
  {
    type: 'BillingPortal.Session.Flow.CustomerUpdate',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {},
  },
  {
    type: 'BillingPortal.Session.Flow.SubscriptionPause',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      subscription: req('string'),
    },
  },
  {
    type: 'Charge.PaymentMethodDetails.Paypay',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {},
  },
  {
    type: 'Charge.PaymentMethodDetails.Sequra',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      transaction_id: req('string', null),
    },
  },
  {
    type: 'Checkout.Session.PaymentMethodOptions.Sequra',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      capture_method: opt({ enum: ['manual'] }),
    },
  },
  {
    type: 'Dispute.Evidence.Appeal',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      card: opt({ ref: 'Dispute.Evidence.Appeal.Card' }),
    },
  },
  {
    type: 'Dispute.Evidence.Appeal.Card',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      reason_for_filing: opt('string'),
      supporting_files: opt({ array: ['string'] }),
    },
  },
  {
    type: 'Invoice.PaymentSettings.PaymentMethodOptions.Billie',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      company_details: opt({ ref: 'Invoice.PaymentSettings.PaymentMethodOptions.Billie.CompanyDetails' }),
      reference: opt('string', null),
    },
  },
  {
    type: 'Invoice.PaymentSettings.PaymentMethodOptions.Billie.CompanyDetails',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      registered_address: opt({ ref: 'Address' }),
      registered_name: req('string', null),
      registration_number: req('string', null),
      registration_type: opt({
        enum: [
          'ch_ein',
          'de_hrb',
          'dk_cvr',
          'es_cif',
          'fi_tunnus',
          'fr_siren',
          'fr_siret',
          'it_rea',
          'nl_kvk',
          'no_org_number',
          'no_pno',
          'se_org_number',
          'se_pno',
          'uk_crn',
        ],
      }),
      vat: req('string', null),
    },
  },
  {
    type: 'Invoice.PaymentSettings.PaymentMethodOptions.Blik',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {},
  },
  {
    type: 'Invoice.StatusDetails',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      uncollectible: opt({ ref: 'Invoice.StatusDetails.Uncollectible' }),
    },
  },
  {
    type: 'Invoice.StatusDetails.Uncollectible',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      reason: req(
        {
          enum: [
            'max_payment_attempts',
            'payment_not_received',
            'subscription_canceled',
            'subscription_paused',
            'user_forgiven',
          ],
        },
        null,
      ),
    },
  },
  {
    type: 'InvoiceItem.InvoicingRule',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      type: req({ enum: ['defer_until_credited_items_resolved'] }),
    },
  },
  {
    type: 'PaymentIntent.PaymentMethodOptions.Billie.CompanyDetails',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      registered_address: opt({ ref: 'Address' }),
      registered_name: req('string', null),
      registration_number: req('string', null),
      registration_type: opt({
        enum: [
          'ch_ein',
          'de_hrb',
          'dk_cvr',
          'es_cif',
          'fi_tunnus',
          'fr_siren',
          'fr_siret',
          'it_rea',
          'nl_kvk',
          'no_org_number',
          'no_pno',
          'se_org_number',
          'se_pno',
          'uk_crn',
        ],
      }),
      vat: req('string', null),
    },
  },
  {
    type: 'PaymentIntent.PaymentMethodOptions.Blik.MandateOptions',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      expires_at: req('number', null),
      type: req({ enum: ['off_session'] }, null),
    },
  },
  {
    type: 'PaymentIntent.PaymentMethodOptions.Paypay',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {},
  },
  {
    type: 'PaymentIntent.PaymentMethodOptions.Sequra',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      capture_method: opt({ enum: ['manual'] }),
      setup_future_usage: opt({ enum: ['none'] }),
    },
  },
  { type: 'PaymentMethod.Paypay', why: 'sub-object of a field the SDK added (see that field)', fields: {} },
  { type: 'PaymentMethod.Sequra', why: 'sub-object of a field the SDK added (see that field)', fields: {} },
  {
    type: 'Product.TaxDetails',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      performance_location: req('string', null),
      tax_code: req('string', null),
    },
  },
  {
    type: 'SetupIntent.PaymentMethodOptions.Blik',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      mandate_options: opt({ ref: 'SetupIntent.PaymentMethodOptions.Blik.MandateOptions' }),
    },
  },
  {
    type: 'SetupIntent.PaymentMethodOptions.Blik.MandateOptions',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      expires_at: req('number', null),
      type: req({ enum: ['off_session'] }, null),
    },
  },
  {
    type: 'Subscription.PaymentSettings.PaymentMethodOptions.Billie',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      company_details: opt({
        ref: 'Subscription.PaymentSettings.PaymentMethodOptions.Billie.CompanyDetails',
      }),
    },
  },
  {
    type: 'Subscription.PaymentSettings.PaymentMethodOptions.Billie.CompanyDetails',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      registered_address: opt({ ref: 'Address' }),
      registered_name: req('string', null),
      registration_number: req('string', null),
      registration_type: opt({
        enum: [
          'ch_ein',
          'de_hrb',
          'dk_cvr',
          'es_cif',
          'fi_tunnus',
          'fr_siren',
          'fr_siret',
          'it_rea',
          'nl_kvk',
          'no_org_number',
          'no_pno',
          'se_org_number',
          'se_pno',
          'uk_crn',
        ],
      }),
      vat: req('string', null),
    },
  },
  {
    type: 'Subscription.PaymentSettings.PaymentMethodOptions.Blik',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      mandate_options: opt({ ref: 'Subscription.PaymentSettings.PaymentMethodOptions.Blik.MandateOptions' }),
    },
  },
  {
    type: 'Subscription.PaymentSettings.PaymentMethodOptions.Blik.MandateOptions',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      expires_at: req('number', null),
    },
  },
  {
    type: 'Subscription.StatusDetails',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      paused: req({ ref: 'Subscription.StatusDetails.Paused' }),
    },
  },
  {
    type: 'Subscription.StatusDetails.Paused',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      subscription: req({ ref: 'Subscription.StatusDetails.Paused.Subscription' }),
      transitioned_at: req('number'),
      type: req({ enum: ['subscription'] }),
    },
  },
  {
    type: 'Subscription.StatusDetails.Paused.Subscription',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      type: req({
        enum: [
          'final_payment_failure',
          'first_payment_failure',
          'pause_requested',
          'system',
          'trial_end_without_payment_method',
        ],
      }),
    },
  },
  {
    type: 'SubscriptionItem.CurrentTrial',
    why: 'sub-object of a field the SDK added (see that field)',
    fields: {
      end_date: req('number'),
      start_date: req('number'),
      trial_offer: req('string'),
    },
  },
  {
    event: 'customer.subscription.pending_update_applied',
    why: 'in Event.type already at dahlia, but the schema file lacks its event interface; the SDK has it',
    object: 'Subscription',
  },
  {
    event: 'customer.subscription.pending_update_expired',
    why: 'in Event.type already at dahlia, but the schema file lacks its event interface; the SDK has it',
    object: 'Subscription',
  },
];

function splitAt(at: string): [string, string] {
  const i = at.lastIndexOf('.');
  return [at.slice(0, i), at.slice(i + 1)];
}

function mapEnum(types: Alt[], fn: (values: string[]) => string[]): Alt[] {
  return types.map((t) => {
    if (typeof t === 'object' && 'enum' in t) return { enum: fn(t.enum) };
    if (typeof t === 'object' && 'array' in t) return { array: mapEnum(t.array, fn) };
    return t;
  });
}

/**
 * The schema shapes with the SDK's differences applied (a new object; the input is not changed).
 * `olderVersion`: the object was rendered at an API version before the SDK's (dahlia), so fields the SDK added
 * or tightened may be absent, and where a field's shape changed either generation's shape is accepted.
 */
export function applyOverrides(shapes: Shapes, options: { olderVersion?: boolean } = {}): Shapes {
  const types: Record<string, ObjectShape> = {};
  for (const [name, shape] of Object.entries(shapes.types))
    types[name] = { ...shape, fields: { ...shape.fields } };
  const events = { ...shapes.events };
  const target = (type: string): ObjectShape => {
    const t = types[type];
    if (!t) throw new Error(`override for unknown type ${type}`);
    return t;
  };
  for (const o of OVERRIDES) {
    if ('type' in o) {
      types[o.type] = { fields: { ...o.fields } };
    } else if ('event' in o) {
      events[o.event] = o.object;
    } else if ('remove' in o) {
      const [type, field] = splitAt(o.at);
      if (!options.olderVersion) delete target(type).fields[field];
    } else if ('field' in o) {
      const [type, field] = splitAt(o.at);
      const before = target(type).fields[field];
      target(type).fields[field] = options.olderVersion
        ? {
            types: [...(before?.types ?? []), ...o.field.types],
            nullable: o.field.nullable || Boolean(before?.nullable),
            optional: true,
          }
        : o.field;
    } else {
      const [type, field] = splitAt(o.at);
      const before = target(type).fields[field];
      if (!before) throw new Error(`enum override for unknown field ${o.at}`);
      const add = o.addEnum ?? [];
      const remove = options.olderVersion ? [] : (o.removeEnum ?? []);
      target(type).fields[field] = {
        ...before,
        types: mapEnum(before.types, (values) => [...values.filter((v) => !remove.includes(v)), ...add]),
      };
    }
  }
  return { ...shapes, types, events };
}
