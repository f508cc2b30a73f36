/** `GET /v1/<resource>/search` for the resources Stripe offers search on (customers and subscriptions live with their routes). */
import { searchMatcher, searchResult } from '../protocol/list.js';
import { reqStr } from '../protocol/params.js';
import { route, type Route } from '../router.js';

const SEARCHABLE: Array<[string, string]> = [
  ['/v1/products/search', 'product'],
  ['/v1/prices/search', 'price'],
  ['/v1/invoices/search', 'invoice'],
  ['/v1/payment_intents/search', 'payment_intent'],
  ['/v1/charges/search', 'charge'],
];

export const searchRoutes: Route[] = SEARCHABLE.map(([path, type]) =>
  route('GET', path, ({ sb, p }) => {
    const match = searchMatcher(reqStr(p, 'query'));
    return searchResult(
      sb.store.list(type).filter((o) => !sb.store.m(o.id).deleted && match(o)),
      p,
      path,
    );
  }),
);
