/**
 * A modal dialog on the native <dialog> element (focus is trapped, Escape closes, the page behind is inert), and
 * the form layout every write action uses: its fields, the API error (code and request id) and the two buttons.
 */
import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import { ErrorState } from './states.js';

export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-label={title} onClose={onClose}>
      <h2>{title}</h2>
      {children}
    </dialog>
  );
}

/** The body of a dialog that submits: fields, error, Cancel and the confirm button (red when destructive). */
export function ActionForm({
  onSubmit,
  onCancel,
  submitLabel,
  busy,
  error,
  destructive = false,
  disabled = false,
  children,
}: {
  onSubmit: () => void;
  onCancel: () => void;
  submitLabel: string;
  busy: boolean;
  error: ApiError | null;
  destructive?: boolean;
  disabled?: boolean;
  children?: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <form className="action-form" onSubmit={submit}>
      {children}
      {error ? <ErrorState error={error} /> : null}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button
          type="submit"
          className={destructive ? 'danger' : 'primary'}
          disabled={busy || disabled}
          aria-busy={busy}
        >
          {busy ? 'Working…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
