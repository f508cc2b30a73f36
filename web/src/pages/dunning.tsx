/**
 * Dunning: cases by status (open by default), with the grace deadline, the amount at risk, the step reached and the
 * last failure; recovered and lost cases with when and how. Status, search and page are in the URL.
 * Case timelines are not in the console yet.
 */
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { DateTime } from '../components/date-time.js';
import { StatusTabs } from '../components/filters.js';
import { pagerOf } from '../components/pager.js';
import { SearchBox } from '../components/search-box.js';
import { ListTable } from '../components/rows-table.js';
import { money } from '../lib/format.js';
import { oneOf, pageParam } from '../lib/query.js';
import { useLocation } from '../lib/router.js';

const STATUSES = ['open', 'recovered', 'lost'] as const;
const PAGE_SIZE = 25;

export function Dunning() {
  const live = useLiveVersion(['dunning']);
  const { query } = useLocation();
  const status = oneOf(query, 'status', STATUSES) ?? 'open';
  const q = query.get('q') ?? '';
  const page = pageParam(query);
  const list = useApi(
    () =>
      api.GET('/api/admin/dunning', {
        params: {
          query: {
            status,
            page,
            limit: PAGE_SIZE,
            sort: status === 'open' ? 'grace_until' : 'opened_at',
            order: status === 'open' ? 'asc' : 'desc',
            ...(q ? { q } : {}),
          },
        },
      }),
    [status, q, page],
    live,
  );
  return (
    <>
      <h1>Dunning</h1>
      <div className="toolbar">
        <StatusTabs statuses={STATUSES} value={status} clears="page" />
        <SearchBox value={q} label="Email or Stripe id" />
      </div>
      <ListTable
        value={list}
        empty={q ? 'No case matches this search.' : `No ${status} dunning cases.`}
        head={
          <>
            <th>Customer</th>
            <th className="num">{status === 'open' ? 'At risk' : 'Amount due'}</th>
            <th>{status === 'open' ? 'Grace until' : status === 'recovered' ? 'Recovered' : 'Lost'}</th>
            <th>Step</th>
            <th>Last failure</th>
            <th>Opened</th>
          </>
        }
        row={(c) => (
          <>
            <td data-label="Customer">
              {c.customer.email ?? <code>{c.customer.stripeCustomerId}</code>}
              <div className="muted small">
                {c.subscription.planKey ?? 'unknown plan'} ·{' '}
                <code>{c.subscription.stripeSubscriptionId}</code>
              </div>
            </td>
            <td data-label={status === 'open' ? 'At risk' : 'Amount due'} className="num">
              {money(status === 'open' ? c.amountAtRisk : c.amountDue, c.currency)}
            </td>
            <td data-label={status === 'open' ? 'Grace until' : 'When'}>
              <DateTime
                iso={status === 'open' ? c.graceUntil : (c.recovered?.at ?? c.lost?.at ?? null)}
                withTime
              />
              {c.lost?.reason ? <div className="muted small">{c.lost.reason.replace(/_/g, ' ')}</div> : null}
            </td>
            <td data-label="Step">
              {c.step ? c.step.replace(/_/g, ' ') : <span className="muted">—</span>}
              <div className="muted small">
                {c.attempts} attempt{c.attempts === 1 ? '' : 's'}
              </div>
            </td>
            <td data-label="Last failure">
              <code>{c.lastFailure.declineCode ?? c.lastFailure.code ?? '—'}</code>
            </td>
            <td data-label="Opened">
              <DateTime iso={c.openedAt} />
            </td>
          </>
        )}
        footer={pagerOf}
      />
    </>
  );
}
