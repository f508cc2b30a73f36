/**
 * Audit: the append-only log, newest first, filtered by actor type, action and subject type (in the URL), keyset
 * pages. A row's chain position (`seq`) shows once a worker has sealed it; the chain's verification status is not
 * exposed by the API yet (`sertantai audit verify` checks it).
 */
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { CursorPager } from '../components/cursor-pager.js';
import { DateTime } from '../components/date-time.js';
import { FilterSelect } from '../components/filters.js';
import { ListTable } from '../components/rows-table.js';
import { oneOf } from '../lib/query.js';
import { setQuery, useLocation } from '../lib/router.js';

const ACTOR_TYPES = ['user', 'api_key', 'system', 'stripe', 'job'] as const;
const WORD = /^[\w.:-]{1,100}$/;

export function Audit() {
  const live = useLiveVersion(['audit']);
  const { query } = useLocation();
  const actorType = oneOf(query, 'actorType', ACTOR_TYPES);
  const action = WORD.test(query.get('action') ?? '') ? query.get('action')! : '';
  const subjectType = WORD.test(query.get('subjectType') ?? '') ? query.get('subjectType')! : '';
  const before = /^\d+$/.test(query.get('before') ?? '') ? query.get('before')! : '';
  const list = useApi(
    () =>
      api.GET('/api/admin/audit', {
        params: {
          query: {
            limit: 50,
            ...(actorType ? { actorType } : {}),
            ...(action ? { action } : {}),
            ...(subjectType ? { subjectType } : {}),
            ...(before ? { before: Number(before) } : {}),
          },
        },
      }),
    [actorType, action, subjectType, before],
    live,
  );
  return (
    <>
      <h1>Audit</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const text = (name: string) => String(f.get(name) ?? '').trim();
          setQuery({ action: text('action'), subjectType: text('subjectType'), before: undefined });
        }}
      >
        <FilterSelect
          label="Actor"
          param="actorType"
          value={actorType ?? ''}
          options={ACTOR_TYPES}
          clears="before"
        />
        <label>
          Action <input name="action" type="search" defaultValue={action} placeholder="e.g. role.changed" />
        </label>
        <label>
          Subject{' '}
          <input name="subjectType" type="search" defaultValue={subjectType} placeholder="e.g. user" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ListTable
        value={list}
        empty={
          actorType || action || subjectType ? 'No audit row matches these filters.' : 'No audit row yet.'
        }
        head={
          <>
            <th>When</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Subject</th>
            <th>Reason</th>
            <th className="num">Chain</th>
          </>
        }
        row={(r) => (
          <>
            <td data-label="When">
              <DateTime iso={r.at} withTime />
            </td>
            <td data-label="Actor">
              {r.actorType.replace('_', ' ')}
              {r.actorId ? (
                <div className="muted small">
                  <code>{r.actorId}</code>
                </div>
              ) : null}
            </td>
            <td data-label="Action">
              <code>{r.action}</code>
            </td>
            <td data-label="Subject">
              {r.subjectType}
              <div className="muted small">
                <code>{r.subjectId}</code>
              </div>
            </td>
            <td data-label="Reason" className="wrap">
              {r.reason ?? <span className="muted">—</span>}
            </td>
            <td data-label="Chain" className="num">
              {r.seq === null ? <span className="muted">not sealed yet</span> : `#${r.seq}`}
            </td>
          </>
        )}
        footer={(d) => (
          <CursorPager
            param="before"
            cursor={before}
            nextCursor={d.nextBefore === null ? null : String(d.nextBefore)}
          />
        )}
      />
    </>
  );
}
