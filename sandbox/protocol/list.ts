/** Stripe list objects (`limit`, `starting_after`, `ending_before`, `has_more`), `created` filters and search. */
import type { Obj } from '../store.js';
import { invalidRequest } from './errors.js';
import { int, obj, str, type P } from './params.js';

export function paginate(items: Obj[], p: P, url: string): Obj {
  const limit = int(p, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit');
  const after = str(p, 'starting_after');
  const before = str(p, 'ending_before');
  let data: Obj[];
  let hasMore: boolean;
  if (after) {
    const i = items.findIndex((o) => o.id === after);
    if (i < 0) throw invalidRequest(`No such object: '${after}'`, 'starting_after', 'resource_missing');
    const rest = items.slice(i + 1);
    data = rest.slice(0, limit);
    hasMore = rest.length > limit;
  } else if (before) {
    const i = items.findIndex((o) => o.id === before);
    if (i < 0) throw invalidRequest(`No such object: '${before}'`, 'ending_before', 'resource_missing');
    const head = items.slice(0, i);
    data = head.slice(Math.max(0, head.length - limit));
    hasMore = head.length > limit;
  } else {
    data = items.slice(0, limit);
    hasMore = items.length > limit;
  }
  return { object: 'list', data, has_more: hasMore, url };
}

/** `created=123` or `created[gte]=…&created[lt]=…` (also used for other timestamp filters). */
export function timeFilter(p: P, name: string): (t: number) => boolean {
  const raw = p[name];
  if (raw === undefined || raw === '') return () => true;
  if (typeof raw === 'string') {
    const v = int(p, name) as number;
    return (t) => t === v;
  }
  const o = obj(p, name) as P;
  const gt = int(o, 'gt');
  const gte = int(o, 'gte');
  const lt = int(o, 'lt');
  const lte = int(o, 'lte');
  return (t) =>
    (gt === undefined || t > gt) &&
    (gte === undefined || t >= gte) &&
    (lt === undefined || t < lt) &&
    (lte === undefined || t <= lte);
}

/**
 * Stripe's search query language, the part apps use: clauses `field:'value'`, `field~'prefix'`,
 * `metadata['key']:'value'`, joined by AND (or by OR, not mixed).
 */
export function searchMatcher(query: string): (o: Obj) => boolean {
  const q = query.trim();
  if (!q) throw invalidRequest('Missing required param: query.', 'query', 'parameter_missing');
  const joiner = / OR /.test(q) ? 'OR' : 'AND';
  const clauses = q.split(joiner === 'OR' ? / OR / : / AND /).map((c) => c.trim());
  const tests = clauses.map((c) => {
    const m = /^(metadata\[['"]([^'"]+)['"]\]|[a-z_]+)\s*([:~])\s*['"](.*)['"]$/.exec(c);
    if (!m) throw invalidRequest(`Invalid search query: ${c}`, 'query');
    const [, field, metaKey, op, value] = m;
    return (o: Obj) => {
      const actual = metaKey !== undefined ? o.metadata?.[metaKey] : o[field as string];
      if (actual === null || actual === undefined) return false;
      const a = String(actual);
      if (op === '~') return a.toLowerCase().includes((value as string).toLowerCase());
      return field === 'email' ? a.toLowerCase() === (value as string).toLowerCase() : a === value;
    };
  });
  return (o) => (joiner === 'AND' ? tests.every((t) => t(o)) : tests.some((t) => t(o)));
}

export function searchResult(items: Obj[], p: P, url: string): Obj {
  const limit = int(p, 'limit') ?? 10;
  const page = str(p, 'page');
  const offset = page ? Number(Buffer.from(page, 'base64url').toString()) || 0 : 0;
  const data = items.slice(offset, offset + limit);
  const hasMore = items.length > offset + limit;
  return {
    object: 'search_result',
    data,
    has_more: hasMore,
    next_page: hasMore ? Buffer.from(String(offset + limit)).toString('base64url') : null,
    url,
  };
}
