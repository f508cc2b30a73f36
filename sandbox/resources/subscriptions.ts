/** Subscriptions and subscription items: create, update (items with proration, cancel flags, pause), cancel, pause/resume, list, search. */
import { cardError, invalidRequest, resourceMissing } from '../protocol/errors.js';
import { paginate, searchMatcher, searchResult, timeFilter } from '../protocol/list.js';
import {
  arr,
  bool,
  int,
  mergeMetadata,
  nullableStr,
  obj,
  oneOf,
  reqStr,
  str,
  type P,
} from '../protocol/params.js';
import { route, type Route } from '../router.js';
import type { Sandbox } from '../state.js';
import type { Obj } from '../store.js';
import { createDiscounts, parseDiscounts } from '../billing/discounts.js';
import {
  invoiceChange,
  planChange,
  setItems,
  type ItemChange,
  type ProrationBehavior,
} from '../billing/change-subscription.js';
import { invoiceItemShape } from '../shapes.js';
import { newId } from '../store.js';
import { prorate } from '../billing/proration.js';
import { buildInvoice, finalizeInvoice } from '../billing/invoices.js';
import {
  cancelSubscriptionNow,
  createSubscription,
  endTrial,
  itemPeriod,
  pauseSubscription,
  priceOf,
  resumeSubscription,
} from '../billing/subscription-ops.js';
import { getPrice } from './catalog.js';
import { getCustomer } from './customers.js';
import { cardOf, getPaymentMethod } from './payment-methods.js';

export function getSubscription(sb: Sandbox, id: string, param = 'subscription'): Obj {
  const s = sb.store.get(id, 'subscription');
  if (!s) throw resourceMissing('subscription', id, param);
  return s;
}

function recurringPrice(sb: Sandbox, id: string, param: string): Obj {
  const price = getPrice(sb, id, param);
  if (!price.active)
    throw invalidRequest(`The price specified is inactive. This field only accepts active prices.`, param);
  if (price.type !== 'recurring') {
    throw invalidRequest(
      `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
      param,
    );
  }
  return price;
}

function attachedPaymentMethod(sb: Sandbox, customer: Obj, id: string, param: string): Obj {
  const pm = getPaymentMethod(sb, id, param);
  if (pm.customer !== customer.id) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
      param,
      'resource_missing',
    );
  }
  return pm;
}

function parseTrialEnd(p: P, at: number): number | null | 'now' | undefined {
  const raw = str(p, 'trial_end');
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'now') return 'now';
  const t = int(p, 'trial_end') as number;
  if (t <= at)
    throw invalidRequest('Invalid timestamp: must be an integer Unix timestamp in the future.', 'trial_end');
  return t;
}

function itemChanges(sb: Sandbox, p: P, sub: Obj | null): ItemChange[] {
  const list = arr(p, 'items') ?? [];
  return list.map((raw, i) => {
    if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidRequest('Invalid items', `items[${i}]`);
    const it = raw as P;
    const id = str(it, 'id');
    if (id && sub && !(sub.items.data as Obj[]).some((x) => x.id === id))
      throw resourceMissing('subscription item', id, `items[${i}][id]`);
    const priceId = str(it, 'price');
    const quantity = int(it, 'quantity');
    if (quantity !== undefined && quantity < 0)
      throw invalidRequest('Invalid quantity', `items[${i}][quantity]`);
    return {
      id,
      price: priceId ? recurringPrice(sb, priceId, `items[${i}][price]`) : undefined,
      quantity,
      deleted: bool(it, 'deleted'),
      metadata: it.metadata !== undefined ? mergeMetadata({}, it) : undefined,
    };
  });
}

function applyCancelParams(sb: Sandbox, sub: Obj, p: P, at: number): void {
  const details = obj(p, 'cancellation_details');
  const capEnd = bool(p, 'cancel_at_period_end');
  const cancelAtRaw = str(p, 'cancel_at');
  if (capEnd === true) {
    sub.cancel_at_period_end = true;
    sub.cancel_at = itemPeriod(sub).end;
    sub.canceled_at = at;
    sub.cancellation_details = {
      comment: null,
      feedback: null,
      feedback_option: null,
      reason: 'cancellation_requested',
    };
  } else if (capEnd === false) {
    sub.cancel_at_period_end = false;
    sub.cancel_at = null;
    sub.canceled_at = null;
    sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
  }
  if (cancelAtRaw !== undefined) {
    if (cancelAtRaw === '') {
      sub.cancel_at = null;
      sub.cancel_at_period_end = false;
      sub.canceled_at = null;
      sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
    } else {
      const t =
        cancelAtRaw === 'min_period_end' || cancelAtRaw === 'max_period_end'
          ? itemPeriod(sub).end
          : (int(p, 'cancel_at') as number);
      if (t <= at) throw invalidRequest('cancel_at must be in the future.', 'cancel_at');
      sub.cancel_at = t;
      sub.cancel_at_period_end = t === itemPeriod(sub).end;
      sub.canceled_at = at;
      sub.cancellation_details = {
        comment: null,
        feedback: null,
        feedback_option: null,
        reason: 'cancellation_requested',
      };
    }
  }
  if (details) {
    const comment = nullableStr(details, 'comment');
    const feedback = nullableStr(details, 'feedback');
    sub.cancellation_details = {
      ...sub.cancellation_details,
      ...(comment !== undefined ? { comment } : {}),
      ...(feedback !== undefined ? { feedback } : {}),
    };
  }
}

const PAYMENT_BEHAVIORS = [
  'allow_incomplete',
  'default_incomplete',
  'error_if_incomplete',
  'pending_if_incomplete',
] as const;
const PRORATION = ['create_prorations', 'always_invoice', 'none'] as const;

function listFilter(sb: Sandbox, p: P): Obj[] {
  const customer = str(p, 'customer');
  const status = str(p, 'status');
  const price = str(p, 'price');
  const clock = str(p, 'test_clock');
  const created = timeFilter(p, 'created');
  return sb.store
    .list('subscription')
    .filter((s) => (customer ? s.customer === customer : true))
    .filter((s) => {
      if (!status) return !['canceled', 'incomplete_expired'].includes(s.status);
      if (status === 'all') return true;
      if (status === 'ended') return ['canceled', 'incomplete_expired'].includes(s.status);
      return s.status === status;
    })
    .filter((s) => (price ? (s.items.data as Obj[]).some((it) => it.price === price) : true))
    .filter((s) => (clock ? s.test_clock === clock : true))
    .filter((s) => created(s.created));
}

export const subscriptionRoutes: Route[] = [
  route('POST', '/v1/subscriptions', ({ sb, p }) => {
    const customer = getCustomer(sb, reqStr(p, 'customer'), 'customer');
    const at = sb.nowFor(customer.id);
    const changes = itemChanges(sb, p, null);
    if (changes.length === 0 || changes.some((c) => !c.price))
      throw invalidRequest('Missing required param: items[0][price].', 'items', 'parameter_missing');
    const prices = changes.map((c) => c.price as Obj);
    const first = prices[0] as Obj;
    if (prices.some((x) => x.currency !== first.currency))
      throw invalidRequest('All prices on a subscription must have the same currency.', 'items');
    if (
      prices.some(
        (x) =>
          x.recurring.interval !== first.recurring.interval ||
          x.recurring.interval_count !== first.recurring.interval_count,
      )
    ) {
      throw invalidRequest('All prices on a subscription must have the same recurring interval.', 'items');
    }
    const dpmId = str(p, 'default_payment_method');
    const dpm = dpmId ? attachedPaymentMethod(sb, customer, dpmId, 'default_payment_method') : null;
    const trial = parseTrialEnd(p, at);
    const trialDays = int(p, 'trial_period_days');
    let trialEnd: number | null = null;
    if (trial === 'now') trialEnd = null;
    else if (typeof trial === 'number') trialEnd = trial;
    else if (trialDays !== undefined && trialDays > 0) trialEnd = at + trialDays * 86400;
    else if (bool(p, 'trial_from_plan') && first.recurring.trial_period_days)
      trialEnd = at + first.recurring.trial_period_days * 86400;
    const paymentBehavior = oneOf(p, 'payment_behavior', PAYMENT_BEHAVIORS) ?? 'allow_incomplete';
    const collectionMethod =
      oneOf(p, 'collection_method', ['charge_automatically', 'send_invoice'] as const) ??
      'charge_automatically';
    const discountPairs = parseDiscounts(sb, (arr(p, 'discounts') ?? []) as P[], at);
    const customerPm =
      dpm ??
      (customer.invoice_settings.default_payment_method
        ? sb.store.get(customer.invoice_settings.default_payment_method)
        : null);
    if (
      paymentBehavior === 'error_if_incomplete' &&
      trialEnd === null &&
      collectionMethod === 'charge_automatically'
    ) {
      const card = customerPm ? cardOf(sb, customerPm) : undefined;
      if (!card)
        throw invalidRequest(
          'This customer has no attached payment source or default payment method.',
          undefined,
          'resource_missing',
        );
      if (card.behavior !== 'ok') {
        throw cardError(
          card.message as string,
          card.behavior === 'auth_required' ? 'authentication_required' : 'card_declined',
          card.declineCode,
        );
      }
    }
    if (
      trialEnd === null &&
      collectionMethod === 'charge_automatically' &&
      paymentBehavior !== 'default_incomplete' &&
      !customerPm
    ) {
      throw invalidRequest(
        'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
        undefined,
        'resource_missing',
      );
    }
    const trialSettings = obj(p, 'trial_settings');
    const endBehavior = trialSettings ? obj(trialSettings, 'end_behavior') : undefined;
    const cancelAt = int(p, 'cancel_at');
    return createSubscription(sb, {
      customer,
      items: changes.map((c) => ({
        price: c.price as Obj,
        quantity: c.quantity ?? 1,
        metadata: c.metadata ?? {},
      })),
      defaultPaymentMethod: dpm?.id ?? null,
      trialEnd,
      paymentBehavior,
      collectionMethod,
      daysUntilDue: int(p, 'days_until_due') ?? (collectionMethod === 'send_invoice' ? 30 : null),
      metadata: mergeMetadata({}, p),
      description: str(p, 'description') || null,
      cancelAtPeriodEnd: bool(p, 'cancel_at_period_end') ?? false,
      cancelAt: cancelAt ?? null,
      discountIds: (sub) =>
        createDiscounts(sb, discountPairs, at, { customer: customer.id, subscription: sub.id }),
      missingPaymentMethod:
        (endBehavior
          ? oneOf(endBehavior, 'missing_payment_method', ['cancel', 'create_invoice', 'pause'] as const)
          : undefined) ?? 'create_invoice',
      offSession: bool(p, 'off_session') ?? true,
    });
  }),
  route('GET', '/v1/subscriptions/search', ({ sb, p }) => {
    const match = searchMatcher(reqStr(p, 'query'));
    return searchResult(
      sb.store.list('subscription').filter((s) => match(s)),
      p,
      '/v1/subscriptions/search',
    );
  }),
  route('GET', '/v1/subscriptions/:id', ({ sb, params }) => getSubscription(sb, params.id as string, 'id')),
  route('POST', '/v1/subscriptions/:id', ({ sb, params, p }) => {
    const sub = getSubscription(sb, params.id as string, 'id');
    if (['canceled', 'incomplete_expired'].includes(sub.status)) {
      throw invalidRequest(
        `A canceled subscription can only update its cancellation_details and metadata.`,
        undefined,
      );
    }
    const customer = getCustomer(sb, sub.customer);
    const at = sb.nowFor(customer.id);
    const behavior: ProrationBehavior = oneOf(p, 'proration_behavior', PRORATION) ?? 'create_prorations';
    const changes = itemChanges(sb, p, sub);
    const plan = planChange(sb, sub, changes, behavior, int(p, 'proration_date'));
    const dpm = nullableStr(p, 'default_payment_method');
    if (dpm) attachedPaymentMethod(sb, customer, dpm, 'default_payment_method');
    const discountsRaw = p.discounts;
    const discountPairs =
      discountsRaw !== undefined && discountsRaw !== ''
        ? parseDiscounts(sb, (arr(p, 'discounts') ?? []) as P[], at)
        : [];
    const trial = parseTrialEnd(p, at);
    let endTrialNow = false;
    sb.update(sub, () => {
      setItems(sb, sub, plan);
      applyCancelParams(sb, sub, p, at);
      if (dpm !== undefined) sub.default_payment_method = dpm;
      sub.metadata = mergeMetadata(sub.metadata, p);
      const description = nullableStr(p, 'description');
      if (description !== undefined) sub.description = description;
      const pc = p.pause_collection;
      if (pc === '') sub.pause_collection = null;
      else if (pc !== undefined) {
        const o = obj(p, 'pause_collection') as P;
        const behaviorPc = oneOf(o, 'behavior', ['keep_as_draft', 'mark_uncollectible', 'void'] as const);
        if (!behaviorPc)
          throw invalidRequest(
            'Missing required param: pause_collection[behavior].',
            'pause_collection[behavior]',
            'parameter_missing',
          );
        sub.pause_collection = { behavior: behaviorPc, resumes_at: int(o, 'resumes_at') ?? null };
      }
      if (discountsRaw === '') sub.discounts = [];
      else if (discountsRaw !== undefined)
        sub.discounts = createDiscounts(sb, discountPairs, at, {
          customer: customer.id,
          subscription: sub.id,
        });
      if (typeof trial === 'number' && sub.status === 'trialing') {
        sub.trial_end = trial;
        for (const it of sub.items.data as Obj[]) it.current_period_end = trial;
        sub.billing_cycle_anchor = trial;
      } else if (trial === 'now' && sub.status === 'trialing') {
        sub.trial_end = at;
        sub.billing_cycle_anchor = at;
        endTrialNow = true;
      }
      const cm = oneOf(p, 'collection_method', ['charge_automatically', 'send_invoice'] as const);
      if (cm) sub.collection_method = cm;
    });
    if (endTrialNow) endTrial(sb, sub);
    invoiceChange(sb, sub, plan, behavior);
    return sub;
  }),
  route('DELETE', '/v1/subscriptions/:id', ({ sb, params, p }) => {
    const sub = getSubscription(sb, params.id as string, 'id');
    if (['canceled', 'incomplete_expired'].includes(sub.status)) {
      throw invalidRequest(`This subscription has already been canceled.`, undefined);
    }
    const details = obj(p, 'cancellation_details');
    if (bool(p, 'prorate') && sub.status !== 'trialing') {
      const at = sb.nowFor(sub.customer);
      const { start, end } = itemPeriod(sub);
      for (const it of sub.items.data as Obj[]) {
        const price = priceOf(sb, it);
        const credit = -prorate(price.unit_amount * it.quantity, end - at, end - start);
        if (credit === 0) continue;
        const ii = invoiceItemShape(newId('ii'), at, {
          amount: credit,
          currency: price.currency,
          customer: sub.customer,
          description: `Unused time on ${it.quantity} × ${sb.store.get(price.product)?.name ?? price.product}`,
          subscription: sub.id,
          subscription_item: it.id,
          price,
          period: { start: at, end },
          proration: true,
          quantity: it.quantity,
          test_clock: sb.clockOfCustomer(sub.customer),
        });
        sb.store.insert(ii);
        sb.emit('invoiceitem.created', ii);
      }
    }
    cancelSubscriptionNow(sb, sub, {
      reason: 'cancellation_requested',
      comment: details ? (str(details, 'comment') ?? null) : null,
      feedback: details ? (str(details, 'feedback') ?? null) : null,
    });
    if (bool(p, 'invoice_now')) {
      const customer = getCustomer(sb, sub.customer);
      const at = sb.nowFor(customer.id);
      const inv = buildInvoice(sb, {
        customer,
        subscription: sub,
        billingReason: 'subscription_update',
        lines: [],
        includePending: true,
        periodStart: at,
        periodEnd: at,
        autoFinalizeAt: null,
      });
      if ((inv.lines.data as Obj[]).length > 0) finalizeInvoice(sb, inv);
    }
    return sub;
  }),
  route('POST', '/v1/subscriptions/:id/pause', ({ sb, params }) => {
    const sub = getSubscription(sb, params.id as string, 'id');
    if (!['active', 'trialing', 'past_due'].includes(sub.status))
      throw invalidRequest(`Only active subscriptions can be paused (this one is ${sub.status}).`, undefined);
    return pauseSubscription(sb, sub);
  }),
  route('POST', '/v1/subscriptions/:id/resume', ({ sb, params }) => {
    const sub = getSubscription(sb, params.id as string, 'id');
    if (sub.status !== 'paused')
      throw invalidRequest(
        `Only paused subscriptions can be resumed (this one is ${sub.status}).`,
        undefined,
      );
    return resumeSubscription(sb, sub);
  }),
  route('DELETE', '/v1/subscriptions/:id/discount', ({ sb, params }) => {
    const sub = getSubscription(sb, params.id as string, 'id');
    const first = (sub.discounts as string[])[0];
    if (!first) throw invalidRequest('This subscription has no discount.', undefined, 'resource_missing');
    sb.update(sub, () => (sub.discounts = []));
    return { id: first, object: 'discount', deleted: true, ...sb.store.get(first) };
  }),
  route('GET', '/v1/subscriptions', ({ sb, p }) => paginate(listFilter(sb, p), p, '/v1/subscriptions')),
  route('GET', '/v1/subscription_items', ({ sb, p }) => {
    const sub = getSubscription(sb, reqStr(p, 'subscription'), 'subscription');
    return paginate(
      [...(sub.items.data as Obj[])].reverse().map((it) => sb.render(it)),
      p,
      `/v1/subscription_items?subscription=${sub.id}`,
    );
  }),
  route('GET', '/v1/subscription_items/:id', ({ sb, params }) => {
    const item = findItem(sb, params.id as string);
    return sb.render(item.item);
  }),
  route('POST', '/v1/subscription_items/:id', ({ sb, params, p }) => {
    const { sub, item } = findItem(sb, params.id as string);
    const behavior: ProrationBehavior = oneOf(p, 'proration_behavior', PRORATION) ?? 'create_prorations';
    const priceId = str(p, 'price');
    const plan = planChange(
      sb,
      sub,
      [
        {
          id: item.id,
          price: priceId ? recurringPrice(sb, priceId, 'price') : undefined,
          quantity: int(p, 'quantity'),
          metadata: p.metadata !== undefined ? mergeMetadata(item.metadata, p) : undefined,
        },
      ],
      behavior,
      int(p, 'proration_date'),
    );
    sb.update(sub, () => setItems(sb, sub, plan));
    invoiceChange(sb, sub, plan, behavior);
    return sb.render(findItem(sb, item.id).item);
  }),
];

function findItem(sb: Sandbox, id: string): { sub: Obj; item: Obj } {
  for (const sub of sb.store.all('subscription')) {
    const item = (sub.items.data as Obj[]).find((it) => it.id === id);
    if (item) return { sub, item };
  }
  throw resourceMissing('subscription_item', id, 'id');
}
