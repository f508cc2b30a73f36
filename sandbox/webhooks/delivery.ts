/**
 * Delivers events to webhook endpoints: signed POSTs, one at a time per endpoint in event order, retried
 * with backoff on non-2xx (retries fall due on the sandbox-wide clock, or at once on `retryNow`).
 * Faults for tests: duplicate, delay (real milliseconds), reorder (a batch delivered in reverse), drop
 * (kept aside until `redeliverDropped`). `flush()` resolves when nothing is queued, in flight or delayed.
 */
import { signPayload } from './sign.js';
import type { Obj } from '../store.js';

export type DeliveryFault =
  | { mode: 'duplicate'; count: number }
  | { mode: 'delay'; count: number; ms: number }
  | { mode: 'reorder'; count: number }
  | { mode: 'drop'; count: number };

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  endpoint: string;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: number;
}

interface Job {
  event: Obj;
  payload: string;
  endpointId: string;
  url: string;
  secret: string;
  attempt: number;
  /** Sandbox-clock time when a retry falls due. */
  dueAt?: number;
}

/** Stripe retries for up to three days with exponential backoff; these are the gaps in seconds. */
export const RETRY_BACKOFF_SECONDS = [60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 86400];

export interface DeliveryOptions {
  now: () => number;
  signatureTime: () => number;
  timeoutMs?: number;
  /** Deliveries in flight at once (default 1: one at a time, in order). */
  concurrency?: () => number;
  onAttempt?: (a: DeliveryAttempt) => void;
}

export class WebhookDelivery {
  private readonly queue: Job[] = [];
  private readonly retries: Job[] = [];
  private readonly dropped: Job[] = [];
  private reorderBuffer: Job[] = [];
  private faults: DeliveryFault[] = [];
  private running = 0;
  private delayed = 0;
  private waiters: Array<() => void> = [];
  private stopped = false;
  private readonly controllers = new Set<AbortController>();
  readonly attempts: DeliveryAttempt[] = [];

  constructor(private readonly opts: DeliveryOptions) {}

  setFaults(faults: DeliveryFault[]): void {
    this.faults = faults.map((f) => ({ ...f }));
  }

  enqueue(event: Obj, endpoints: Array<{ id: string; url: string; secret: string }>): void {
    const payload = JSON.stringify(event, null, 2);
    for (const ep of endpoints) {
      const job: Job = { event, payload, endpointId: ep.id, url: ep.url, secret: ep.secret, attempt: 0 };
      this.route(job);
    }
    this.pump();
  }

  private route(job: Job): void {
    const fault = this.faults.find((f) => f.count > 0);
    if (!fault) {
      this.queue.push(job);
      return;
    }
    fault.count--;
    switch (fault.mode) {
      case 'duplicate':
        this.queue.push(job, { ...job });
        return;
      case 'drop':
        this.dropped.push(job);
        this.record(job, null, 'dropped by fault injection');
        return;
      case 'delay': {
        this.delayed++;
        const t = setTimeout(() => {
          this.delayed--;
          this.queue.push(job);
          this.pump();
        }, fault.ms);
        t.unref?.();
        return;
      }
      case 'reorder':
        this.reorderBuffer.push(job);
        if (fault.count === 0) this.releaseReorder();
        return;
    }
  }

  private releaseReorder(): void {
    this.queue.push(...this.reorderBuffer.reverse());
    this.reorderBuffer = [];
  }

  redeliverDropped(): number {
    const n = this.dropped.length;
    this.queue.push(...this.dropped.splice(0));
    this.pump();
    return n;
  }

  /** Move retries whose time has come (on the sandbox clock) back into the queue. */
  tick(): void {
    const now = this.opts.now();
    for (let i = 0; i < this.retries.length;) {
      const job = this.retries[i] as Job;
      if ((job.dueAt ?? 0) <= now) {
        this.retries.splice(i, 1);
        this.queue.push(job);
      } else i++;
    }
    this.pump();
  }

  retryNow(): number {
    const n = this.retries.length;
    this.queue.push(...this.retries.splice(0));
    this.pump();
    return n;
  }

  pending(): { queued: number; retrying: number; dropped: number; delayed: number; reorderBuffered: number } {
    return {
      queued: this.queue.length + this.running,
      retrying: this.retries.length,
      dropped: this.dropped.length,
      delayed: this.delayed,
      reorderBuffered: this.reorderBuffer.length,
    };
  }

  /** Resolves once nothing is queued, being delivered, delayed or held for reordering (a held batch is released). */
  async flush(): Promise<void> {
    if (this.reorderBuffer.length > 0) {
      this.releaseReorder();
      this.pump();
    }
    if (this.idle()) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.reorderBuffer.length > 0) return this.flush();
  }

  private idle(): boolean {
    return this.running === 0 && this.queue.length === 0 && this.delayed === 0;
  }

  private notifyIdle(): void {
    if (!this.idle()) return;
    const w = this.waiters.splice(0);
    for (const r of w) r();
  }

  private pump(): void {
    const limit = Math.max(1, this.opts.concurrency?.() ?? 1);
    while (!this.stopped && this.running < limit) {
      const job = this.queue.shift();
      if (!job) break;
      this.running++;
      void this.deliver(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
    this.notifyIdle();
  }

  private async deliver(job: Job): Promise<void> {
    job.attempt++;
    const header = signPayload(job.payload, job.secret, this.opts.signatureTime());
    const ctrl = new AbortController();
    this.controllers.add(ctrl);
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs ?? 10_000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(job.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': header,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: job.payload,
        signal: ctrl.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      clearTimeout(timer);
      this.controllers.delete(ctrl);
    }
    this.record(job, status, error);
    const ok = status !== null && status >= 200 && status < 300;
    if (!ok && !this.stopped) {
      const gap = RETRY_BACKOFF_SECONDS[job.attempt - 1];
      if (gap !== undefined) {
        job.dueAt = this.opts.now() + gap;
        this.retries.push(job);
      }
    }
  }

  private record(job: Job, status: number | null, error: string | null): void {
    const a: DeliveryAttempt = {
      eventId: job.event.id,
      type: job.event.type,
      endpoint: job.endpointId,
      url: job.url,
      attempt: job.attempt,
      status,
      error,
      at: this.opts.now(),
    };
    this.attempts.push(a);
    this.opts.onAttempt?.(a);
  }

  /** Deliveries not yet made (queued, waiting for a retry, dropped, held), to survive a restart. */
  snapshot(): Array<{ eventId: string; endpointId: string; attempt: number; dueAt: number | null }> {
    return [...this.queue, ...this.reorderBuffer, ...this.retries, ...this.dropped].map((j) => ({
      eventId: j.event.id as string,
      endpointId: j.endpointId,
      attempt: j.attempt,
      dueAt: j.dueAt ?? null,
    }));
  }

  restore(
    items: Array<{ eventId: string; endpointId: string; attempt: number; dueAt: number | null }>,
    lookup: (eventId: string, endpointId: string) => { event: Obj; url: string; secret: string } | undefined,
  ): void {
    for (const it of items) {
      const found = lookup(it.eventId, it.endpointId);
      if (!found) continue;
      const job: Job = {
        event: found.event,
        payload: JSON.stringify(found.event, null, 2),
        endpointId: it.endpointId,
        url: found.url,
        secret: found.secret,
        attempt: it.attempt,
        ...(it.dueAt !== null ? { dueAt: it.dueAt } : {}),
      };
      if (it.dueAt !== null) this.retries.push(job);
      else this.queue.push(job);
    }
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.controllers) c.abort();
    const w = this.waiters.splice(0);
    for (const r of w) r();
  }
}
