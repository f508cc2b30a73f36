/**
 * The inbox writer: stores verified events in `stripe_events` with app-level group commit.
 *
 * Each delivery's reply waits for the COMMIT of the statement that inserted its row (so 2xx still means
 * durably stored), but concurrent deliveries share statements: while `maxInFlight` inserts are running, new rows
 * queue and go together in the next multi-row INSERT … ON CONFLICT DO NOTHING. At low load every row is inserted
 * at once (batch of one, no added latency); under a burst one fsync covers many rows. A batch that fails on bad
 * data (SQLSTATE class 22) is split so that only the bad row fails.
 *
 * Idle dispatchers are woken by a NOTIFY sent after the insert, at most every `notifyEveryMs`: a NOTIFY inside
 * the insert would take PostgreSQL's global notify lock through every commit and serialize them.
 */
import type pg from 'pg';
import type { StripeEventStatus } from '../inbox.tables.js';
import { failpoint } from '../../failpoints.js';

export const EVENTS_CHANNEL = 'stripe_events';

export interface InboxRow {
  id: string;
  type: string;
  apiVersion: string | null;
  livemode: boolean;
  /** Stripe's `created`, unix seconds. */
  created: number;
  orderingKey: string;
  objectId: string | null;
  /** The raw JSON text as received (stored as it is, json). */
  payload: string;
  receivedAt: Date;
  status: StripeEventStatus;
  note: string | null;
}

export interface InboxWriter {
  /** Resolves after the row's COMMIT: true if inserted, false if an event with this id was already stored. */
  store(row: InboxRow): Promise<boolean>;
}

const INSERT_BATCH = `
  INSERT INTO stripe_events (id, type, api_version, livemode, created_at, ordering_key, object_id, payload,
                             received_at, status, note, available_at)
  SELECT id, type, api_version, livemode, to_timestamp(created), ordering_key, object_id, payload::json,
         received_at, status, note, received_at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::bigint[], $6::text[], $7::text[], $8::text[],
              $9::timestamptz[], $10::text[], $11::text[])
       AS v(id, type, api_version, livemode, created, ordering_key, object_id, payload, received_at, status, note)
  ON CONFLICT (id) DO NOTHING
  RETURNING id`;

interface Waiting {
  row: InboxRow;
  resolve(inserted: boolean): void;
  reject(e: unknown): void;
}

export const isDataException = (e: unknown) => /^22/.test(String((e as { code?: unknown })?.code ?? ''));

export function createInboxWriter(
  pool: pg.Pool,
  opts: { maxBatch?: number; maxInFlight?: number; notifyEveryMs?: number } = {},
): InboxWriter {
  const maxBatch = opts.maxBatch ?? 200;
  const maxInFlight = opts.maxInFlight ?? 4;
  const notifyEveryMs = opts.notifyEveryMs ?? 20;
  let queue: Waiting[] = [];
  let inFlight = 0;
  let lastNotify = 0;
  let notifyTimer: NodeJS.Timeout | undefined;

  const notify = () => {
    const since = Date.now() - lastNotify;
    if (since >= notifyEveryMs) {
      lastNotify = Date.now();
      // A lost NOTIFY only delays pickup until the dispatchers' next idle poll.
      pool.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`).catch(() => {});
    } else if (!notifyTimer) {
      notifyTimer = setTimeout(() => {
        notifyTimer = undefined;
        notify();
      }, notifyEveryMs - since);
      notifyTimer.unref();
    }
  };

  const insert = async (batch: Waiting[]): Promise<void> => {
    const col = <T>(f: (r: InboxRow) => T) => batch.map((w) => f(w.row));
    try {
      const res = await pool.query<{ id: string }>({
        name: 'stripe_events_ingest_batch',
        text: INSERT_BATCH,
        values: [
          col((r) => r.id),
          col((r) => r.type),
          col((r) => r.apiVersion),
          col((r) => r.livemode),
          col((r) => r.created),
          col((r) => r.orderingKey),
          col((r) => r.objectId),
          col((r) => r.payload),
          col((r) => r.receivedAt),
          col((r) => r.status),
          col((r) => r.note),
        ],
      });
      failpoint('ingest.after-insert');
      const inserted = new Set(res.rows.map((r) => r.id));
      const answered = new Set<string>();
      let pending = false;
      for (const w of batch) {
        // The same id twice in one batch: the first delivery inserted it, the second is a duplicate.
        const isNew = inserted.has(w.row.id) && !answered.has(w.row.id);
        answered.add(w.row.id);
        if (isNew && w.row.status === 'pending') pending = true;
        w.resolve(isNew);
      }
      if (pending) notify();
    } catch (e) {
      if (batch.length > 1 && isDataException(e)) {
        await Promise.all(batch.map((w) => insert([w])));
        return;
      }
      for (const w of batch) w.reject(e);
    }
  };

  const kick = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      void insert(batch).finally(() => {
        inFlight--;
        kick();
      });
    }
  };

  return {
    store(row) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        kick();
      });
    },
  };
}
