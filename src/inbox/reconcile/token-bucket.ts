/**
 * Our own Stripe rate budget (STRIPE_RATE_BUDGET, default 80 requests/s — under Stripe's 100/s live limit, so
 * reconciliation never starves the app's own calls). A token bucket: `rate` tokens per second, bursts up to
 * `burst`; `take()` resolves when a token is available. Time and waiting are injected (tests move time by hand).
 */
export interface BucketTime {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realBucketTime: BucketTime = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export class TokenBucket {
  private tokens: number;
  private last: number;
  taken = 0;

  constructor(
    readonly rate: number,
    readonly burst: number = Math.max(1, Math.floor(rate / 4)),
    private readonly time: BucketTime = realBucketTime,
  ) {
    if (!(rate > 0)) throw new Error('rate must be positive');
    this.tokens = burst;
    this.last = time.now();
  }

  private refill(): void {
    const now = this.time.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }

  async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        this.taken++;
        return;
      }
      await this.time.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.rate));
    }
  }
}
