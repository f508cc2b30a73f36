/**
 * The sandbox's state and the primitives every resource uses: time per customer (test clock or sandbox
 * clock), rendering stored objects into API shape, emitting events (with `previous_attributes` computed
 * from a before/after render) and handing them to webhook delivery.
 */
import { isDeepStrictEqual } from 'node:util';
import { SandboxClock } from './clock.js';
import { eventShape, planFromPrice } from './shapes.js';
import { newId, Store, type Obj } from './store.js';
import { WebhookDelivery, type DeliveryFault } from './webhooks/delivery.js';

export interface Settings {
  /** What happens to a subscription when its last retry fails. */
  afterRetries: 'cancel' | 'unpaid' | 'past_due';
  /** Days between a failed attempt and the next retry (Stripe's custom schedule: "N days after the previous attempt"). */
  retryDays: number[];
  /** Hours from invoice creation to automatic finalization for renewals (Stripe: about 1). */
  finalizeAfterHours: number;
  /** Sign webhooks with the sandbox clock instead of the wall clock. */
  signWithSandboxClock: boolean;
  /** API requests per second (wall clock) before 429 `rate_limit`, like Stripe's 100/s in live mode; null = no limit. */
  rateLimitPerSecond: number | null;
  /** Webhook deliveries in flight at once: 1 = one at a time in Stripe's order; Stripe itself sends many at once. */
  webhookConcurrency: number;
}

export const DEFAULT_SETTINGS: Settings = {
  afterRetries: 'cancel',
  retryDays: [3, 5, 7],
  finalizeAfterHours: 1,
  signWithSandboxClock: false,
  rateLimitPerSecond: null,
  webhookConcurrency: 1,
};

export interface ApiFault {
  path: string;
  method?: string;
  /** 500 / 503: fail before the change; 429: rate limited; hang: apply, never answer; latency: apply, answer after `ms`. */
  mode: '500' | '503' | '429' | 'hang' | 'latency';
  ms?: number;
  /** For 429: the `Stripe-Should-Retry` header value; omitted means no header. */
  shouldRetry?: boolean;
  count: number;
}

export interface RequestContext {
  id: string;
  idempotencyKey: string | null;
}

const EVENT_PREFIX: Record<string, string> = {
  subscription: 'customer.subscription',
  'test_helpers.test_clock': 'test_helpers.test_clock',
  'checkout.session': 'checkout.session',
  dispute: 'charge.dispute',
};

export class Sandbox {
  readonly store = new Store();
  readonly clock: SandboxClock;
  settings: Settings = { ...DEFAULT_SETTINGS, retryDays: [...DEFAULT_SETTINGS.retryDays] };
  apiFaults: ApiFault[] = [];
  /** API requests answered 429 by the `rateLimitPerSecond` limiter (not by injected faults) since the start. */
  rateLimited = 0;
  baseUrl = '';
  request: RequestContext | null = null;
  readonly delivery: WebhookDelivery;
  onEvent?: (event: Obj) => void;
  /** While the lifecycle engine runs a due action, the time it runs at (per clock id, '' = sandbox clock). */
  private readonly processing = new Map<string, number>();

  constructor(opts: { startTime?: number; deliveryFaults?: DeliveryFault[] } = {}) {
    this.clock = new SandboxClock(opts.startTime);
    this.delivery = new WebhookDelivery({
      now: () => this.clock.now(),
      signatureTime: () =>
        this.settings.signWithSandboxClock ? this.clock.now() : Math.floor(Date.now() / 1000),
      concurrency: () => this.settings.webhookConcurrency,
    });
  }

  /** Current time on a clock: a test clock id, or null for the sandbox-wide clock. */
  now(clockId: string | null = null): number {
    const p = this.processing.get(clockId ?? '');
    if (p !== undefined) return p;
    if (clockId) {
      const c = this.store.get(clockId, 'test_helpers.test_clock');
      if (c) return c.frozen_time as number;
    }
    return this.clock.now();
  }

  clockOfCustomer(customerId: string | null | undefined): string | null {
    if (!customerId) return null;
    return (this.store.get(customerId, 'customer')?.test_clock as string | null | undefined) ?? null;
  }

  nowFor(customerId: string | null | undefined): number {
    return this.now(this.clockOfCustomer(customerId));
  }

  /** Run a scheduled action at `at`; its events carry no request (as Stripe's automatic events). */
  withProcessingTime<T>(clockId: string | null, at: number, fn: () => T): T {
    const key = clockId ?? '';
    const prev = this.processing.get(key);
    const request = this.request;
    this.processing.set(key, at);
    this.request = null;
    try {
      return fn();
    } finally {
      this.request = request;
      if (prev === undefined) this.processing.delete(key);
      else this.processing.set(key, prev);
    }
  }

  /** The API shape of a stored object (fills embedded prices/plans from the catalogue). */
  render(obj: Obj): Obj {
    const out = structuredClone(obj);
    if (out.object === 'subscription') {
      out.items.data = (out.items.data as Obj[]).map((it) => this.renderItem(it));
    } else if (out.object === 'subscription_item') {
      return this.renderItem(out);
    }
    return out;
  }

  private renderItem(it: Obj): Obj {
    const priceId = typeof it.price === 'string' ? it.price : it.price.id;
    const price = this.store.get(priceId, 'price');
    if (!price) return it;
    return { ...it, price: structuredClone(price), plan: planFromPrice(price) };
  }

  eventTypeFor(obj: Obj, verb: string): string {
    return `${EVENT_PREFIX[obj.object as string] ?? obj.object}.${verb}`;
  }

  /** Emit an event whose `data.object` is the current render of `obj` (or `snapshot` when given). */
  emit(type: string, obj: Obj, opts: { previous?: Obj; at?: number; snapshot?: Obj } = {}): Obj {
    const endpoints = this.store
      .all('webhook_endpoint')
      .filter((e) => e.status === 'enabled')
      .filter(
        (e) => (e.enabled_events as string[]).includes('*') || (e.enabled_events as string[]).includes(type),
      );
    const at = opts.at ?? this.now(this.clockOf(obj));
    const event = eventShape(newId('evt'), at, {
      type,
      object: opts.snapshot ?? this.render(obj),
      previous_attributes: opts.previous,
      pending_webhooks: endpoints.length,
      requestId: this.request?.id,
      idempotencyKey: this.request?.idempotencyKey,
    });
    this.store.insert(event);
    this.onEvent?.(structuredClone(event));
    this.delivery.enqueue(
      event,
      endpoints.map((e) => ({
        id: e.id as string,
        url: e.url as string,
        secret: this.store.m(e.id as string).secret as string,
      })),
    );
    return event;
  }

  /** The clock an object lives on (through its customer). */
  clockOf(obj: Obj): string | null {
    if (obj.object === 'customer') return (obj.test_clock as string | null) ?? null;
    if (obj.object === 'test_helpers.test_clock') return obj.id as string;
    const cus = typeof obj.customer === 'string' ? obj.customer : (obj.customer?.id as string | undefined);
    return this.clockOfCustomer(cus);
  }

  /**
   * Run `mutate` on a stored object and emit `<type>.updated` with `previous_attributes` (the top-level
   * fields that changed, with their old values) when anything changed. Returns the event or null.
   */
  update(obj: Obj, mutate: () => void, opts: { emit?: boolean; at?: number } = {}): Obj | null {
    const before = this.render(obj);
    mutate();
    const after = this.render(obj);
    const previous: Obj = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!isDeepStrictEqual(before[k], after[k])) previous[k] = before[k] ?? null;
    }
    if (Object.keys(previous).length === 0 || opts.emit === false) return null;
    return this.emit(this.eventTypeFor(obj, 'updated'), obj, { previous, at: opts.at, snapshot: after });
  }
}
