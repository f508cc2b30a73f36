/**
 * "Sync all": every stored role set to the role billing entitles the user to. The dialog first shows the dry run's
 * exact diff (who changes, from what to what, why); applying starts the job (202) and a progress bar follows it
 * through GET /api/admin/jobs/:id until it finishes or fails.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { useAction } from '../api/use-action.js';
import { ActionForm, Dialog } from './dialog.js';
import { Empty, ErrorState, Loading } from './states.js';

const POLL_MS = 500;

type Diff = Array<{ userId: string; email: string; from: string; to: string; kind: string }>;
interface Job {
  id: string;
  status: 'queued' | 'running' | 'finished' | 'failed';
  progress: { done: number; total: number };
  error?: { message: string };
}

export function SyncAllButton({ onDone }: { onDone: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Sync all…
      </button>
      {open ? (
        <SyncAll
          onClose={() => {
            setOpen(false);
            onDone();
          }}
        />
      ) : null}
    </>
  );
}

function SyncAll({ onClose }: { onClose: () => void }) {
  const dry = useAction();
  const apply = useAction();
  const [diff, setDiff] = useState<Diff | null>(null);
  const [reason, setReason] = useState('bulk role sync from the console');
  const [job, setJob] = useState<Job | null>(null);
  const poll = useAction();

  useEffect(() => {
    void dry
      .run(() => api.POST('/api/admin/roles/sync', { body: { dryRun: true } }))
      .then((r) => r && setDiff(r.diff));
    // Once, when the dialog opens.
  }, []);

  const running = job !== null && (job.status === 'queued' || job.status === 'running');
  useEffect(() => {
    if (!job || !running) return;
    const t = setTimeout(() => {
      void poll
        .run(() => api.GET('/api/admin/jobs/{id}', { params: { path: { id: job.id } } }))
        .then((j) => j && setJob(j));
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [job, running]);

  const start = async () => {
    const r = await apply.run(() => api.POST('/api/admin/roles/sync', { body: { dryRun: false, reason } }));
    if (r && !r.dryRun && r.job) setJob(r.job);
  };

  if (job) {
    const { done, total } = job.progress;
    return (
      <Dialog title="Syncing roles" onClose={onClose}>
        <progress
          className="progress"
          data-testid="sync-progress"
          value={done}
          max={Math.max(total, 1)}
          aria-label="Role sync progress"
        />
        <p role="status" data-testid="sync-status">
          {job.status === 'finished'
            ? `Done: ${done} of ${total} users synced.`
            : job.status === 'failed'
              ? `Failed after ${done} of ${total}: ${job.error?.message ?? 'unknown error'}`
              : `${job.status === 'queued' ? 'Queued' : 'Running'}: ${done} of ${total}…`}
        </p>
        {poll.error ? <ErrorState error={poll.error} /> : null}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            {running ? 'Close (the job keeps running)' : 'Close'}
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Sync all roles" onClose={onClose}>
      {dry.busy ? <Loading label="Working out the changes (dry run)…" /> : null}
      {dry.error ? <ErrorState error={dry.error} /> : null}
      {diff ? (
        <ActionForm
          onSubmit={() => void start()}
          onCancel={onClose}
          submitLabel={`Apply ${diff.length} change${diff.length === 1 ? '' : 's'}`}
          busy={apply.busy}
          error={apply.error}
          disabled={diff.length === 0 || reason.trim().length < 3}
        >
          {diff.length === 0 ? (
            <Empty>Nothing to change: every user has the role billing entitles them to.</Empty>
          ) : (
            <table className="compact" data-testid="sync-diff">
              <thead>
                <tr>
                  <th>User</th>
                  <th>From</th>
                  <th>To</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {diff.map((d) => (
                  <tr key={d.userId}>
                    <td>{d.email}</td>
                    <td>{d.from}</td>
                    <td>{d.to}</td>
                    <td>{d.kind.replace(/_/g, ' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <label>
            Reason (kept in the audit log)
            <input value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} />
          </label>
        </ActionForm>
      ) : null}
    </Dialog>
  );
}
