/**
 * Ingest of one Stripe delivery: verify the signature over the raw bytes, parse and check the event, then store
 * it. Storing IS enqueuing: `stripe_events` is the dispatcher's work queue, so one INSERT … ON CONFLICT DO NOTHING
 * (autocommit; see ingest-writer.ts) makes the event durable and queued at once. A duplicate delivery inserts
 * nothing and queues nothing.
 * The caller answers 2xx only after this resolves; any database failure is a 503 so Stripe retries.
 */
import type Stripe from 'stripe';
import type { Config } from '../../config.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { AppError, err, ok, type Result } from '../../errors.js';
import type { StripeEventStatus } from '../inbox.tables.js';
import { orderingKeyOf } from './types.js';
import { verifySignature } from './verify-signature.js';
import { createInboxWriter, isDataException, type InboxWriter } from './ingest-writer.js';
import type pg from 'pg';
import { failpoint } from '../../failpoints.js';

export type IngestDeps = {
  config: Pick<Config, 'stripe'>;
  clock: Clock;
  logger: Logger;
} & ({ inbox: InboxWriter } | { pool: pg.Pool });

const writers = new WeakMap<pg.Pool, InboxWriter>();
/** One inbox writer per pool (callers that pass `pool` share it, so their inserts still group). */
function inboxOf(deps: IngestDeps): InboxWriter {
  if ('inbox' in deps) return deps.inbox;
  let w = writers.get(deps.pool);
  if (!w) {
    w = createInboxWriter(deps.pool);
    writers.set(deps.pool, w);
  }
  return w;
}

export interface IngestResult {
  eventId: string;
  type: string;
  /** The delivery was already stored: nothing was inserted or queued. */
  duplicate: boolean;
  /** The stored status (for a new row): pending, skipped (no handler) or ignored (livemode mismatch). */
  status: StripeEventStatus | null;
}

/** Checks that a parsed body is a Stripe event with the fields we rely on. */
export function parseEvent(raw: Buffer): Result<Stripe.Event, { code: 'payload_invalid'; message: string }> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return err({ code: 'payload_invalid', message: 'The body is not JSON' });
  }
  const e = body as Record<string, unknown> | null;
  const data = e?.data as Record<string, unknown> | undefined;
  const object = data?.object as Record<string, unknown> | undefined;
  if (
    !e ||
    typeof e !== 'object' ||
    Array.isArray(e) ||
    e.object !== 'event' ||
    typeof e.id !== 'string' ||
    !/^evt_[A-Za-z0-9_]{1,250}$/.test(e.id) ||
    typeof e.type !== 'string' ||
    !/^[a-z_.]{1,100}$/.test(e.type) ||
    typeof e.created !== 'number' ||
    !Number.isSafeInteger(e.created) ||
    e.created < 0 ||
    typeof e.livemode !== 'boolean' ||
    !data ||
    typeof data !== 'object' ||
    !object ||
    typeof object !== 'object' ||
    Array.isArray(object)
  ) {
    return err({ code: 'payload_invalid', message: 'The body is not a Stripe event' });
  }
  return ok(body as Stripe.Event);
}

/**
 * Verifies, parses and stores one delivery. Throws AppError 400 (`signature_*`, `timestamp_out_of_tolerance`,
 * `payload_invalid`) with nothing stored, or 503 `unavailable` when the database cannot take it.
 * `isHandled(type)`: whether a handler exists; an unhandled type is stored `skipped` and never queued.
 */
export async function ingestEvent(
  deps: IngestDeps,
  isHandled: (type: string) => boolean,
  input: { raw: Buffer; signatureHeaders: string[] },
): Promise<IngestResult> {
  const now = deps.clock.now();
  const verified = verifySignature(
    input.raw,
    input.signatureHeaders,
    deps.config.stripe.webhookSecrets,
    now.getTime(),
  );
  if (!verified.ok) {
    const status = verified.error.code === 'webhook_not_configured' ? 503 : 400;
    throw new AppError(verified.error.code, verified.error.message, status);
  }
  failpoint('ingest.after-verify');
  const parsed = parseEvent(input.raw);
  if (!parsed.ok) throw new AppError(parsed.error.code, parsed.error.message, 400);
  const event = parsed.value;

  let status: StripeEventStatus = 'pending';
  let note: string | null = null;
  if (event.livemode !== deps.config.stripe.livemode) {
    status = 'ignored';
    note = 'livemode_mismatch';
  } else if (!isHandled(event.type)) {
    status = 'skipped';
    note = 'no_handler';
  }
  const object = event.data.object as { id?: unknown };
  let inserted: boolean;
  try {
    inserted = await inboxOf(deps).store({
      id: event.id,
      type: event.type,
      apiVersion: event.api_version ?? null,
      livemode: event.livemode,
      created: event.created,
      orderingKey: orderingKeyOf(event),
      objectId: typeof object.id === 'string' ? object.id : null,
      payload: input.raw.toString('utf8'),
      receivedAt: now,
      status,
      note,
    });
  } catch (e) {
    if (isDataException(e)) throw new AppError('payload_invalid', 'The event cannot be stored', 400);
    deps.logger.error(
      { err: e, eventId: event.id },
      'webhook event not stored: answering 503 so Stripe retries',
    );
    throw new AppError('unavailable', 'The event could not be stored, retry later', 503);
  }
  return { eventId: event.id, type: event.type, duplicate: !inserted, status: inserted ? status : null };
}
