/**
 * Checkout Sessions (mode=subscription) and billing portal sessions. Both are completed by a person on
 * the hosted pages (pages/); completion logic lives here so the pages stay thin.
 */
import { invalidRequest, resourceMissing } from '../protocol/errors.js';
import { registerVirtual } from '../protocol/expand.js';
import { paginate } from '../protocol/list.js';
import { arr, bool, int, mergeMetadata, obj, oneOf, reqStr, str, type P } from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { TEST_CARDS } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, randomChars, type Obj } from '../store.js';
import { createDiscounts, findPromotionCode, getCoupon, parseDiscounts } from '../billing/discounts.js';
import { createSubscription } from '../billing/subscription-ops.js';
import { customerShape } from '../shapes.js';
import { getPrice } from './catalog.js';
import { getCustomer } from './customers.js';
import { attachPaymentMethod, resolvePaymentMethod } from './payment-methods.js';

export function getSession(sb: Sandbox, id: string): Obj {
  const s = sb.store.get(id, 'checkout.session');
  if (!s) throw resourceMissing('checkout.session', id, 'session');
  return s;
}

function lineItems(sb: Sandbox, session: Obj): Obj[] {
  return (sb.store.m(session.id).lineItems as Array<{ price: string; quantity: number }>).map((li, i) => {
    const price = sb.store.get(li.price, 'price') as Obj;
    const amount = price.unit_amount * li.quantity;
    return {
      id: `li_${session.id.slice(8, 30)}${i}`,
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: (sb.store.get(price.product, 'product')?.name as string | undefined) ?? null,
      metadata: {},
      price: sb.render(price),
      quantity: li.quantity,
    };
  });
}

registerVirtual('checkout.session', 'line_items', (sb, s) => ({
  object: 'list',
  data: lineItems(sb, s),
  has_more: false,
  url: `/v1/checkout/sessions/${s.id}/line_items`,
}));

function sessionShape(sb: Sandbox, id: string, f: Obj): Obj {
  const created = sb.now();
  return {
    id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: f.allow_promotion_codes ?? null,
    allowed_payment_method_types: null,
    amount_subtotal: f.amount,
    amount_total: f.amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: f.cancel_url ?? null,
    client_reference_id: f.client_reference_id ?? null,
    client_secret: null,
    collected_information: { business_name: null, individual_name: null, shipping_details: null },
    consent: null,
    consent_collection: null,
    created,
    currency: f.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: f.customer ?? null,
    customer_account: null,
    customer_creation: f.customer ? null : 'always',
    customer_details: null,
    customer_email: f.customer_email ?? null,
    discounts: f.discounts ?? [],
    expires_at: created + 86400,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: f.metadata ?? {},
    mode: f.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: {
      allow_redisplay_filters: ['always'],
      payment_method_remove: null,
      payment_method_save: null,
    },
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: f.success_url ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: `${sb.baseUrl}/checkout/${id}`,
    wallet_options: null,
  };
}

export type CheckoutResult =
  { ok: true; redirect: string } | { ok: false; error: string } | { ok: false; needsAuth: true };

/**
 * What the hosted page's Pay button does: validate the card (declines are shown on the page and change
 * nothing), create the customer if needed, attach the card, create the subscription (trial and discount
 * from the session), complete the session and emit checkout.session.completed.
 */
export function completeCheckout(
  sb: Sandbox,
  session: Obj,
  input: { card: string; email?: string; promo?: string; authenticated?: boolean },
): CheckoutResult {
  if (session.status !== 'open') return { ok: false, error: `This Checkout Session is ${session.status}.` };
  const card = TEST_CARDS[input.card];
  if (!card) return { ok: false, error: 'Choose a test card.' };
  if (card.behavior === 'decline' || card.behavior === 'charge_fail')
    return { ok: false, error: card.message as string };
  const m = sb.store.m(session.id);
  const trialDays = m.trialDays as number | null;
  if (card.behavior === 'auth_required' && !input.authenticated && !trialDays)
    return { ok: false, needsAuth: true };
  const at = sb.now();
  let pairs = m.discounts ? parseDiscounts(sb, m.discounts as P[], at) : [];
  if (input.promo && session.allow_promotion_codes) {
    try {
      const promo = findPromotionCode(sb, input.promo.trim(), 'promotion_code', at);
      pairs = [{ coupon: getCoupon(sb, promo.promotion.coupon), promo }];
    } catch {
      return { ok: false, error: 'This code is invalid.' };
    }
  }
  let customer: Obj;
  if (session.customer) customer = getCustomer(sb, session.customer);
  else {
    const email = session.customer_email ?? input.email?.trim();
    if (!email) return { ok: false, error: 'Enter your email.' };
    customer = customerShape(newId('cus', 14), at, { email, metadata: {} });
    sb.store.insert(customer);
    sb.emit('customer.created', customer);
  }
  const pm = resolvePaymentMethod(sb, input.card, 'payment_method', { email: customer.email });
  attachPaymentMethod(sb, pm, customer);
  const items = (m.lineItems as Array<{ price: string; quantity: number }>).map((li) => ({
    price: getPrice(sb, li.price),
    quantity: li.quantity,
    metadata: {},
  }));
  const sub = createSubscription(sb, {
    customer,
    items,
    defaultPaymentMethod: pm.id,
    trialEnd: trialDays ? at + trialDays * 86400 : null,
    paymentBehavior: 'allow_incomplete',
    collectionMethod: 'charge_automatically',
    daysUntilDue: null,
    metadata: (m.subscriptionMetadata as Obj) ?? {},
    description: (m.subscriptionDescription as string | null) ?? null,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    discountIds: (s) =>
      createDiscounts(sb, pairs, at, {
        customer: customer.id,
        subscription: s.id,
        checkout_session: session.id,
      }),
    missingPaymentMethod: 'create_invoice',
    offSession: false,
    authenticated: input.authenticated,
  });
  const inv = sb.store.get(sub.latest_invoice, 'invoice') as Obj;
  if (sub.status === 'incomplete') return { ok: false, error: 'Your card was declined.' };
  sb.update(
    session,
    () => {
      session.status = 'complete';
      session.payment_status = inv.amount_due === 0 ? 'no_payment_required' : 'paid';
      session.customer = customer.id;
      session.subscription = sub.id;
      session.invoice = inv.id;
      session.url = null;
      session.amount_total = inv.total > 0 ? inv.total : 0;
      session.amount_subtotal = trialDays ? 0 : session.amount_subtotal;
      session.total_details = { ...session.total_details, amount_discount: inv.subtotal - inv.total };
      session.discounts = pairs.map((pr) => ({
        coupon: pr.promo ? null : pr.coupon.id,
        promotion_code: pr.promo?.id ?? null,
      }));
      session.customer_details = {
        address: customer.address ?? {
          city: null,
          country: null,
          line1: null,
          line2: null,
          postal_code: null,
          state: null,
        },
        business_name: null,
        email: customer.email,
        individual_name: null,
        name: customer.name,
        phone: null,
        tax_exempt: 'none',
        tax_ids: [],
      };
    },
    { emit: false },
  );
  sb.emit('checkout.session.completed', session);
  return { ok: true, redirect: String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id) };
}

export function portalShape(sb: Sandbox, f: Obj): Obj {
  const id = newId('bps');
  return {
    id,
    object: 'billing_portal.session',
    configuration: 'bpc_sandbox_default',
    created: sb.nowFor(f.customer),
    customer: f.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: f.locale ?? null,
    on_behalf_of: null,
    return_url: f.return_url ?? null,
    url: `${sb.baseUrl}/portal/${id}`,
  };
}

export const checkoutRoutes: Route[] = [
  route('POST', '/v1/checkout/sessions', ({ sb, p }) => {
    const mode = oneOf(p, 'mode', ['payment', 'setup', 'subscription'] as const);
    if (!mode) throw invalidRequest('Missing required param: mode.', 'mode', 'parameter_missing');
    if (mode !== 'subscription') throw invalidRequest('The sandbox supports mode=subscription only.', 'mode');
    const successUrl = str(p, 'success_url');
    if (!successUrl)
      throw invalidRequest('Missing required param: success_url.', 'success_url', 'parameter_missing');
    const raw = (arr(p, 'line_items') ?? []) as P[];
    if (raw.length === 0)
      throw invalidRequest('Missing required param: line_items.', 'line_items', 'parameter_missing');
    const items = raw.map((li, i) => {
      const price = getPrice(sb, reqStr(li, 'price'), `line_items[${i}][price]`);
      if (!price.active) throw invalidRequest('The price specified is inactive.', `line_items[${i}][price]`);
      if (price.type !== 'recurring')
        throw invalidRequest(
          'In subscription mode, line items must use recurring prices.',
          `line_items[${i}][price]`,
        );
      return {
        price: price.id as string,
        quantity: int(li, 'quantity') ?? 1,
        currency: price.currency as string,
        amount: price.unit_amount * (int(li, 'quantity') ?? 1),
      };
    });
    const customer = str(p, 'customer');
    if (customer) getCustomer(sb, customer);
    const customerEmail = str(p, 'customer_email');
    if (customer && customerEmail)
      throw invalidRequest(
        'You may only specify one of these parameters: customer, customer_email.',
        'customer_email',
      );
    const allowPromo = bool(p, 'allow_promotion_codes');
    const discounts = arr(p, 'discounts') as P[] | undefined;
    if (allowPromo && discounts)
      throw invalidRequest(
        'You may only specify one of these parameters: allow_promotion_codes, discounts.',
        'discounts',
      );
    if (discounts) parseDiscounts(sb, discounts, sb.now());
    const subData = obj(p, 'subscription_data') ?? {};
    const id = `cs_test_${randomChars(58)}`;
    const session = sessionShape(sb, id, {
      mode,
      success_url: successUrl,
      cancel_url: str(p, 'cancel_url'),
      customer,
      customer_email: customerEmail,
      client_reference_id: str(p, 'client_reference_id'),
      metadata: mergeMetadata({}, p),
      allow_promotion_codes: allowPromo ?? null,
      currency: items[0]?.currency,
      amount: items.reduce((s, x) => s + x.amount, 0),
    });
    sb.store.insert(session);
    const m = sb.store.m(id);
    m.lineItems = items.map((x) => ({ price: x.price, quantity: x.quantity }));
    m.trialDays = int(subData, 'trial_period_days') ?? null;
    m.subscriptionMetadata = mergeMetadata({}, subData);
    m.subscriptionDescription = str(subData, 'description') ?? null;
    m.discounts = discounts ?? null;
    return session;
  }),
  route('GET', '/v1/checkout/sessions/:id', ({ sb, params }) => getSession(sb, params.id as string)),
  route('GET', '/v1/checkout/sessions/:id/line_items', ({ sb, params, p }) => {
    const s = getSession(sb, params.id as string);
    return paginate(lineItems(sb, s), p, `/v1/checkout/sessions/${s.id}/line_items`);
  }),
  route('POST', '/v1/checkout/sessions/:id/expire', ({ sb, params }) => {
    const s = getSession(sb, params.id as string);
    if (s.status !== 'open')
      throw invalidRequest(
        `Only open Checkout Sessions can be expired (this one is ${s.status}).`,
        'session',
      );
    sb.update(
      s,
      () => {
        s.status = 'expired';
        s.url = null;
      },
      { emit: false },
    );
    sb.emit('checkout.session.expired', s);
    return s;
  }),
  route('GET', '/v1/checkout/sessions', ({ sb, p }) => {
    const customer = str(p, 'customer');
    const subscription = str(p, 'subscription');
    const status = str(p, 'status');
    return paginate(
      sb.store
        .list('checkout.session')
        .filter((s) => (customer ? s.customer === customer : true))
        .filter((s) => (subscription ? s.subscription === subscription : true))
        .filter((s) => (status ? s.status === status : true)),
      p,
      '/v1/checkout/sessions',
    );
  }),
  route('POST', '/v1/billing_portal/sessions', ({ sb, p }) => {
    const customer = getCustomer(sb, reqStr(p, 'customer'), 'customer');
    const session = portalShape(sb, {
      customer: customer.id,
      return_url: str(p, 'return_url'),
      locale: str(p, 'locale'),
    });
    sb.store.insert(session);
    return session;
  }),
];
