/**
 * A button that opens a confirmation dialog for one API call, optionally asking for a note, and shows the call's
 * error (code and request id) in the dialog. `onDone` runs after a success (a page reloads what it shows).
 */
import { useState, type ReactNode } from 'react';
import type { FetchResult } from '../api/use-api.js';
import { ActionDialog } from './dialog.js';

export function ConfirmButton<T>({
  label,
  title,
  children,
  confirmLabel = label,
  destructive = false,
  noteLabel,
  call,
  onDone,
}: {
  label: string;
  title: string;
  children?: ReactNode;
  confirmLabel?: string;
  destructive?: boolean;
  /** When set, the dialog asks for a note (optional) under this label, passed to `call`. */
  noteLabel?: string;
  call: (note: string | undefined) => Promise<FetchResult<T>>;
  onDone: (data: T) => void;
}) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const close = () => {
    setOpen(false);
    setNote('');
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {label}
      </button>
      {open ? (
        <ActionDialog
          title={title}
          onClose={close}
          call={() => call(note.trim() || undefined)}
          onDone={(data) => {
            close();
            onDone(data);
          }}
          submitLabel={confirmLabel}
          destructive={destructive}
        >
          {children}
          {noteLabel ? (
            <label>
              {noteLabel}
              <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
            </label>
          ) : null}
        </ActionDialog>
      ) : null}
    </>
  );
}
