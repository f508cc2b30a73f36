/**
 * `useApi(load, deps, refresh?)`: runs an openapi-fetch call when `deps` change and gives loading / error / data,
 * dropping answers that arrive after a newer request started (typing fast in a search box must not show an older
 * page). When only `refresh` changes (a live update: `useLiveVersion` in lib/live.ts) the call runs again quietly:
 * the rows on screen stay until the new ones arrive, and a failed refresh keeps them rather than blanking the page.
 */
import { useEffect, useRef, useState } from 'react';
import { toApiError, type ApiError } from './client.js';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'ok'; data: T };

/** What an openapi-fetch call resolves to. */
export interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export function useApi<T>(
  load: () => Promise<FetchResult<T>>,
  deps: readonly unknown[],
  refresh = 0,
): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const shown = useRef<{ deps: readonly unknown[]; ok: boolean } | null>(null);
  useEffect(() => {
    let current = true;
    const prev = shown.current;
    const sameView = prev !== null && prev.ok && sameDeps(prev.deps, deps);
    if (!sameView) setResult({ state: 'loading' });
    load().then(
      (r) => {
        if (!current) return;
        if (r.data !== undefined && r.response.ok) {
          shown.current = { deps, ok: true };
          setResult({ state: 'ok', data: r.data });
        } else if (!sameView) {
          shown.current = { deps, ok: false };
          setResult({ state: 'error', error: toApiError(r.response, r.error) });
        }
      },
      () => {
        if (!current || sameView) return;
        shown.current = { deps, ok: false };
        setResult({ state: 'error', error: toApiError(undefined, undefined) });
      },
    );
    return () => {
      current = false;
    };
    // The caller lists what the request depends on, as with useEffect; `refresh` reruns it in place.
  }, [...deps, refresh]);
  return result;
}

const sameDeps = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
