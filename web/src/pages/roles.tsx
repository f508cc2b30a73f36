/**
 * Roles: users by role and by sign-up provider (with paid conversion), and the mismatch report — users whose stored
 * role differs from what billing entitles them to, with why — filtered by kind and searched by email (in the URL).
 * Each mismatch can be overridden (or its override cleared); "Sync all" applies every entitled role after showing
 * the dry run's diff, with a progress bar (sync-roles.tsx).
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { OverrideButtons } from '../components/role-actions.js';
import { SearchBox } from '../components/search-box.js';
import { SyncAllButton } from '../components/sync-roles.js';
import { FilterSelect } from '../components/filters.js';
import { Panel } from '../components/panel.js';
import { ActionsHead, RowsTable } from '../components/rows-table.js';
import { Show } from '../components/states.js';
import { number, share } from '../lib/format.js';
import { oneOf } from '../lib/query.js';
import { useLocation } from '../lib/router.js';

const KINDS = ['override_active', 'grace', 'paid_not_upgraded', 'upgraded_unpaid'] as const;
const KIND_LABEL: Record<(typeof KINDS)[number], string> = {
  override_active: 'override in force',
  grace: 'past due (grace)',
  paid_not_upgraded: 'paid, not upgraded',
  upgraded_unpaid: 'upgraded, not paid',
};

export function Roles() {
  const live = useLiveVersion(['users', 'jobs']);
  const { query } = useLocation();
  const kind = oneOf(query, 'kind', KINDS);
  const q = (query.get('q') ?? '').toLowerCase();
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const stats = useApi(() => api.GET('/api/admin/roles/stats', {}), [version], live);
  const mismatches = useApi(() => api.GET('/api/admin/roles/mismatches', {}), [version], live);
  return (
    <>
      <h1>Roles</h1>
      <Show value={stats}>
        {(s) => (
          <div className="panels">
            <Panel title="Users by role">
              <table className="compact">
                <tbody>
                  {Object.entries(s.byRole).map(([role, users]) => (
                    <tr key={role}>
                      <td>{role}</td>
                      <td className="num">{number(users)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Panel>
            <Panel title="By sign-up provider">
              <table className="compact">
                <thead>
                  <tr>
                    <th>Provider</th>
                    <th className="num">Users</th>
                    <th className="num">Paid</th>
                  </tr>
                </thead>
                <tbody>
                  {s.byProvider.map((p) => (
                    <tr key={p.provider}>
                      <td>{p.provider}</td>
                      <td className="num">{number(p.users)}</td>
                      <td className="num">
                        {number(p.paid)} <span className="muted">({share(p.paidConversion)})</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Panel>
          </div>
        )}
      </Show>

      <h2 className="section-title">Mismatches</h2>
      <div className="toolbar">
        <SearchBox value={query.get('q') ?? ''} label="Email" />
        <SyncAllButton onDone={reload} />
        <FilterSelect
          label="Why"
          param="kind"
          value={kind ?? ''}
          options={KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] }))}
          clears={null}
        />
      </div>
      <Show value={mismatches}>
        {(d) => {
          const rows = d.data.filter(
            (m) => (!kind || m.kind === kind) && (!q || m.email.toLowerCase().includes(q)),
          );
          return (
            <RowsTable
              cards
              rows={rows}
              empty={
                d.total === 0
                  ? 'No mismatch: every user has the role billing entitles them to.'
                  : 'No mismatch matches these filters.'
              }
              rowKey={(m) => m.userId}
              head={
                <>
                  <th>User</th>
                  <th>Stored role</th>
                  <th>Entitled role</th>
                  <th>Why</th>
                  <th>Signed up with</th>
                  <ActionsHead />
                </>
              }
              row={(m) => (
                <>
                  <td data-label="User">
                    {m.email}
                    <div className="muted small">{m.name}</div>
                  </td>
                  <td data-label="Stored role">{m.storedRole}</td>
                  <td data-label="Entitled role">{m.entitledRole}</td>
                  <td data-label="Why">{KIND_LABEL[m.kind]}</td>
                  <td data-label="Signed up with">{m.signupProvider}</td>
                  <td data-label="Actions">
                    <div className="inline-form">
                      <OverrideButtons
                        userId={m.userId}
                        email={m.email}
                        hasOverride={m.kind === 'override_active'}
                        onDone={reload}
                      />
                    </div>
                  </td>
                </>
              )}
            />
          );
        }}
      </Show>
    </>
  );
}
