/**
 * Live updates: one EventSource per stream (`/api/admin/stream` for the console, `/api/me/stream` for the account
 * page), shared by every component of the page. The server names what changed (`{"topics":["subscriptions"]}`)
 * and each view refetches what it shows: `useLiveVersion(topics)` is a number that grows when one of `topics`
 * changed, or when the stream had to start over (`reset`, or a reconnect after the server refused or dropped us) —
 * put it in a `useApi` call's `refresh` argument.
 *
 * EventSource reconnects by itself after a dropped connection, sending the last event id, and the server replays
 * what was missed. After an HTTP error it gives up, so we open a new one with backoff (1 s → 30 s) and treat the
 * new connection as a reset.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';

export type LiveStreamPath = '/api/admin/stream' | '/api/me/stream';
export type LiveTopic =
  | 'customers'
  | 'subscriptions'
  | 'invoices'
  | 'payments'
  | 'plans'
  | 'mrr'
  | 'users'
  | 'jobs'
  | 'events'
  | 'errors'
  | 'dunning'
  | 'notifications'
  | 'audit'
  | 'settings'
  | 'me';

export type LiveStatus = 'connecting' | 'live' | 'offline';

type Listener = (topics: readonly string[] | 'reset') => void;

interface Stream {
  listeners: Set<Listener>;
  statusListeners: Set<() => void>;
  status: LiveStatus;
  source: EventSource | null;
  retryMs: number;
  retryTimer?: ReturnType<typeof setTimeout>;
  hadError: boolean;
}

const streams = new Map<LiveStreamPath, Stream>();

function setStatus(s: Stream, status: LiveStatus) {
  if (s.status === status) return;
  s.status = status;
  for (const l of s.statusListeners) l();
}

function connect(path: LiveStreamPath, s: Stream) {
  if (typeof EventSource === 'undefined') return;
  const source = new EventSource(path, { withCredentials: true });
  s.source = source;
  setStatus(s, 'connecting');
  source.addEventListener('open', () => {
    setStatus(s, 'live');
    s.retryMs = 1000;
    // Back after an error: what changed meanwhile may not have been replayed.
    if (s.hadError) for (const l of s.listeners) l('reset');
    s.hadError = false;
  });
  source.addEventListener('change', (e) => {
    let topics: string[] = [];
    try {
      topics = (JSON.parse((e as MessageEvent<string>).data) as { topics?: string[] }).topics ?? [];
    } catch {
      return;
    }
    for (const l of s.listeners) l(topics);
  });
  source.addEventListener('reset', () => {
    for (const l of s.listeners) l('reset');
  });
  source.addEventListener('error', () => {
    s.hadError = true;
    if (source.readyState === EventSource.CLOSED) {
      // Refused (401/403/503) or not an event stream: EventSource will not retry; we do, with backoff.
      setStatus(s, 'offline');
      s.source = null;
      if (s.listeners.size > 0 || s.statusListeners.size > 0) {
        s.retryTimer = setTimeout(() => connect(path, s), s.retryMs);
        s.retryMs = Math.min(s.retryMs * 2, 30_000);
      }
    } else {
      setStatus(s, 'connecting');
    }
  });
}

function streamFor(path: LiveStreamPath): Stream {
  let s = streams.get(path);
  if (!s) {
    s = {
      listeners: new Set(),
      statusListeners: new Set(),
      status: 'connecting',
      source: null,
      retryMs: 1000,
      hadError: false,
    };
    streams.set(path, s);
  }
  if (!s.source && !s.retryTimer) connect(path, s);
  return s;
}

/** Closes a stream nobody listens to any more — a few seconds later, so moving between pages keeps it open. */
function release(path: LiveStreamPath) {
  setTimeout(() => {
    const s = streams.get(path);
    if (!s || s.listeners.size > 0 || s.statusListeners.size > 0) return;
    s.source?.close();
    clearTimeout(s.retryTimer);
    streams.delete(path);
  }, 5000);
}

/**
 * A number that grows whenever one of `topics` changed on the server (or the stream started over), at most once
 * per `minIntervalMs` (a burst of webhooks refetches a heavy page once, at the end of each interval, not per event).
 */
export function useLiveVersion(
  topics: readonly LiveTopic[],
  path: LiveStreamPath = '/api/admin/stream',
  minIntervalMs = 1000,
): number {
  const [version, setVersion] = useState(0);
  const key = topics.join(',');
  useEffect(() => {
    if (topics.length === 0) return;
    const s = streamFor(path);
    const wanted = new Set<string>(topics);
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bump = () => {
      timer = undefined;
      last = Date.now();
      setVersion((v) => v + 1);
    };
    const listener: Listener = (changed) => {
      if (changed !== 'reset' && !changed.some((t) => wanted.has(t))) return;
      if (timer) return; // already due
      const wait = last + minIntervalMs - Date.now();
      if (wait <= 0) bump();
      else timer = setTimeout(bump, wait);
    };
    s.listeners.add(listener);
    return () => {
      clearTimeout(timer);
      s.listeners.delete(listener);
      release(path);
    };
    // `key` stands for the topics' content: a new array with the same topics must not reconnect.
  }, [key, path, minIntervalMs]);
  return version;
}

/** Whether the page is receiving live updates (for a small indicator). */
export function useLiveStatus(path: LiveStreamPath = '/api/admin/stream'): LiveStatus {
  return useSyncExternalStore(
    (onChange) => {
      const s = streamFor(path);
      s.statusListeners.add(onChange);
      return () => {
        s.statusListeners.delete(onChange);
        release(path);
      };
    },
    () => streams.get(path)?.status ?? 'connecting',
  );
}
