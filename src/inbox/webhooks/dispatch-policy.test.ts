import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTEMPTS, retriesExhausted, retryDelaySeconds } from './dispatch-policy.js';

describe('retryDelaySeconds', () => {
  it('doubles from 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 480, 960, 1920]);
  });
  it('the default 8 attempts span about an hour', () => {
    let total = 0;
    for (let a = 1; a < DEFAULT_MAX_ATTEMPTS; a++) total += retryDelaySeconds(a);
    expect(total).toBe(3810);
  });
  it('is capped at 6 hours', () => {
    expect(retryDelaySeconds(30)).toBe(21600);
  });
  it('exhausts at maxAttempts', () => {
    expect(retriesExhausted(7, 8)).toBe(false);
    expect(retriesExhausted(8, 8)).toBe(true);
  });
});
