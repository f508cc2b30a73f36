/**
 * Stored idempotency keys for the app's own Stripe calls (STYLE: "Calls to Stripe happen outside database
 * transactions and carry an idempotency key derived from the operation, stored so a retried job reuses it").
 *
 * `withOperationKey(db, scope, naturalKey, call)`:
 *  - fixes the Stripe Idempotency-Key of (scope, naturalKey) in `operation_keys` the first time it is seen, so the
 *    same operation retried (an HTTP retry with the same request id, a job delivered twice, a crashed process
 *    restarted) sends Stripe the SAME key and Stripe applies the change once (it replays the first response);
 *  - retries, with that key, what may or may not have reached Stripe: 5xx, 409 (the same key still in flight),
 *    429 (rate limited — the SDK itself retries a 429 only when Stripe says `Stripe-Should-Retry: true`) and
 *    connection errors/timeouts (the SDK retries those first, also with the same key);
 *  - records the id of the object Stripe answered with. A definite refusal (4xx other than 409/429) marks the key
 *    `failed`: nothing was applied, so the next attempt of the operation gets a fresh key.
 * Never call it inside a database transaction: it runs its own small statements around the Stripe call.
 */
import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import type { Executor } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { failpoint } from '../../failpoints.js';

export interface OperationKeyOptions {
  /** Attempts of our own around the SDK's retries (default 4). */
  attempts?: number;
  /** First backoff in ms, doubled per attempt (default 250). */
  backoffMs?: number;
}

type KeyRow = { idempotency_key: string; status: string; attempts: number; result_id: string | null };

/** True when the request may have been applied by Stripe or may succeed when repeated with the same key. */
export function isRetryableStripeError(e: unknown): boolean {
  if (!(e instanceof Stripe.errors.StripeError)) return false;
  if (e instanceof Stripe.errors.StripeConnectionError) return true;
  if (e instanceof Stripe.errors.StripeRateLimitError) return true;
  const status = e.statusCode ?? 0;
  return status === 409 || status === 429 || status >= 500;
}

async function claimKey(db: Executor, scope: string, naturalKey: string): Promise<KeyRow> {
  const base = `${scope}:${naturalKey}`;
  // A key that ended in a definite refusal is replaced (nothing was applied); otherwise it is reused as is.
  const res = await db.execute<KeyRow>(sql`
    INSERT INTO operation_keys (scope, natural_key, idempotency_key, status, attempts, created_at, updated_at)
    VALUES (${scope}, ${naturalKey}, ${base}, 'pending', 1, now(), now())
    ON CONFLICT (scope, natural_key) DO UPDATE SET
      attempts = operation_keys.attempts + 1,
      updated_at = now(),
      status = CASE WHEN operation_keys.status = 'failed' THEN 'pending' ELSE operation_keys.status END,
      idempotency_key = CASE WHEN operation_keys.status = 'failed'
                             THEN ${base} || ':' || (operation_keys.attempts + 1)::text
                             ELSE operation_keys.idempotency_key END
    RETURNING idempotency_key, status, attempts, result_id`);
  const row = res.rows[0];
  if (!row) throw new Error('operation key upsert returned no row');
  return row;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withOperationKey<T extends { id: string }>(
  db: Executor,
  scope: string,
  naturalKey: string,
  call: (idempotencyKey: string) => Promise<T>,
  opts: OperationKeyOptions = {},
): Promise<T> {
  const key = await claimKey(db, scope, naturalKey);
  const attempts = opts.attempts ?? 4;
  const backoff = opts.backoffMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await call(key.idempotency_key);
      failpoint('stripe.after-call');
      await db.execute(sql`
        UPDATE operation_keys SET status = 'succeeded', result_id = ${value.id}, last_error = NULL, updated_at = now()
        WHERE scope = ${scope} AND natural_key = ${naturalKey}`);
      return value;
    } catch (e) {
      const message = e instanceof Error ? e.message.slice(0, 500) : String(e);
      if (isRetryableStripeError(e) && attempt < attempts) {
        await db.execute(sql`
          UPDATE operation_keys SET last_error = ${message}, updated_at = now()
          WHERE scope = ${scope} AND natural_key = ${naturalKey}`);
        await sleep(backoff * 2 ** (attempt - 1));
        continue;
      }
      const definite = e instanceof Stripe.errors.StripeError && !isRetryableStripeError(e);
      await db.execute(sql`
        UPDATE operation_keys SET status = ${definite ? 'failed' : 'pending'}, last_error = ${message}, updated_at = now()
        WHERE scope = ${scope} AND natural_key = ${naturalKey}`);
      throw toAppError(e);
    }
  }
}

/** Stripe's refusal as our typed error (422 for a request Stripe refused, 503 when Stripe could not be reached). */
export function toAppError(e: unknown): unknown {
  if (e instanceof AppError || !(e instanceof Stripe.errors.StripeError)) return e;
  if (e instanceof Stripe.errors.StripeCardError) {
    return new AppError('card_declined', e.message, 422, { declineCode: e.decline_code ?? null });
  }
  if (isRetryableStripeError(e)) {
    return new AppError(
      'stripe_unavailable',
      'Stripe did not answer; the operation can be retried safely',
      503,
    );
  }
  if (e.statusCode === 404) return new AppError('stripe_not_found', e.message, 404);
  return new AppError('stripe_refused', e.message, 422, { stripeCode: e.code ?? null });
}

/** The Stripe object id a finished operation produced, if (scope, naturalKey) already succeeded. */
export async function succeededResult(
  db: Executor,
  scope: string,
  naturalKey: string,
): Promise<string | null> {
  const res = await db.execute<{ result_id: string | null }>(sql`
    SELECT result_id FROM operation_keys
    WHERE scope = ${scope} AND natural_key = ${naturalKey} AND status = 'succeeded'`);
  return res.rows[0]?.result_id ?? null;
}
