/**
 * Events: the Stripe events log, newest first, filtered by type and status (in the URL), keyset pages. Any stored
 * event can be replayed through its handler (audited; the handlers are safe to run twice), except one whose payload
 * retention dropped (EVENT_PAYLOAD_RETENTION_DAYS: shown as pruned, the API answers 410 event_payload_pruned).
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { CursorPager } from '../components/cursor-pager.js';
import { DateTime } from '../components/date-time.js';
import { FilterSelect } from '../components/filters.js';
import { ActionsHead, ListTable } from '../components/rows-table.js';
import { StatusBadge } from '../components/status-badge.js';
import { oneOf } from '../lib/query.js';
import { setQuery, useLocation } from '../lib/router.js';

const STATUSES = ['pending', 'parked', 'processed', 'stale', 'ignored', 'skipped', 'failed'] as const;
const TYPE = /^[a-z_.*]{1,100}$/;

export function Events() {
  const live = useLiveVersion(['events']);
  const { query } = useLocation();
  const status = oneOf(query, 'status', STATUSES);
  const type = TYPE.test(query.get('type') ?? '') ? query.get('type')! : '';
  const cursor = query.get('cursor') ?? '';
  const [version, setVersion] = useState(0);
  const [replayed, setReplayed] = useState<string | null>(null);
  const list = useApi(
    () =>
      api.GET('/api/admin/events', {
        params: {
          query: {
            limit: 50,
            ...(status ? { status } : {}),
            ...(type ? { type } : {}),
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    [status, type, cursor, version],
    live,
  );
  return (
    <>
      <h1>Events</h1>
      <div className="toolbar">
        <FilterSelect label="Status" param="status" value={status ?? ''} options={STATUSES} clears="cursor" />
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const v = new FormData(e.currentTarget).get('type');
            setQuery({ type: typeof v === 'string' ? v.trim() : undefined, cursor: undefined });
          }}
        >
          <label htmlFor="event-type" className="visually-hidden">
            Event type
          </label>
          <input
            id="event-type"
            name="type"
            type="search"
            placeholder="Type, e.g. invoice.* "
            defaultValue={type}
          />
          <button type="submit">Filter</button>
        </form>
      </div>
      {replayed ? (
        <p className="notice" role="status">
          Replayed {replayed}
        </p>
      ) : null}
      <ListTable
        value={list}
        empty={status || type ? 'No event matches these filters.' : 'No Stripe event received yet.'}
        head={
          <>
            <th>Type</th>
            <th>Status</th>
            <th>Object</th>
            <th className="num">Attempts</th>
            <th>Received</th>
            <ActionsHead />
          </>
        }
        row={(e) => (
          <>
            <td data-label="Type">
              <code>{e.type}</code>
              <div className="muted small">
                <code>{e.id}</code>
              </div>
            </td>
            <td data-label="Status">
              <StatusBadge status={e.status} />
              {e.lastError ? <div className="muted small">{e.lastError}</div> : null}
              {e.payloadPrunedAt ? (
                <div className="muted small">
                  Payload pruned <DateTime iso={e.payloadPrunedAt} />
                </div>
              ) : null}
            </td>
            <td data-label="Object">
              {e.objectId ? <code>{e.objectId}</code> : <span className="muted">—</span>}
            </td>
            <td data-label="Attempts" className="num">
              {e.attempts}
            </td>
            <td data-label="Received">
              <DateTime iso={e.receivedAt} withTime />
            </td>
            <td data-label="Actions">
              {e.payloadPrunedAt ? (
                <span className="muted small" title="Retention dropped its payload: nothing to replay">
                  —
                </span>
              ) : (
                <ConfirmButton
                  label="Replay"
                  title={`Replay ${e.type}`}
                  call={() => api.POST('/api/admin/events/{id}/replay', { params: { path: { id: e.id } } })}
                  onDone={(r) => {
                    setReplayed(`${r.id}: ${r.replay.status}${r.replay.note ? ` (${r.replay.note})` : ''}`);
                    setVersion((v) => v + 1);
                  }}
                >
                  <p>
                    Applies <code>{e.id}</code> again through its handler. Handlers are idempotent: an event
                    older than what is stored changes nothing (it is marked stale).
                  </p>
                </ConfirmButton>
              )}
            </td>
          </>
        )}
        footer={(d) => <CursorPager cursor={cursor} nextCursor={d.nextCursor} />}
      />
    </>
  );
}
