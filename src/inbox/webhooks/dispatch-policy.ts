/**
 * Retry policy of the event dispatcher (pure). An event that cannot be applied yet is retried after
 * 30 s, 1, 2, 4, 8, 16 and 32 min: with the default 8 attempts the last one runs about 63 minutes after the
 * first, then the event is `failed` and an open billing_error asks a person.
 */
export const DEFAULT_MAX_ATTEMPTS = 8;
const BASE_DELAY_SECONDS = 30;
const MAX_DELAY_SECONDS = 6 * 3600;

/** Delay before the next try, after `attempts` failed tries (attempts >= 1). */
export function retryDelaySeconds(attempts: number): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (n - 1));
}

/** Whether the event gives up after this many failed tries. */
export function retriesExhausted(attempts: number, maxAttempts: number): boolean {
  return attempts >= maxAttempts;
}
