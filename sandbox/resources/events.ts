/** Events (list with created/type/types filters, retrieve), webhook endpoints, test clocks. */
import { invalidRequest, resourceMissing } from '../protocol/errors.js';
import { paginate, timeFilter } from '../protocol/list.js';
import { bool, int, mergeMetadata, nullableStr, reqStr, str, strArr } from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { testClockShape, webhookEndpointShape } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import { newWebhookSecret } from '../webhooks/sign.js';
import { advanceTestClock } from '../billing/lifecycle.js';

function typeMatcher(pattern: string): (t: string) => boolean {
  if (!pattern.includes('*')) return (t) => t === pattern;
  const prefix = pattern.slice(0, pattern.indexOf('*'));
  return (t) => t.startsWith(prefix);
}

export function registerWebhookEndpoint(
  sb: Sandbox,
  f: {
    url: string;
    enabled_events: string[];
    secret?: string;
    description?: string | null;
    metadata?: Obj;
    api_version?: string | null;
  },
): Obj {
  const ep = webhookEndpointShape(newId('we'), sb.now(), f);
  sb.store.insert(ep);
  sb.store.m(ep.id).secret = f.secret ?? newWebhookSecret();
  return ep;
}

function getEndpoint(sb: Sandbox, id: string): Obj {
  const ep = sb.store.get(id, 'webhook_endpoint');
  if (!ep || sb.store.m(id).deleted) throw resourceMissing('webhook_endpoint', id, 'webhook_endpoint');
  return ep;
}

function getClock(sb: Sandbox, id: string): Obj {
  const c = sb.store.get(id, 'test_helpers.test_clock');
  if (!c) throw resourceMissing('test_clock', id, 'test_clock');
  return c;
}

export const eventRoutes: Route[] = [
  route('GET', '/v1/events', ({ sb, p }) => {
    const type = str(p, 'type');
    const types = strArr(p, 'types');
    if (type && types) throw invalidRequest('You may pass either `type` or `types`, but not both.', 'types');
    const matchers = (types ?? (type ? [type] : [])).map(typeMatcher);
    const created = timeFilter(p, 'created');
    const items = sb.store
      .list('event')
      .filter((e) => matchers.length === 0 || matchers.some((m) => m(e.type)))
      .filter((e) => created(e.created));
    return paginate(items, p, '/v1/events');
  }),
  route('GET', '/v1/events/:id', ({ sb, params }) => {
    const e = sb.store.get(params.id as string, 'event');
    if (!e) throw resourceMissing('event', params.id as string, 'id');
    return e;
  }),
  route('POST', '/v1/webhook_endpoints', ({ sb, p }) => {
    const url = reqStr(p, 'url');
    try {
      new URL(url);
    } catch {
      throw invalidRequest('Invalid URL: must be a valid URL.', 'url', 'url_invalid');
    }
    const events = strArr(p, 'enabled_events');
    if (!events || events.length === 0)
      throw invalidRequest('Missing required param: enabled_events.', 'enabled_events', 'parameter_missing');
    const ep = registerWebhookEndpoint(sb, {
      url,
      enabled_events: events,
      description: str(p, 'description') || null,
      metadata: mergeMetadata({}, p),
      api_version: str(p, 'api_version') || null,
    });
    return { ...ep, secret: sb.store.m(ep.id).secret };
  }),
  route('GET', '/v1/webhook_endpoints/:id', ({ sb, params }) => getEndpoint(sb, params.id as string)),
  route('POST', '/v1/webhook_endpoints/:id', ({ sb, params, p }) => {
    const ep = getEndpoint(sb, params.id as string);
    const url = str(p, 'url');
    if (url) ep.url = url;
    const events = strArr(p, 'enabled_events');
    if (events) ep.enabled_events = events;
    const disabled = bool(p, 'disabled');
    if (disabled !== undefined) ep.status = disabled ? 'disabled' : 'enabled';
    const description = nullableStr(p, 'description');
    if (description !== undefined) ep.description = description;
    ep.metadata = mergeMetadata(ep.metadata, p);
    return ep;
  }),
  route('DELETE', '/v1/webhook_endpoints/:id', ({ sb, params }) => {
    const ep = getEndpoint(sb, params.id as string);
    sb.store.remove(ep.id);
    return { id: ep.id, object: 'webhook_endpoint', deleted: true };
  }),
  route('GET', '/v1/webhook_endpoints', ({ sb, p }) =>
    paginate(sb.store.list('webhook_endpoint'), p, '/v1/webhook_endpoints'),
  ),
  route('POST', '/v1/test_helpers/test_clocks', ({ sb, p }) => {
    const frozen = int(p, 'frozen_time');
    if (frozen === undefined)
      throw invalidRequest('Missing required param: frozen_time.', 'frozen_time', 'parameter_missing');
    const clock = testClockShape(newId('clock'), sb.now(), {
      frozen_time: frozen,
      name: str(p, 'name') || null,
    });
    sb.store.insert(clock);
    sb.emit('test_helpers.test_clock.created', clock);
    return clock;
  }),
  route('GET', '/v1/test_helpers/test_clocks/:id', ({ sb, params }) => getClock(sb, params.id as string)),
  route('GET', '/v1/test_helpers/test_clocks', ({ sb, p }) =>
    paginate(sb.store.list('test_helpers.test_clock'), p, '/v1/test_helpers/test_clocks'),
  ),
  route('DELETE', '/v1/test_helpers/test_clocks/:id', ({ sb, params }) => {
    const clock = getClock(sb, params.id as string);
    sb.emit('test_helpers.test_clock.deleted', clock);
    for (const c of sb.store.all('customer')) if (c.test_clock === clock.id) sb.store.m(c.id).deleted = true;
    sb.store.remove(clock.id);
    return { id: clock.id, object: 'test_helpers.test_clock', deleted: true };
  }),
  route('POST', '/v1/test_helpers/test_clocks/:id/advance', ({ sb, params, p }) => {
    const clock = getClock(sb, params.id as string);
    const target = int(p, 'frozen_time');
    if (target === undefined)
      throw invalidRequest('Missing required param: frozen_time.', 'frozen_time', 'parameter_missing');
    if (target <= clock.frozen_time)
      throw invalidRequest(
        'The frozen_time must be after the current frozen_time of the test clock.',
        'frozen_time',
      );
    return advanceTestClock(sb, clock, target);
  }),
];
