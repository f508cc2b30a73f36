/**
 * A modal dialog on the native <dialog> element (focus is trapped, Escape closes, the page behind is inert), and
 * the form layout every write action uses: its fields, the API error (code and request id) and the two buttons.
 * ActionDialog is the two together with the write itself: one call, busy while it runs, its error, then `onDone`.
 */
import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import { useAction } from '../api/use-action.js';
import type { FetchResult } from '../api/use-api.js';
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

/**
 * A dialog that makes one write: its fields (children), Cancel and the confirm button. Confirming runs `call` (not
 * while `disabled`, nor when it returns null: nothing to send yet) and, once it succeeded, `onDone` with its answer.
 */
export function ActionDialog<T>({
  title,
  onClose,
  call,
  onDone,
  submitLabel,
  destructive = false,
  disabled = false,
  children,
}: {
  title: string;
  onClose: () => void;
  call: () => Promise<FetchResult<T>> | null;
  onDone: (data: T) => void;
  submitLabel: string;
  destructive?: boolean;
  disabled?: boolean;
  children?: ReactNode;
}) {
  const action = useAction();
  const submit = async () => {
    if (disabled) return;
    const pending = call();
    if (!pending) return;
    const data = await action.run(() => pending);
    if (data !== undefined) onDone(data);
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <ActionForm
        onSubmit={() => void submit()}
        onCancel={onClose}
        submitLabel={submitLabel}
        destructive={destructive}
        busy={action.busy}
        error={action.error}
        disabled={disabled}
      >
        {children}
      </ActionForm>
    </Dialog>
  );
}
