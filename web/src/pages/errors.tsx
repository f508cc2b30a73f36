/**
 * Errors: billing errors by status (open by default), most recently seen first, keyset pages; status in the URL.
 * An open error can be retried (its waiting events are requeued), resolved with a note, or ignored.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { CursorPager } from '../components/cursor-pager.js';
import { DateTime } from '../components/date-time.js';
import { StatusTabs } from '../components/filters.js';
import { ActionsHead, ListTable } from '../components/rows-table.js';
import { oneOf } from '../lib/query.js';
import { useLocation } from '../lib/router.js';

const STATUSES = ['open', 'resolved', 'ignored'] as const;

export function Errors() {
  const live = useLiveVersion(['errors']);
  const { query } = useLocation();
  const status = oneOf(query, 'status', STATUSES) ?? 'open';
  const cursor = query.get('cursor') ?? '';
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const list = useApi(
    () =>
      api.GET('/api/admin/errors', {
        params: { query: { status, limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    [status, cursor, version],
    live,
  );
  return (
    <>
      <h1>Errors</h1>
      <div className="toolbar">
        <StatusTabs statuses={STATUSES} value={status} clears="cursor" />
      </div>
      <ListTable
        value={list}
        empty={<>No {status} billing errors.</>}
        head={
          <>
            <th>Error</th>
            <th>Subject</th>
            <th className="num">Occurrences</th>
            <th className="num">Waiting events</th>
            <th>Last seen</th>
            <ActionsHead />
          </>
        }
        row={(e) => (
          <>
            <td data-label="Error" className="wrap">
              <code>{e.kind}</code>
              <div className="small">{e.message}</div>
              {e.resolutionNote ? <div className="muted small">Note: {e.resolutionNote}</div> : null}
            </td>
            <td data-label="Subject">
              <code>{e.subject}</code>
            </td>
            <td data-label="Occurrences" className="num">
              {e.occurrences}
            </td>
            <td data-label="Waiting events" className="num">
              {e.failedEvents}
            </td>
            <td data-label="Last seen">
              <DateTime iso={e.lastSeenAt} withTime />
            </td>
            <td data-label="Actions">
              {e.status === 'open' ? (
                <div className="inline-form">
                  {(['retry', 'resolve', 'ignore'] as const).map((action) => (
                    <ConfirmButton
                      key={action}
                      label={action[0]!.toUpperCase() + action.slice(1)}
                      title={`${action[0]!.toUpperCase() + action.slice(1)} ${e.kind}`}
                      destructive={action === 'ignore'}
                      noteLabel="Note (kept in the audit log)"
                      call={(note) =>
                        api.POST('/api/admin/errors/{id}/{action}', {
                          params: { path: { id: e.id, action } },
                          body: note ? { note } : {},
                        })
                      }
                      onDone={reload}
                    >
                      <p>
                        {action === 'retry'
                          ? `Requeues the ${e.failedEvents} event(s) waiting on it; it closes when they apply.`
                          : action === 'resolve'
                            ? 'Marks it fixed.'
                            : 'Closes it without a fix: its waiting events stay failed.'}
                      </p>
                    </ConfirmButton>
                  ))}
                </div>
              ) : null}
            </td>
          </>
        )}
        footer={(d) => <CursorPager cursor={cursor} nextCursor={d.nextCursor} />}
      />
    </>
  );
}
