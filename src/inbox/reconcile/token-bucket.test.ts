import { describe, expect, it } from 'vitest';
import { TokenBucket, type BucketTime } from './token-bucket.js';

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
