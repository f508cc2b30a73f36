import { describe, expect, it } from 'vitest';
import { isRateLimited, takeAndCall, TokenBucket, type BucketTime } from './token-bucket.js';

function fakeTime(): BucketTime & { t: number; slept: number[] } {
  const ft = {
    t: 0,
    slept: [] as number[],
    now: () => ft.t,
    sleep: async (ms: number) => {
      ft.slept.push(ms);
      ft.t += ms;
    },
  };
  return ft;
}

describe('TokenBucket', () => {
  it('lets a burst through, then paces to the rate: 80 req/s → 400 takes need 4.8 s after a burst of 20', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(80, 20, time);
    for (let i = 0; i < 400; i++) await bucket.take();
    expect(bucket.taken).toBe(400);
    // 20 free, 380 at 12.5 ms each = 4750 ms (each wait rounds up to whole ms: 13 ms, refill credits the rest)
    expect(time.t).toBeGreaterThanOrEqual(4750);
    expect(time.t).toBeLessThanOrEqual(4750 + 380);
  });

  it('never exceeds the rate in any 1 s window once the burst is spent', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(10, 1, time);
    const at: number[] = [];
    for (let i = 0; i < 50; i++) {
      await bucket.take();
      at.push(time.t);
    }
    for (let i = 0; i + 10 < at.length; i++) expect(at[i + 10]! - at[i]!).toBeGreaterThanOrEqual(1000);
  });

  it('refills while idle, up to the burst only', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(100, 5, time);
    for (let i = 0; i < 5; i++) await bucket.take();
    time.t += 60_000;
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(time.slept).toEqual([]);
    await bucket.take();
    expect(time.slept).toEqual([10]);
  });
});

describe('takeAndCall', () => {
  const rateLimited = () => Object.assign(new Error('Request rate limit exceeded.'), { statusCode: 429 });

  it('retries a 429 after an exponential backoff with jitter, a token per attempt', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(1000, 1000, time);
    let calls = 0;
    const throttled: [number, number][] = [];
    const result = await takeAndCall(
      bucket,
      async () => {
        if (++calls <= 3) throw rateLimited();
        return 'page';
      },
      { time, random: () => 1, onThrottled: (a, ms) => throttled.push([a, ms]) },
    );
    expect(result).toBe('page');
    expect(bucket.taken).toBe(4);
    expect(throttled).toEqual([
      [0, 500],
      [1, 1000],
      [2, 2000],
    ]);
    expect(time.slept).toEqual([500, 1000, 2000]);
  });

  it('jitter halves the wait at most; the wait is capped', async () => {
    const time = fakeTime();
    let calls = 0;
    await takeAndCall(
      new TokenBucket(1000, 1000, time),
      async () => {
        if (++calls <= 7) throw rateLimited();
      },
      { time, random: () => 0, maxMs: 8000 },
    );
    expect(time.slept).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('gives up after maxRetries; any other error is thrown at once', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(1000, 1000, time);
    await expect(
      takeAndCall(bucket, () => Promise.reject(rateLimited()), { time, maxRetries: 2 }),
    ).rejects.toThrow('rate limit');
    expect(bucket.taken).toBe(3);
    const declined = Object.assign(new Error('No such customer'), { statusCode: 404 });
    await expect(takeAndCall(bucket, () => Promise.reject(declined), { time })).rejects.toBe(declined);
    expect(bucket.taken).toBe(4);
    expect([isRateLimited(rateLimited()), isRateLimited(declined), isRateLimited(null)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
