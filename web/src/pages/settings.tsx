/**
 * Settings: the admin API keys (name, prefix, last use, revoked; the key itself is never shown again) and the
 * notifications outbox (what was sent, or kept when SMTP is not configured), its status filter and page in the URL.
 * Keys are created here (the key is shown once, in the dialog that created it) and revoked behind a confirmation.
 * The webhook endpoint's status is not in the console yet.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { useAction } from '../api/use-action.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ActionForm, Dialog } from '../components/dialog.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { DateTime } from '../components/date-time.js';
import { FilterSelect } from '../components/filters.js';
import { pagerOf } from '../components/pager.js';
import { ActionsHead, ListTable, RowsTable } from '../components/rows-table.js';
import { Show } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { oneOf, pageParam } from '../lib/query.js';
import { useLocation } from '../lib/router.js';

const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;

export function Settings() {
  const live = useLiveVersion(['settings', 'notifications']);
  const { query } = useLocation();
  const status = oneOf(query, 'status', OUTBOX_STATUSES);
  const page = pageParam(query);
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const keys = useApi(() => api.GET('/api/admin/api-keys', {}), [version], live);
  const outbox = useApi(
    () =>
      api.GET('/api/admin/notifications', {
        params: { query: { page, limit: 25, ...(status ? { status } : {}) } },
      }),
    [status, page],
    live,
  );
  return (
    <>
      <h1>Settings</h1>
      <h2 className="section-title">API keys</h2>
      <div className="actions">
        <CreateKeyButton onCreated={reload} />
      </div>
      <ListTable
        value={keys}
        empty={
          <>
            No API key. Create one here or with <code>npx sertantai admin api-key create --name …</code>
          </>
        }
        head={
          <>
            <th>Name</th>
            <th>Prefix</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Status</th>
            <ActionsHead />
          </>
        }
        row={(k) => (
          <>
            <td data-label="Name">{k.name}</td>
            <td data-label="Prefix">
              <code>{k.prefix}…</code>
            </td>
            <td data-label="Created">
              <DateTime iso={k.createdAt} />
            </td>
            <td data-label="Last used">
              <DateTime iso={k.lastUsedAt} withTime />
            </td>
            <td data-label="Status">
              <StatusBadge status={k.revokedAt ? 'revoked' : 'active'} />
            </td>
            <td data-label="Actions">
              {k.revokedAt ? null : (
                <ConfirmButton
                  label="Revoke"
                  title={`Revoke the key “${k.name}”`}
                  destructive
                  call={async () => {
                    const r = await api.DELETE('/api/admin/api-keys/{id}', {
                      params: { path: { id: k.id } },
                    });
                    // 204: no body; success is the status.
                    return { ...r, data: r.response.ok ? true : undefined };
                  }}
                  onDone={reload}
                >
                  <p>
                    Requests with <code>{k.prefix}…</code> are refused from now on. This cannot be undone.
                  </p>
                </ConfirmButton>
              )}
            </td>
          </>
        )}
      />

      <h2 className="section-title">Notification outbox</h2>
      <div className="toolbar">
        <FilterSelect label="Status" param="status" value={status ?? ''} options={OUTBOX_STATUSES} />
      </div>
      <Show value={outbox}>
        {(d) => (
          <RowsTable
            cards
            rows={d.data}
            empty={status ? `No ${status} notification.` : 'No notification yet.'}
            head={
              <>
                <th>To</th>
                <th>Subject</th>
                <th>Template</th>
                <th>Status</th>
                <th>Created</th>
              </>
            }
            row={(n) => (
              <>
                <td data-label="To">{n.to}</td>
                <td data-label="Subject" className="wrap">
                  {n.subject}
                </td>
                <td data-label="Template">{n.template.replace(/_/g, ' ')}</td>
                <td data-label="Status">
                  <StatusBadge status={n.status} />
                  {n.lastError ? <div className="muted small">{n.lastError}</div> : null}
                </td>
                <td data-label="Created">
                  <DateTime iso={n.createdAt} withTime />
                </td>
              </>
            )}
            footer={pagerOf(d)}
          />
        )}
      </Show>
    </>
  );
}

/** Creates a key and shows it once: the server keeps only its hash. */
function CreateKeyButton({ onCreated }: { onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const action = useAction();
  const close = () => {
    setOpen(false);
    setName('');
    setKey(null);
    action.reset();
  };
  const submit = async () => {
    const created = await action.run(() => api.POST('/api/admin/api-keys', { body: { name: name.trim() } }));
    if (created) {
      setKey(created.key);
      onCreated();
    }
  };
  return (
    <>
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        Create API key
      </button>
      {open ? (
        <Dialog title="Create an API key" onClose={close}>
          {key ? (
            <>
              <p>Copy the key now: it is not shown again.</p>
              <code className="secret" data-testid="new-key">
                {key}
              </code>
              <div className="dialog-buttons">
                <button type="button" className="primary" onClick={close}>
                  Done
                </button>
              </div>
            </>
          ) : (
            <ActionForm
              onSubmit={() => void submit()}
              onCancel={close}
              submitLabel="Create key"
              busy={action.busy}
              error={action.error}
              disabled={!name.trim()}
            >
              <label>
                Name (what uses it)
                <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required />
              </label>
            </ActionForm>
          )}
        </Dialog>
      ) : null}
    </>
  );
}
