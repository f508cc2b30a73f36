/**
 * A button that opens a confirmation dialog for one API call, optionally asking for a note, and shows the call's
 * error (code and request id) in the dialog. `onDone` runs after a success (a page reloads what it shows).
 */
import { useState, type ReactNode } from 'react';
import { useAction } from '../api/use-action.js';
import { ActionForm, Dialog } from './dialog.js';

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

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
  const action = useAction();
  const close = () => {
    setOpen(false);
    setNote('');
    action.reset();
  };
  const submit = async () => {
    const data = await action.run(() => call(note.trim() || undefined));
    if (data !== undefined) {
      close();
      onDone(data);
    }
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {label}
      </button>
      {open ? (
        <Dialog title={title} onClose={close}>
          <ActionForm
            onSubmit={() => void submit()}
            onCancel={close}
            submitLabel={confirmLabel}
            destructive={destructive}
            busy={action.busy}
            error={action.error}
          >
            {children}
            {noteLabel ? (
              <label>
                {noteLabel}
                <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
              </label>
            ) : null}
          </ActionForm>
        </Dialog>
      ) : null}
    </>
  );
}
