/**
 * Typed Stripe objects for stories (stripe 23.1.0 types, API 2026-10-28.endive): copies of the shared captures
 * (test/fixtures/stripe) with every field a story cares about set explicitly. No I/O but the fixture reads.
 */
import type Stripe from 'stripe';
import { fixture } from './fixtures.js';

export const DAY = 86_400;
/** 2026-09-13T00:00:00Z (unix seconds): the start of the roles stories. */
export const T0 = 1_789_257_600;
export const iso = (unix: number) => new Date(unix * 1000).toISOString();

/** The roles catalogue's prices (seeded by world.ts's `seedRolesCatalogue`). */
export const PRICES = {
  pro: 'price_pro_monthly',
  enterprise: 'price_ent_monthly',
  unknown: 'price_not_in_catalogue',
} as const;
/** Monthly unit amounts of PRICES (usd cents). */
export const AMOUNTS: Record<string, number> = {
  [PRICES.pro]: 2900,
  [PRICES.enterprise]: 9900,
  [PRICES.unknown]: 500,
};

// ─── customer ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface CustomerOptions {
  /** Default: T0 − 1 day. */
  created?: number;
  /** invoice_settings.default_payment_method (default null). */
  defaultPm?: string | null;
  /** Default: `<userId>@example.com`. */
  email?: string;
  name?: string | null;
}

/** Customer `id` linked to user `userId` by metadata.user_id. */
export function customerObject(id: string, userId: string, o: CustomerOptions = {}): Stripe.Customer {
  const c = fixture<Stripe.Customer>('object.customer');
  c.id = id;
  c.email = o.email ?? `${userId}@example.com`;
  if (o.name !== undefined) c.name = o.name;
  c.metadata = { user_id: userId };
  c.created = o.created ?? T0 - DAY;
  c.invoice_settings = { ...c.invoice_settings, default_payment_method: o.defaultPm ?? null };
  c.default_source = null;
  return c;
}

// ─── subscription ─────────────────────────────────────────────────────────────────────────────────────────────

export interface ItemSpec {
  /**
   * A price id (its unit amount from `unitAmount` or AMOUNTS, product `prod_test`, on the fixture's monthly price
   * and plan) or a whole Stripe price (the plan left as captured).
   */
  price: string | Stripe.Price;
  unitAmount?: number;
  /** Default 1. */
  quantity?: number;
  /** Default `si_<subscription id>` (then `_<n>` for the n-th item after the first). */
  id?: string;
}

export interface SubscriptionSpec {
  id: string;
  customer: string;
  status: Stripe.Subscription.Status;
  periodStart: number;
  periodEnd: number;
  /** One item of this price (see ItemSpec.price); or `items`. */
  price?: string | Stripe.Price;
  unitAmount?: number;
  quantity?: number;
  items?: ItemSpec[];
  /** Default periodStart (start_date follows). */
  created?: number;
  latestInvoice?: string | null;
  cancelAtPeriodEnd?: boolean;
  canceledAt?: number | null;
  endedAt?: number | null;
  /** trial_start / trial_end (default none). */
  trial?: { start: number; end: number } | null;
  discounts?: Array<string | Stripe.Discount>;
  metadata?: Stripe.Metadata;
}

function item(
  base: Stripe.SubscriptionItem,
  s: SubscriptionSpec,
  spec: ItemSpec,
  n: number,
): Stripe.SubscriptionItem {
  const it = structuredClone(base);
  it.id = spec.id ?? (n === 0 ? `si_${s.id}` : `si_${s.id}_${n}`);
  it.subscription = s.id;
  it.quantity = spec.quantity ?? 1;
  it.current_period_start = s.periodStart;
  it.current_period_end = s.periodEnd;
  if (typeof spec.price === 'string') {
    const amount = (spec.unitAmount ?? AMOUNTS[spec.price])!;
    // The captures carry decimals as JSON strings; the SDK types them as its Decimal class.
    const decimal = String(amount) as unknown as Stripe.Price['unit_amount_decimal'] & string;
    it.price = {
      ...it.price,
      id: spec.price,
      unit_amount: amount,
      unit_amount_decimal: decimal,
      lookup_key: null,
      product: 'prod_test',
    };
    it.plan = {
      ...it.plan,
      id: spec.price,
      amount,
      amount_decimal: decimal,
      product: 'prod_test',
    };
  } else {
    it.price = spec.price;
  }
  return it;
}

/**
 * A subscription of the captured active one with explicit status, periods, items, cancellation, trial and discounts.
 * Without a price: the fixture story's monthly price (`object.price.recurring_monthly`, 2000 usd).
 */
export function subscriptionObject(s: SubscriptionSpec): Stripe.Subscription {
  const o = fixture<Stripe.Subscription>('object.subscription.active');
  o.id = s.id;
  o.customer = s.customer;
  o.status = s.status;
  o.created = s.created ?? s.periodStart;
  o.start_date = o.created;
  o.billing_cycle_anchor = s.periodStart;
  o.latest_invoice = s.latestInvoice ?? null;
  o.cancel_at_period_end = s.cancelAtPeriodEnd ?? false;
  o.cancel_at = s.cancelAtPeriodEnd ? s.periodEnd : null;
  o.canceled_at = s.canceledAt ?? null;
  o.ended_at = s.endedAt ?? null;
  o.metadata = s.metadata ?? {};
  o.trial_start = s.trial?.start ?? null;
  o.trial_end = s.trial?.end ?? null;
  if (s.discounts) o.discounts = s.discounts as Stripe.Subscription['discounts'];
  const specs: ItemSpec[] = s.items ?? [
    {
      price: s.price ?? fixture<Stripe.Price>('object.price.recurring_monthly'),
      ...(s.unitAmount !== undefined ? { unitAmount: s.unitAmount } : {}),
      ...(s.quantity !== undefined ? { quantity: s.quantity } : {}),
    },
  ];
  const base = o.items.data[0]!;
  o.items.data = specs.map((spec, n) => item(base, s, spec, n));
  return o;
}

export interface DiscountSpec {
  id: string;
  customer: string;
  subscription: string;
  /** The discount's start and its coupon's creation. */
  start: number;
  percent?: number;
  /** In usd cents. */
  amountOff?: number;
  duration?: 'once' | 'repeating' | 'forever';
  end?: number | null;
}

/** A subscription discount of coupon `co_<id>` (percent or usd amount off). */
export function discountObject(o: DiscountSpec): Stripe.Discount {
  return {
    id: o.id,
    object: 'discount',
    checkout_session: null,
    customer: o.customer,
    customer_account: null,
    end: o.end ?? null,
    invoice: null,
    invoice_item: null,
    promotion_code: null,
    source: {
      type: 'coupon',
      coupon: {
        id: `co_${o.id}`,
        object: 'coupon',
        amount_off: o.amountOff ?? null,
        created: o.start,
        currency: o.amountOff ? 'usd' : null,
        duration: o.duration ?? 'forever',
        duration_in_months: null,
        livemode: false,
        max_redemptions: null,
        metadata: {},
        name: null,
        percent_off: o.percent ?? null,
        redeem_by: null,
        times_redeemed: 1,
        valid: true,
      } as Stripe.Coupon,
    },
    start: o.start,
    subscription: o.subscription,
    subscription_item: null,
  } as Stripe.Discount;
}

// ─── invoice ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface InvoiceSpec {
  id: string;
  customer: string;
  subscription: string;
  /** `open` is the captured invoice whose payment failed (a failed attempt); `paid` the paid one. */
  status: 'open' | 'paid' | 'void';
  amountDue: number;
  /** attempt_count (default 1). */
  attempt?: number;
  created: number;
  /** status_transitions.paid_at of a paid invoice (default `created`). */
  paidAt?: number | null;
  /** Default `INV-<id>`. */
  number?: string;
  /** The invoice's lines (default none). */
  lines?: Stripe.InvoiceLineItem[];
}

export function invoiceObject(s: InvoiceSpec): Stripe.Invoice {
  const o = fixture<Stripe.Invoice>(
    s.status === 'paid' ? 'object.invoice.paid' : 'object.invoice.open_payment_failed',
  );
  const paid = s.status === 'paid';
  o.id = s.id;
  o.customer = s.customer;
  o.status = s.status;
  o.number = s.number ?? `INV-${s.id}`;
  o.created = s.created;
  o.amount_due = s.amountDue;
  o.amount_paid = paid ? s.amountDue : 0;
  o.amount_remaining = paid ? 0 : s.amountDue;
  o.subtotal = s.amountDue;
  o.total = s.amountDue;
  o.attempt_count = s.attempt ?? 1;
  o.attempted = true;
  o.next_payment_attempt = paid ? null : s.created + 3 * DAY;
  o.parent = {
    type: 'subscription_details',
    quote_details: null,
    subscription_details: { metadata: {}, subscription: s.subscription },
  } as Stripe.Invoice.Parent;
  o.status_transitions = {
    finalized_at: s.created,
    marked_uncollectible_at: null,
    paid_at: paid ? (s.paidAt ?? s.created) : null,
    voided_at: null,
  };
  (o as { payments?: unknown }).payments = undefined;
  o.lines = { object: 'list', data: s.lines ?? [], has_more: false, url: `/v1/invoices/${s.id}/lines` };
  o.period_start = s.created - 30 * DAY;
  o.period_end = s.created;
  return o;
}

// ─── payments ─────────────────────────────────────────────────────────────────────────────────────────────────

/** A payment intent of `amount` (its latest charge `ch_<id without pi_>`). */
export function paymentIntentObject(
  id: string,
  customer: string,
  amount: number,
  status: 'succeeded' | 'requires_payment_method',
  created: number,
): Stripe.PaymentIntent {
  const pi = fixture<Stripe.PaymentIntent>(
    status === 'succeeded'
      ? 'object.payment_intent.succeeded'
      : 'object.payment_intent.requires_payment_method',
  );
  return {
    ...pi,
    id,
    customer,
    amount,
    amount_received: status === 'succeeded' ? amount : 0,
    status,
    created,
    latest_charge: `ch_${id.slice(3)}`,
    client_secret: null,
  };
}

export function chargeObject(
  id: string,
  intent: string,
  customer: string,
  amount: number,
  status: 'succeeded' | 'failed',
  created: number,
): Stripe.Charge {
  const ch = fixture<Stripe.Charge>(
    status === 'succeeded' ? 'object.charge.succeeded' : 'object.charge.failed',
  );
  return {
    ...ch,
    id,
    payment_intent: intent,
    customer,
    amount,
    amount_captured: status === 'succeeded' ? amount : 0,
    status,
    created,
    receipt_url: null,
  };
}
