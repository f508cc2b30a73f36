/**
 * `useApi(load, deps)`: runs an openapi-fetch call when `deps` change and gives loading / error / data, dropping
 * answers that arrive after a newer request started (typing fast in a search box must not show an older page).
 */
import { useEffect, useState } from 'react';
import { toApiError, type ApiError } from './client.js';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'ok'; data: T };

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export function useApi<T>(load: () => Promise<FetchResult<T>>, deps: readonly unknown[]): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setResult({ state: 'loading' });
    load().then(
      (r) => {
        if (!current) return;
        if (r.data !== undefined && r.response.ok) setResult({ state: 'ok', data: r.data });
        else setResult({ state: 'error', error: toApiError(r.response, r.error) });
      },
      () => current && setResult({ state: 'error', error: toApiError(undefined, undefined) }),
    );
    return () => {
      current = false;
    };
    // The caller lists what the request depends on, as with useEffect.
  }, deps);
  return result;
}
