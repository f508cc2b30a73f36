/** The three states every data view has besides its data: loading, empty, and an error with its code and request id. */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import type { Loaded } from '../api/use-api.js';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorState({ error }: { error: ApiError }) {
  return (
    <div className="state error" role="alert">
      <strong>{error.message}</strong>
      <div className="error-meta">
        <span>
          code <code>{error.code}</code>
        </span>
        {error.status ? <span>HTTP {error.status}</span> : null}
        {error.requestId ? (
          <span>
            request id <code>{error.requestId}</code>
          </span>
        ) : null}
      </div>
    </div>
  );
}

/** Renders `children(data)` once loaded, else the loading or error state. */
export function Show<T>({ value, children }: { value: Loaded<T>; children: (data: T) => ReactNode }) {
  if (value.state === 'loading') return <Loading />;
  if (value.state === 'error') return <ErrorState error={value.error} />;
  return <>{children(value.data)}</>;
}
