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

/** Stripe's 429: the account's rate limit (`rate_limit`) or a busy object (`lock_timeout`); both may be retried. */
export const isRateLimited = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { statusCode?: unknown }).statusCode === 429;

/**
 * One Stripe request through the bucket: a token per attempt; a 429 (which the SDK does not retry unless Stripe
 * says `Stripe-Should-Retry: true`) is retried up to `maxRetries` times after an exponential backoff with jitter
 * (Stripe's advice: 0.5–1 × `baseMs` × 2^attempt, at most `maxMs`), so a limit shared with the app's own calls
 * slows the run down instead of failing it. `onAttempt` sees every request sent, `onThrottled` every 429.
 */
export async function takeAndCall<T>(
  bucket: TokenBucket,
  call: () => Promise<T>,
  opts: {
    time?: BucketTime;
    maxRetries?: number;
    baseMs?: number;
    maxMs?: number;
    random?: () => number;
    onAttempt?: () => void;
    onThrottled?: (attempt: number, waitMs: number) => void;
  } = {},
): Promise<T> {
  const { time = realBucketTime, maxRetries = 8, baseMs = 500, maxMs = 16_000, random = Math.random } = opts;
  for (let attempt = 0; ; attempt++) {
    await bucket.take();
    opts.onAttempt?.();
    try {
      return await call();
    } catch (e) {
      if (!isRateLimited(e) || attempt >= maxRetries) throw e;
      const waitMs = Math.round(Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + random() / 2));
      opts.onThrottled?.(attempt, waitMs);
      await time.sleep(waitMs);
    }
  }
}
