/**
 * The live-update hub of one web process: one dedicated PostgreSQL connection LISTENs on `sertantai_live` (the
 * statement triggers of drizzle/0012_live_notify.sql NOTIFY `<txid>:<topic>` at COMMIT) and fans the
 * notifications out to the SSE streams of this process (live.routes.ts).
 *
 * - Lazy: the connection opens with the first stream and closes when the app closes, so an app that nobody watches
 *   (a test, a CLI command) holds no extra connection.
 * - Resumable: the last `BUFFER` notifications are kept in arrival order. Every process receives the same
 *   notifications in commit order, so a browser that reconnects — to this process or another — with
 *   `Last-Event-ID` gets what followed that id; if the id is no longer (or was never) in the buffer, it is told to
 *   reload everything (`reset`), never left silently stale.
 * - Self-healing: when the connection drops (PostgreSQL restarted), it reconnects with backoff and tells every
 *   stream to reload, since notifications sent meanwhile are lost.
 */
import pg from 'pg';
import type { Logger } from '../../logger.js';

export const LIVE_CHANNEL = 'sertantai_live';
const BUFFER = 2000;

export interface LiveNotice {
  /** `<txid>:<topic>`, the SSE event id. */
  id: string;
  topic: string;
}

export type LiveListener = (notice: LiveNotice | 'reset') => void;

export interface LiveHub {
  /** Resolves once this process is LISTENing (connecting if needed); rejects if PostgreSQL cannot be reached. */
  ready(): Promise<void>;
  /** Listens until the returned function is called. Starts the connection if needed. */
  subscribe(listener: LiveListener): () => void;
  /** The notices after `lastId` in arrival order, or 'reset' if `lastId` is not in the buffer. */
  since(lastId: string): LiveNotice[] | 'reset';
  close(): Promise<void>;
}

export function parseNotice(payload: string): LiveNotice | null {
  const colon = payload.indexOf(':');
  if (colon <= 0 || colon === payload.length - 1) return null;
  return { id: payload, topic: payload.slice(colon + 1) };
}

export function createLiveHub(poolOptions: pg.PoolConfig, logger: Logger): LiveHub {
  const listeners = new Set<LiveListener>();
  const buffer: LiveNotice[] = [];
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let retryMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;
  /** The connection dropped: what was committed until the next LISTEN was not heard. */
  let missed = false;

  const emit = (n: LiveNotice | 'reset') => {
    for (const l of listeners) l(n);
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ ...poolOptions });
    c.on('notification', (m) => {
      if (m.channel !== LIVE_CHANNEL || !m.payload) return;
      const n = parseNotice(m.payload);
      if (!n) return;
      buffer.push(n);
      if (buffer.length > BUFFER) buffer.splice(0, buffer.length - BUFFER);
      emit(n);
    });
    c.on('error', (err) => {
      logger.warn({ err: err.message }, 'live updates: connection lost, reconnecting');
      void dropAndRetry(c);
    });
    c.on('end', () => void dropAndRetry(c));
    await c.connect();
    await c.query(`LISTEN ${LIVE_CHANNEL}`);
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    retryMs = 250;
    if (missed) {
      // Only now, LISTENing again: a stream that reloads from here on misses nothing.
      missed = false;
      emit('reset');
    }
  };

  const dropAndRetry = async (c: pg.Client) => {
    if (client !== c || closed) return;
    client = null;
    c.end().catch(() => {});
    // Whatever is committed until we listen again is not heard: the buffer cannot resume anyone past this point,
    // and every stream reloads once the connection is back.
    buffer.length = 0;
    missed = true;
    schedule();
  };

  const schedule = () => {
    if (closed || retryTimer || listeners.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void ensure();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  const ensure = async (): Promise<void> => {
    if (client || closed) return;
    connecting ??= connect()
      .catch((err: Error) => {
        logger.warn({ err: err.message }, 'live updates: cannot listen, retrying');
        schedule();
        throw err;
      })
      .finally(() => {
        connecting = null;
      });
    await connecting;
  };

  return {
    ready: ensure,
    subscribe(listener) {
      listeners.add(listener);
      ensure().catch(() => {});
      return () => listeners.delete(listener);
    },
    since(lastId) {
      const at = buffer.findIndex((n) => n.id === lastId);
      return at < 0 ? 'reset' : buffer.slice(at + 1);
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      listeners.clear();
      await connecting?.catch(() => {});
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
