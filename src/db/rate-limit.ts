/**
 * Fixed-window rate-limit counters kept in PostgreSQL (`rate_limit_counters`), so every web process shares them
 * (docs/DESIGN.md §10). Time comes from the injected Clock. `hit` counts one event and returns the window's count;
 * `peek` reads it without counting (failed-login limits count failures only).
 */
import { sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Executor } from './client.js';

export interface Limit {
  bucket: string;
  max: number;
  windowSeconds: number;
}

export interface RateLimitState {
  count: number;
  limited: boolean;
  retryAfterSeconds: number;
}

function state(limit: Limit, count: number, startedAt: Date | null, now: Date): RateLimitState {
  const resetAt = startedAt ? startedAt.getTime() + limit.windowSeconds * 1000 : now.getTime();
  return {
    count,
    limited: count >= limit.max,
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now.getTime()) / 1000)),
  };
}

export async function peekLimit(
  db: Executor,
  clock: Clock,
  limit: Limit,
  key: string,
): Promise<RateLimitState> {
  const now = clock.now();
  const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000);
  const res = await db.execute<{ count: number; window_started_at: Date }>(sql`
    SELECT count, window_started_at FROM rate_limit_counters
    WHERE bucket = ${limit.bucket} AND key = ${key} AND window_started_at > ${windowStart.toISOString()}`);
  const row = res.rows[0];
  return state(limit, row ? Number(row.count) : 0, row ? new Date(row.window_started_at) : null, now);
}

export async function hitLimit(
  db: Executor,
  clock: Clock,
  limit: Limit,
  key: string,
): Promise<RateLimitState> {
  const now = clock.now();
  const nowIso = now.toISOString();
  const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000).toISOString();
  const res = await db.execute<{ count: number; window_started_at: Date }>(sql`
    INSERT INTO rate_limit_counters AS c (bucket, key, window_started_at, count)
    VALUES (${limit.bucket}, ${key}, ${nowIso}, 1)
    ON CONFLICT (bucket, key) DO UPDATE SET
      count = CASE WHEN c.window_started_at <= ${windowStart} THEN 1 ELSE c.count + 1 END,
      window_started_at = CASE WHEN c.window_started_at <= ${windowStart} THEN ${nowIso}::timestamptz
                               ELSE c.window_started_at END
    RETURNING count, window_started_at`);
  const row = res.rows[0];
  // `limited` after a hit means this hit went over: count > max.
  const s = state(limit, row ? Number(row.count) : 1, row ? new Date(row.window_started_at) : now, now);
  return { ...s, limited: s.count > limit.max };
}

export async function clearLimit(db: Executor, limit: Limit, key: string): Promise<void> {
  await db.execute(sql`DELETE FROM rate_limit_counters WHERE bucket = ${limit.bucket} AND key = ${key}`);
}
