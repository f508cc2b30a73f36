/** Customers: CRUD, list, search by email/name/metadata; deleting one cancels its subscriptions. */
import { invalidRequest, resourceMissing } from '../protocol/errors.js';
import { paginate, searchMatcher, searchResult, timeFilter } from '../protocol/list.js';
import { mergeMetadata, nullableStr, obj, reqStr, str, strArr, type P } from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { customerShape } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { cancelSubscriptionNow } from '../billing/subscription-ops.js';
import { attachPaymentMethod, getPaymentMethod, resolvePaymentMethod } from './payment-methods.js';

export function getCustomer(sb: Sandbox, id: string, param = 'customer'): Obj {
  const c = sb.store.get(id, 'customer');
  if (!c || sb.store.m(id).deleted) throw resourceMissing('customer', id, param);
  return c;
}

function address(p: P): Obj | undefined {
  const a = obj(p, 'address');
  if (a === undefined) return p.address === '' ? undefined : undefined;
  return {
    city: str(a, 'city') ?? null,
    country: str(a, 'country') ?? null,
    line1: str(a, 'line1') ?? null,
    line2: str(a, 'line2') ?? null,
    postal_code: str(a, 'postal_code') ?? null,
    state: str(a, 'state') ?? null,
  };
}

function setDefaultPaymentMethod(sb: Sandbox, customer: Obj, p: P): void {
  const settings = obj(p, 'invoice_settings');
  if (!settings) return;
  const dpm = nullableStr(settings, 'default_payment_method');
  if (dpm === undefined) return;
  if (dpm === null) {
    customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: null };
    return;
  }
  const pm = getPaymentMethod(sb, dpm, 'invoice_settings[default_payment_method]');
  if (pm.customer !== customer.id) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${dpm}. The payment method must be attached to the customer.`,
      'invoice_settings[default_payment_method]',
      'resource_missing',
    );
  }
  customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: dpm };
}

export const customerRoutes: Route[] = [
  route('POST', '/v1/customers', ({ sb, p }) => {
    const clockId = str(p, 'test_clock');
    if (clockId && !sb.store.get(clockId, 'test_helpers.test_clock'))
      throw resourceMissing('test_clock', clockId, 'test_clock');
    const customer = customerShape(newId('cus', 14), sb.now(clockId ?? null), {
      email: str(p, 'email') || null,
      name: str(p, 'name') || null,
      description: str(p, 'description') || null,
      phone: str(p, 'phone') || null,
      address: address(p) ?? null,
      metadata: mergeMetadata({}, p),
      preferred_locales: strArr(p, 'preferred_locales') ?? [],
      test_clock: clockId ?? null,
    });
    const pmParam = str(p, 'payment_method');
    // validate before storing so a failed attach leaves nothing behind
    const pm = pmParam ? resolvePaymentMethod(sb, pmParam, 'payment_method') : undefined;
    sb.store.insert(customer);
    try {
      if (pm) attachPaymentMethod(sb, pm, customer);
      setDefaultPaymentMethod(sb, customer, p);
    } catch (e) {
      sb.store.remove(customer.id);
      throw e;
    }
    sb.emit('customer.created', customer);
    return customer;
  }),
  route('GET', '/v1/customers/search', ({ sb, p }) => {
    const match = searchMatcher(reqStr(p, 'query'));
    const items = sb.store.list('customer').filter((c) => !sb.store.m(c.id).deleted && match(c));
    return searchResult(items, p, '/v1/customers/search');
  }),
  route('GET', '/v1/customers/:id', ({ sb, params }) => {
    const c = sb.store.get(params.id as string, 'customer');
    if (!c) throw resourceMissing('customer', params.id as string, 'id');
    if (sb.store.m(c.id).deleted) return { id: c.id, object: 'customer', deleted: true };
    return c;
  }),
  route('POST', '/v1/customers/:id', ({ sb, params, p }) => {
    const customer = getCustomer(sb, params.id as string, 'id');
    const pmParam = str(p, 'payment_method');
    if (pmParam) attachPaymentMethod(sb, resolvePaymentMethod(sb, pmParam, 'payment_method'), customer);
    sb.update(customer, () => {
      for (const k of ['email', 'name', 'description', 'phone'] as const) {
        const v = nullableStr(p, k);
        if (v !== undefined) customer[k] = v;
      }
      const a = address(p);
      if (a) customer.address = a;
      if (p.address === '') customer.address = null;
      customer.metadata = mergeMetadata(customer.metadata, p);
      const locales = strArr(p, 'preferred_locales');
      if (locales) customer.preferred_locales = locales;
      setDefaultPaymentMethod(sb, customer, p);
    });
    return customer;
  }),
  route('DELETE', '/v1/customers/:id', ({ sb, params }) => {
    const customer = getCustomer(sb, params.id as string, 'id');
    for (const sub of sb.store.all('subscription')) {
      if (sub.customer === customer.id && !['canceled', 'incomplete_expired'].includes(sub.status)) {
        cancelSubscriptionNow(sb, sub, { reason: 'cancellation_requested' });
      }
    }
    sb.store.m(customer.id).deleted = true;
    sb.emit('customer.deleted', customer);
    return { id: customer.id, object: 'customer', deleted: true };
  }),
  route('GET', '/v1/customers', ({ sb, p }) => {
    const email = str(p, 'email');
    const clock = str(p, 'test_clock');
    const created = timeFilter(p, 'created');
    const items = sb.store
      .list('customer')
      .filter((c) => !sb.store.m(c.id).deleted)
      .filter((c) => (email ? c.email === email : true))
      .filter((c) => (clock ? c.test_clock === clock : true))
      .filter((c) => created(c.created));
    return paginate(items, p, '/v1/customers');
  }),
];
