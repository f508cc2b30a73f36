/** Products and prices. Prices are immutable in amount, currency and interval; `active` and `lookup_key` move. */
import { invalidRequest, resourceMissing } from '../protocol/errors.js';
import { paginate, timeFilter } from '../protocol/list.js';
import {
  bool,
  int,
  mergeMetadata,
  nullableStr,
  obj,
  oneOf,
  reqStr,
  str,
  strArr,
  type P,
} from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { priceShape, productShape } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';

export function getProduct(sb: Sandbox, id: string, param = 'product'): Obj {
  const p = sb.store.get(id, 'product');
  if (!p || sb.store.m(id).deleted) throw resourceMissing('product', id, param);
  return p;
}

export function getPrice(sb: Sandbox, id: string, param = 'price'): Obj {
  const p = sb.store.get(id, 'price');
  if (!p) throw resourceMissing('price', id, param);
  return p;
}

function recurringParams(p: P, prefix: string): Obj | undefined {
  const r = obj(p, 'recurring');
  if (!r) return undefined;
  const interval = oneOf(r, 'interval', ['day', 'week', 'month', 'year'] as const);
  if (!interval)
    throw invalidRequest(
      'Missing required param: recurring[interval].',
      `${prefix}recurring[interval]`,
      'parameter_missing',
    );
  return {
    interval,
    interval_count: int(r, 'interval_count') ?? 1,
    trial_period_days: int(r, 'trial_period_days') ?? null,
  };
}

function claimLookupKey(
  sb: Sandbox,
  key: string | null | undefined,
  transfer: boolean,
  except?: string,
): void {
  if (!key) return;
  const holder = sb.store.all('price').find((pr) => pr.lookup_key === key && pr.id !== except);
  if (!holder) return;
  if (!transfer) {
    throw invalidRequest(
      `A price (\`${holder.id}\`) already uses that lookup key. Set \`transfer_lookup_key\` to true to move it.`,
      'lookup_key',
    );
  }
  sb.update(holder, () => (holder.lookup_key = null));
}

export function createPrice(sb: Sandbox, p: P, product: string, paramPrefix = ''): Obj {
  const currency = (str(p, 'currency') ?? '').toLowerCase();
  if (!currency)
    throw invalidRequest('Missing required param: currency.', `${paramPrefix}currency`, 'parameter_missing');
  const unitAmount = int(p, 'unit_amount');
  if (unitAmount === undefined)
    throw invalidRequest(
      'Missing required param: unit_amount.',
      `${paramPrefix}unit_amount`,
      'parameter_missing',
    );
  if (unitAmount < 0)
    throw invalidRequest('Invalid unit_amount: must be at least 0', `${paramPrefix}unit_amount`);
  const lookupKey = str(p, 'lookup_key') || null;
  claimLookupKey(sb, lookupKey, bool(p, 'transfer_lookup_key') ?? false);
  const price = priceShape(newId('price'), sb.now(), {
    currency,
    unit_amount: unitAmount,
    product,
    recurring: recurringParams(p, paramPrefix),
    lookup_key: lookupKey,
    nickname: str(p, 'nickname') || null,
    metadata: mergeMetadata({}, p),
    active: bool(p, 'active') ?? true,
    tax_behavior: oneOf(p, 'tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const),
  });
  sb.store.insert(price);
  sb.emit('price.created', price);
  return price;
}

const IMMUTABLE_PRICE_FIELDS = [
  'unit_amount',
  'currency',
  'recurring',
  'product',
  'unit_amount_decimal',
  'billing_scheme',
];

export const catalogRoutes: Route[] = [
  route('POST', '/v1/products', ({ sb, p }) => {
    const name = reqStr(p, 'name');
    const id = str(p, 'id') || newId('prod', 14);
    if (sb.store.get(id)) throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
    const product = productShape(id, sb.now(), {
      name,
      description: str(p, 'description') || null,
      active: bool(p, 'active') ?? true,
      metadata: mergeMetadata({}, p),
      images: strArr(p, 'images') ?? [],
      statement_descriptor: str(p, 'statement_descriptor') || null,
      unit_label: str(p, 'unit_label') || null,
      url: str(p, 'url') || null,
      marketing_features: ((p.marketing_features as P[] | undefined) ?? []).map((f) => ({
        name: str(f, 'name') ?? null,
      })),
    });
    sb.store.insert(product);
    sb.emit('product.created', product);
    const dpd = obj(p, 'default_price_data');
    if (dpd) {
      const price = createPrice(sb, dpd, id, 'default_price_data[');
      sb.update(product, () => (product.default_price = price.id), { emit: false });
    }
    return product;
  }),
  route('GET', '/v1/products/:id', ({ sb, params }) => {
    const product = sb.store.get(params.id as string, 'product');
    if (!product) throw resourceMissing('product', params.id as string, 'id');
    if (sb.store.m(product.id).deleted) return { id: product.id, object: 'product', deleted: true };
    return product;
  }),
  route('POST', '/v1/products/:id', ({ sb, params, p }) => {
    const product = getProduct(sb, params.id as string, 'id');
    sb.update(product, () => {
      const name = str(p, 'name');
      if (name !== undefined) {
        if (!name) throw invalidRequest('You cannot unset the name of a product.', 'name');
        product.name = name;
      }
      const description = nullableStr(p, 'description');
      if (description !== undefined) product.description = description;
      const active = bool(p, 'active');
      if (active !== undefined) product.active = active;
      const dp = nullableStr(p, 'default_price');
      if (dp !== undefined) {
        if (dp !== null && getPrice(sb, dp, 'default_price').product !== product.id) {
          throw invalidRequest('The default price must belong to this product.', 'default_price');
        }
        product.default_price = dp;
      }
      product.metadata = mergeMetadata(product.metadata, p);
      product.updated = sb.now();
    });
    return product;
  }),
  route('DELETE', '/v1/products/:id', ({ sb, params }) => {
    const product = getProduct(sb, params.id as string, 'id');
    if (sb.store.all('price').some((pr) => pr.product === product.id)) {
      throw invalidRequest(
        'This product cannot be deleted because it has one or more user-created prices.',
        'id',
      );
    }
    sb.store.m(product.id).deleted = true;
    sb.emit('product.deleted', product);
    return { id: product.id, object: 'product', deleted: true };
  }),
  route('GET', '/v1/products', ({ sb, p }) => {
    const active = bool(p, 'active');
    const ids = strArr(p, 'ids');
    const created = timeFilter(p, 'created');
    const items = sb.store
      .list('product')
      .filter((x) => !sb.store.m(x.id).deleted)
      .filter((x) => (active === undefined ? true : x.active === active))
      .filter((x) => (ids ? ids.includes(x.id) : true))
      .filter((x) => created(x.created));
    return paginate(items, p, '/v1/products');
  }),
  route('POST', '/v1/prices', ({ sb, p }) => {
    let productId = str(p, 'product');
    const productData = obj(p, 'product_data');
    if (!productId && !productData)
      throw invalidRequest('Missing required param: product.', 'product', 'parameter_missing');
    if (productId) getProduct(sb, productId);
    else {
      const prod = productShape(newId('prod', 14), sb.now(), {
        name: reqStr(productData as P, 'name'),
        metadata: mergeMetadata({}, productData as P),
      });
      sb.store.insert(prod);
      sb.emit('product.created', prod);
      productId = prod.id as string;
    }
    return createPrice(sb, p, productId as string);
  }),
  route('GET', '/v1/prices/:id', ({ sb, params }) => getPrice(sb, params.id as string, 'price')),
  route('POST', '/v1/prices/:id', ({ sb, params, p }) => {
    const price = getPrice(sb, params.id as string, 'price');
    for (const f of IMMUTABLE_PRICE_FIELDS) {
      if (p[f] !== undefined)
        throw invalidRequest(`Received unknown parameter: ${f}`, f, 'parameter_unknown');
    }
    const lookupKey = nullableStr(p, 'lookup_key');
    if (lookupKey) claimLookupKey(sb, lookupKey, bool(p, 'transfer_lookup_key') ?? false, price.id);
    sb.update(price, () => {
      const active = bool(p, 'active');
      if (active !== undefined) price.active = active;
      const nickname = nullableStr(p, 'nickname');
      if (nickname !== undefined) price.nickname = nickname;
      if (lookupKey !== undefined) price.lookup_key = lookupKey;
      const tb = oneOf(p, 'tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const);
      if (tb) price.tax_behavior = tb;
      price.metadata = mergeMetadata(price.metadata, p);
    });
    return price;
  }),
  route('GET', '/v1/prices', ({ sb, p }) => {
    const active = bool(p, 'active');
    const product = str(p, 'product');
    const type = str(p, 'type');
    const currency = str(p, 'currency');
    const lookupKeys = strArr(p, 'lookup_keys');
    const rec = obj(p, 'recurring');
    const interval = rec ? str(rec, 'interval') : undefined;
    const created = timeFilter(p, 'created');
    const items = sb.store
      .list('price')
      .filter((x) => (active === undefined ? true : x.active === active))
      .filter((x) => (product ? x.product === product : true))
      .filter((x) => (type ? x.type === type : true))
      .filter((x) => (currency ? x.currency === currency.toLowerCase() : true))
      .filter((x) => (lookupKeys ? lookupKeys.includes(x.lookup_key) : true))
      .filter((x) => (interval ? x.recurring?.interval === interval : true))
      .filter((x) => created(x.created));
    return paginate(items, p, '/v1/prices');
  }),
];
