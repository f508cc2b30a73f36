/**
 * Role override actions: set (role, reason, optional expiry) and clear (with a reason), each in a dialog that
 * shows the API's error code and request id. `onDone` reloads whatever the page shows.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { ActionDialog } from './dialog.js';

const PAID_ROLES = ['professional', 'enterprise'] as const;

/** A `datetime-local` value (the viewer's time zone) as an ISO instant, or null when empty. */
const localToIso = (v: string) => (v ? new Date(v).toISOString() : null);

export function OverrideButtons({
  userId,
  email,
  hasOverride,
  onDone,
}: {
  userId: string;
  email: string;
  hasOverride: boolean;
  onDone: () => void;
}) {
  const [open, setOpen] = useState<'set' | 'clear' | null>(null);
  const close = () => setOpen(null);
  const done = () => {
    close();
    onDone();
  };
  return (
    <>
      <button type="button" onClick={() => setOpen('set')}>
        {hasOverride ? 'Replace override' : 'Override role'}
      </button>
      {hasOverride ? (
        <button type="button" onClick={() => setOpen('clear')}>
          Clear override
        </button>
      ) : null}
      {open === 'set' ? <SetOverride userId={userId} email={email} onClose={close} onDone={done} /> : null}
      {open === 'clear' ? (
        <ClearOverride userId={userId} email={email} onClose={close} onDone={done} />
      ) : null}
    </>
  );
}

/** What both override dialogs get: whose role, and what to do on close and once done. */
interface OverrideDialogProps {
  userId: string;
  email: string;
  onClose: () => void;
  onDone: () => void;
}

function SetOverride({ userId, email, onClose, onDone }: OverrideDialogProps) {
  const [role, setRole] = useState<(typeof PAID_ROLES)[number]>('professional');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  return (
    <ActionDialog
      title={`Override the role of ${email}`}
      onClose={onClose}
      call={() =>
        api.POST('/api/admin/users/{id}/role-override', {
          params: { path: { id: userId } },
          body: { role, reason, expiresAt: localToIso(expires) },
        })
      }
      onDone={onDone}
      submitLabel="Set override"
      disabled={reason.trim().length < 3}
    >
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as (typeof PAID_ROLES)[number])}>
          {PAID_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        Reason (at least 3 characters, kept in the audit log)
        <input value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
      </label>
      <label>
        Expires (optional, your time zone)
        <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
      </label>
    </ActionDialog>
  );
}

function ClearOverride({ userId, email, onClose, onDone }: OverrideDialogProps) {
  const [reason, setReason] = useState('');
  return (
    <ActionDialog
      title={`Clear the override of ${email}`}
      onClose={onClose}
      call={() =>
        api.DELETE('/api/admin/users/{id}/role-override', {
          params: { path: { id: userId } },
          body: { reason },
        })
      }
      onDone={onDone}
      submitLabel="Clear override"
      destructive
      disabled={reason.trim().length < 3}
    >
      <p>The user gets the role billing entitles them to again.</p>
      <label>
        Reason (at least 3 characters)
        <input value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
      </label>
    </ActionDialog>
  );
}
