/**
 * `useAction()`: runs one state-changing API call at a time and keeps its outcome for the UI — `busy` while it
 * runs (buttons disable, so a double click never sends twice), the error with its code and request id when it
 * fails. `run` resolves to the data on success and to undefined on failure.
 */
import { useCallback, useState } from 'react';
import { toApiError, type ApiError } from './client.js';
import type { FetchResult } from './use-api.js';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(async <T>(call: () => Promise<FetchResult<T>>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const r = await call();
      if (r.response.ok && r.data !== undefined) return r.data;
      setError(toApiError(r.response, r.error));
      return undefined;
    } catch {
      setError(toApiError(undefined, undefined));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => setError(null), []);
  return { busy, error, run, reset };
}
