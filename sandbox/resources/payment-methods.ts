/** Payment methods: Stripe's test tokens (`pm_card_visa`, …), create, attach/detach, list. */
import { cardError, invalidRequest, resourceMissing } from '../protocol/errors.js';
import { paginate } from '../protocol/list.js';
import { mergeMetadata, obj, reqStr, str } from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { paymentMethodShape, TEST_CARDS, type TestCard } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { getCustomer } from './customers.js';

export function cardOf(sb: Sandbox, pm: Obj): TestCard {
  return (TEST_CARDS[sb.store.m(pm.id).token as string] ?? TEST_CARDS.pm_card_visa) as TestCard;
}

/** A test token creates a fresh payment method (as Stripe does); an id names an existing one. */
export function resolvePaymentMethod(sb: Sandbox, idOrToken: string, param: string, f: Obj = {}): Obj {
  const card = TEST_CARDS[idOrToken];
  if (card) {
    const pm = paymentMethodShape(newId('pm'), sb.now(), card, f);
    sb.store.insert(pm);
    sb.store.m(pm.id).token = idOrToken;
    return pm;
  }
  const pm = sb.store.get(idOrToken, 'payment_method');
  if (!pm) throw resourceMissing('PaymentMethod', idOrToken, param);
  return pm;
}

/** Attaching runs Stripe's card check: the generic and insufficient-funds decline cards fail here. */
export function attachPaymentMethod(sb: Sandbox, pm: Obj, customer: Obj): Obj {
  if (pm.customer === customer.id) return pm;
  if (pm.customer)
    throw invalidRequest(
      'The payment method you provided has already been attached to a customer.',
      'payment_method',
    );
  const card = cardOf(sb, pm);
  if (card.behavior === 'decline') throw cardError(card.message as string, 'card_declined', card.declineCode);
  pm.customer = customer.id;
  sb.emit('payment_method.attached', pm, { at: sb.nowFor(customer.id) });
  return pm;
}

export function detachPaymentMethod(sb: Sandbox, pm: Obj): Obj {
  const customerId = pm.customer as string | null;
  if (!customerId)
    throw invalidRequest(
      'The payment method you provided is not attached to a customer so detachment is impossible.',
      'payment_method',
    );
  const customer = sb.store.get(customerId, 'customer');
  const before = sb.render(pm);
  pm.customer = null;
  sb.emit('payment_method.detached', pm, {
    previous: { customer: before.customer },
    at: sb.nowFor(customerId),
  });
  if (customer && customer.invoice_settings.default_payment_method === pm.id) {
    sb.update(customer, () => {
      customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: null };
    });
  }
  for (const sub of sb.store.all('subscription')) {
    if (sub.default_payment_method === pm.id) sb.update(sub, () => (sub.default_payment_method = null));
  }
  return pm;
}

export function getPaymentMethod(sb: Sandbox, id: string, param = 'payment_method'): Obj {
  const pm = sb.store.get(id, 'payment_method');
  if (!pm) throw resourceMissing('PaymentMethod', id, param);
  return pm;
}

export const paymentMethodRoutes: Route[] = [
  route('POST', '/v1/payment_methods', ({ sb, p }) => {
    const type = str(p, 'type') ?? 'card';
    if (type !== 'card') throw invalidRequest(`The sandbox supports only type=card`, 'type');
    const card = obj(p, 'card');
    const token = card ? str(card, 'token') : undefined;
    if (!token)
      throw invalidRequest('Use card[token]=tok_visa (or another test token) in the sandbox.', 'card[token]');
    const pmToken = token.startsWith('tok_') ? `pm_card_${token.slice(4)}` : token;
    if (!TEST_CARDS[pmToken])
      throw invalidRequest(`No such token: '${token}'`, 'card[token]', 'resource_missing');
    const billing = obj(p, 'billing_details');
    const pm = resolvePaymentMethod(sb, pmToken, 'card[token]', {
      metadata: mergeMetadata({}, p),
      email: billing ? str(billing, 'email') : undefined,
      name: billing ? str(billing, 'name') : undefined,
    });
    return pm;
  }),
  route('GET', '/v1/payment_methods/:id', ({ sb, params }) =>
    getPaymentMethod(sb, params.id as string, 'payment_method'),
  ),
  route('POST', '/v1/payment_methods/:id', ({ sb, params, p }) => {
    const pm = getPaymentMethod(sb, params.id as string);
    sb.update(pm, () => {
      pm.metadata = mergeMetadata(pm.metadata, p);
      const billing = obj(p, 'billing_details');
      if (billing) {
        const email = str(billing, 'email');
        const name = str(billing, 'name');
        pm.billing_details = {
          ...pm.billing_details,
          ...(email !== undefined ? { email: email || null } : {}),
          ...(name !== undefined ? { name: name || null } : {}),
        };
      }
    });
    return pm;
  }),
  route('POST', '/v1/payment_methods/:id/attach', ({ sb, params, p }) => {
    const customer = getCustomer(sb, reqStr(p, 'customer'), 'customer');
    const pm = resolvePaymentMethod(sb, params.id as string, 'payment_method');
    return attachPaymentMethod(sb, pm, customer);
  }),
  route('POST', '/v1/payment_methods/:id/detach', ({ sb, params }) =>
    detachPaymentMethod(sb, getPaymentMethod(sb, params.id as string)),
  ),
  route('GET', '/v1/payment_methods', ({ sb, p }) => {
    const customer = str(p, 'customer');
    const items = sb.store
      .list('payment_method')
      .filter((pm) => (customer ? pm.customer === customer : pm.customer !== null));
    return paginate(items, p, '/v1/payment_methods');
  }),
  route('GET', '/v1/customers/:id/payment_methods', ({ sb, params, p }) => {
    const customer = getCustomer(sb, params.id as string, 'customer');
    return paginate(
      sb.store.list('payment_method').filter((pm) => pm.customer === customer.id),
      p,
      `/v1/customers/${customer.id}/payment_methods`,
    );
  }),
  route('GET', '/v1/customers/:id/payment_methods/:pm', ({ sb, params }) => {
    const pm = getPaymentMethod(sb, params.pm as string);
    if (pm.customer !== params.id)
      throw resourceMissing('PaymentMethod', params.pm as string, 'payment_method');
    return pm;
  }),
];
