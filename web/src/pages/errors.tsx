/** Errors: billing errors by status (open by default), most recently seen first, keyset pages; status in the URL. */
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { CursorPager } from '../components/cursor-pager.js';
import { DateTime } from '../components/date-time.js';
import { Empty, Show } from '../components/states.js';
import { oneOf } from '../lib/query.js';
import { setQuery, useLocation } from '../lib/router.js';

const STATUSES = ['open', 'resolved', 'ignored'] as const;

export function Errors() {
  const { query } = useLocation();
  const status = oneOf(query, 'status', STATUSES) ?? 'open';
  const cursor = query.get('cursor') ?? '';
  const list = useApi(
    () =>
      api.GET('/api/admin/errors', {
        params: { query: { status, limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    [status, cursor],
  );
  return (
    <>
      <h1>Errors</h1>
      <div className="toolbar">
        <div className="tabs" role="group" aria-label="Status">
          {STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              aria-pressed={s === status}
              onClick={() => setQuery({ status: s === 'open' ? undefined : s, cursor: undefined })}
            >
              {s}
            </button>
          ))}
        </div>
      </div>
      <Show value={list}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty>No {status} billing errors.</Empty>
          ) : (
            <>
              <div className="table-wrap cards">
                <table>
                  <thead>
                    <tr>
                      <th>Error</th>
                      <th>Subject</th>
                      <th className="num">Occurrences</th>
                      <th className="num">Waiting events</th>
                      <th>Last seen</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((e) => (
                      <tr key={e.id}>
                        <td data-label="Error" className="wrap">
                          <code>{e.kind}</code>
                          <div className="small">{e.message}</div>
                          {e.resolutionNote ? (
                            <div className="muted small">Note: {e.resolutionNote}</div>
                          ) : null}
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
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <CursorPager cursor={cursor} nextCursor={d.nextCursor} />
            </>
          )
        }
      </Show>
    </>
  );
}
