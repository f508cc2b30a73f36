/**
 * The control API (`/_sandbox/...`, JSON, no auth, never under /v1) and `SandboxControl`, its typed client.
 * Tests use it to move the sandbox-wide clock, inject webhook and API faults, await webhook quiescence,
 * open disputes and change settings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { advanceSandboxClock, advanceTestClock } from './billing/lifecycle.js';
import { closeDispute, createDispute, getCharge } from './resources/payments.js';
import { registerWebhookEndpoint } from './resources/events.js';
import { StripeApiError } from './protocol/errors.js';
import type { ApiFault, Sandbox, Settings } from './state.js';
import type { Obj } from './store.js';
import type { DeliveryAttempt, DeliveryFault } from './webhooks/delivery.js';

function json(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

export function controlHandler(sb: Sandbox, persist: () => void) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    let body: Obj = {};
    try {
      body = raw ? (JSON.parse(raw) as Obj) : {};
    } catch {
      return json(res, 400, { error: 'body must be JSON' });
    }
    const seg = path.split('/').filter(Boolean).slice(1);
    const key = `${method} /${seg.map((s, i) => (i > 0 && /^(clock_|dp_|ch_)/.test(s) ? ':id' : s)).join('/')}`;
    try {
      switch (key) {
        case 'GET /clock':
          return json(res, 200, { now: sb.clock.now(), frozen: sb.clock.isFrozen });
        case 'POST /clock/advance': {
          const target = body.to ?? sb.clock.now() + (body.by as number);
          if (typeof target !== 'number' || target < sb.clock.now())
            return json(res, 400, { error: 'to/by must move the clock forward' });
          advanceSandboxClock(sb, target);
          persist();
          return json(res, 200, { now: sb.clock.now() });
        }
        case 'POST /test_clocks/:id/advance': {
          const clock = sb.store.get(seg[1] as string, 'test_helpers.test_clock');
          if (!clock) return json(res, 404, { error: 'no such test clock' });
          const target = body.to ?? clock.frozen_time + (body.by as number);
          advanceTestClock(sb, clock, target);
          persist();
          return json(res, 200, sb.render(clock));
        }
        case 'POST /webhooks/faults':
          sb.delivery.setFaults((body.faults as DeliveryFault[]) ?? []);
          return json(res, 200, { ok: true });
        case 'POST /webhooks/redeliver_dropped':
          return json(res, 200, { count: sb.delivery.redeliverDropped() });
        case 'POST /webhooks/retry_now':
          return json(res, 200, { count: sb.delivery.retryNow() });
        case 'POST /webhooks/flush':
          await sb.delivery.flush();
          return json(res, 200, sb.delivery.pending());
        case 'GET /webhooks/pending':
          return json(res, 200, sb.delivery.pending());
        case 'GET /webhooks/attempts':
          return json(res, 200, { data: sb.delivery.attempts });
        case 'POST /webhook_endpoints': {
          const ep = registerWebhookEndpoint(sb, {
            url: body.url as string,
            enabled_events: (body.enabled_events as string[]) ?? ['*'],
            secret: body.secret as string | undefined,
          });
          persist();
          return json(res, 200, { ...ep, secret: sb.store.m(ep.id).secret });
        }
        case 'POST /api_faults':
          sb.apiFaults.push({ ...(body as ApiFault), count: (body.count as number) ?? 1 });
          return json(res, 200, { faults: sb.apiFaults });
        case 'DELETE /api_faults':
          sb.apiFaults = [];
          return json(res, 200, { faults: [] });
        case 'POST /disputes': {
          const d = createDispute(sb, getCharge(sb, body.charge as string), {
            reason: body.reason,
            amount: body.amount,
          });
          persist();
          return json(res, 200, sb.render(d));
        }
        case 'POST /disputes/:id/close': {
          const d = sb.store.get(seg[1] as string, 'dispute');
          if (!d) return json(res, 404, { error: 'no such dispute' });
          closeDispute(sb, d, body.outcome === 'won' ? 'won' : 'lost');
          persist();
          return json(res, 200, sb.render(d));
        }
        case 'GET /rate_limited':
          return json(res, 200, { count: sb.rateLimited, limit: sb.settings.rateLimitPerSecond });
        case 'GET /settings':
          return json(res, 200, sb.settings);
        case 'POST /settings':
          sb.settings = { ...sb.settings, ...(body as Partial<Settings>) };
          persist();
          return json(res, 200, sb.settings);
        default:
          return json(res, 404, { error: `unknown control endpoint ${method} ${path}` });
      }
    } catch (e) {
      if (e instanceof StripeApiError) return json(res, e.status, { error: e.body });
      throw e;
    }
  };
}

export type ApiFaultInput = { path: string; method?: string; count?: number } & (
  | { mode: '500' | '503' }
  | { mode: '429'; shouldRetry?: boolean }
  | { mode: 'hang' }
  | { mode: 'latency'; ms: number }
);

/** Typed client for the control API. Every method resolves once the sandbox has applied the change. */
export class SandboxControl {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const out = (await res.json()) as T;
    if (!res.ok) throw new Error(`sandbox control ${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
    return out;
  }

  /** Sandbox-wide clock (objects of customers without a test clock). */
  now(): Promise<{ now: number; frozen: boolean }> {
    return this.call('GET', '/clock');
  }
  advanceClock(o: { to: number } | { by: number }): Promise<{ now: number }> {
    return this.call('POST', '/clock/advance', o);
  }
  advanceTestClock(clockId: string, o: { to: number } | { by: number }): Promise<Obj> {
    return this.call('POST', `/test_clocks/${clockId}/advance`, o);
  }
  /** Faults for the next webhook deliveries (each with a count of deliveries it applies to). */
  webhookFaults(faults: DeliveryFault[]): Promise<unknown> {
    return this.call('POST', '/webhooks/faults', { faults });
  }
  redeliverDropped(): Promise<{ count: number }> {
    return this.call('POST', '/webhooks/redeliver_dropped', {});
  }
  /** Send every delivery waiting for a retry now, regardless of the clock. */
  retryNow(): Promise<{ count: number }> {
    return this.call('POST', '/webhooks/retry_now', {});
  }
  /** Resolves when no webhook delivery is queued, in flight, delayed or held for reordering. */
  flush(): Promise<{ queued: number; retrying: number; dropped: number; delayed: number }> {
    return this.call('POST', '/webhooks/flush', {});
  }
  deliveries(): Promise<DeliveryAttempt[]> {
    return this.call<{ data: DeliveryAttempt[] }>('GET', '/webhooks/attempts').then((r) => r.data);
  }
  registerWebhook(o: { url: string; secret?: string; enabled_events?: string[] }): Promise<Obj> {
    return this.call('POST', '/webhook_endpoints', o);
  }
  /** The next `count` (default 1) API requests matching `path` (exact, or a prefix ending in `*`) fail or hang. */
  apiFault(f: ApiFaultInput): Promise<unknown> {
    return this.call('POST', '/api_faults', f);
  }
  clearApiFaults(): Promise<unknown> {
    return this.call('DELETE', '/api_faults');
  }
  createDispute(chargeId: string, o: { reason?: string; amount?: number } = {}): Promise<Obj> {
    return this.call('POST', '/disputes', { charge: chargeId, ...o });
  }
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): Promise<Obj> {
    return this.call('POST', `/disputes/${disputeId}/close`, { outcome });
  }
  /** How many API requests the `rateLimitPerSecond` limiter answered 429 since the sandbox started. */
  rateLimited(): Promise<{ count: number; limit: number | null }> {
    return this.call('GET', '/rate_limited');
  }
  settings(s: Partial<Settings> = {}): Promise<Settings> {
    return Object.keys(s).length === 0 ? this.call('GET', '/settings') : this.call('POST', '/settings', s);
  }
}
