/**
 * A Server-Sent Events client for tests: opens `url` with fetch (as EventSource would, with `Last-Event-ID` when
 * given), parses events as they arrive, and lets a test wait for the next one matching a predicate.
 */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  /** The first event after `from` (an index into `events`, default: the next one) matching `match`. */
  next(match?: (e: SseEvent) => boolean, opts?: { from?: number; timeoutMs?: number }): Promise<SseEvent>;
  close(): void;
}

export async function openSse(
  url: string,
  headers: Record<string, string>,
  lastEventId?: string,
): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      ...headers,
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let text = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          text += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const e: SseEvent = { event: 'message', data: '' };
            let hasData = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') e.id = value;
              else if (field === 'event') e.event = value;
              else if (field === 'data') {
                e.data += (hasData ? '\n' : '') + value;
                hasData = true;
              }
            }
            if (hasData) {
              events.push(e);
              for (const w of waiters) w();
            }
          }
        }
      } catch {
        // aborted
      }
    })();
  } else {
    await res.body?.cancel();
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    next(match = () => true, opts = {}) {
      const from = opts.from ?? events.length;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no matching event within ${opts.timeoutMs ?? 5000} ms; got ${JSON.stringify(events)}`),
          );
        }, opts.timeoutMs ?? 5000);
        if (!check()) waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
}

export const topicsOf = (e: SseEvent): string[] =>
  e.event === 'change' ? (JSON.parse(e.data) as { topics: string[] }).topics : [];
