/**
 * Customers: search (email, name or Stripe id), delinquent filter, sort and pages, all on the server, all in the URL;
 * each row opens the customer's page (customer-detail.tsx).
 */
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { CardLabel, cardExpiry } from '../components/card-label.js';
import { DateTime } from '../components/date-time.js';
import { pagerOf } from '../components/pager.js';
import { SearchBox } from '../components/search-box.js';
import { ListTable } from '../components/rows-table.js';
import { StatusBadge } from '../components/status-badge.js';
import { oneOf, pageParam } from '../lib/query.js';
import { Link, setQuery, useLocation } from '../lib/router.js';

const SORTS = ['created_at', 'email', 'name'] as const;
const PAGE_SIZE = 25;

export function Customers() {
  const live = useLiveVersion(['customers']);
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const page = pageParam(query);
  const sort = oneOf(query, 'sort', SORTS) ?? 'created_at';
  const order = oneOf(query, 'order', ['asc', 'desc'] as const) ?? (sort === 'created_at' ? 'desc' : 'asc');
  const delinquent = query.get('status') === 'delinquent';
  const list = useApi(
    () =>
      api.GET('/api/admin/customers', {
        params: {
          query: {
            page,
            limit: PAGE_SIZE,
            sort,
            order,
            ...(q ? { q } : {}),
            ...(delinquent ? { status: 'delinquent' } : {}),
          },
        },
      }),
    [q, page, sort, order, delinquent],
    live,
  );

  return (
    <>
      <h1>Customers</h1>
      <div className="toolbar">
        <SearchBox value={q} label="Email, name or Stripe id" />
        <label className="check">
          <input
            type="checkbox"
            checked={delinquent}
            onChange={(e) =>
              setQuery({ status: e.target.checked ? 'delinquent' : undefined, page: undefined })
            }
          />
          Delinquent only
        </label>
        <label>
          Sort{' '}
          <select
            value={`${sort}:${order}`}
            onChange={(e) => {
              const [s, o] = e.target.value.split(':');
              setQuery({ sort: s, order: o, page: undefined });
            }}
          >
            <option value="created_at:desc">Newest first</option>
            <option value="created_at:asc">Oldest first</option>
            <option value="email:asc">Email A–Z</option>
            <option value="name:asc">Name A–Z</option>
          </select>
        </label>
      </div>
      <ListTable
        value={list}
        empty={q || delinquent ? 'No customer matches these filters.' : 'No customers yet.'}
        head={
          <>
            <th>Email</th>
            <th>Name</th>
            <th>Stripe id</th>
            <th>Country</th>
            <th>Card</th>
            <th>Status</th>
            <th>Created</th>
          </>
        }
        row={(c) => (
          <>
            <td data-label="Email">
              <Link to={`/customers/${c.id}`}>{c.email ?? c.stripeCustomerId}</Link>
            </td>
            <td data-label="Name">{c.name ?? <span className="muted">—</span>}</td>
            <td data-label="Stripe id">
              <code>{c.stripeCustomerId}</code>
            </td>
            <td data-label="Country">{c.country ?? <span className="muted">—</span>}</td>
            <td data-label="Card">
              {c.card ? (
                <>
                  <CardLabel {...c.card} />
                  {c.card.expMonth && c.card.expYear ? (
                    <span className="muted"> {cardExpiry(c.card.expMonth, c.card.expYear)}</span>
                  ) : null}
                </>
              ) : (
                <span className="muted">none</span>
              )}
            </td>
            <td data-label="Status">
              {c.delinquent ? <StatusBadge status="delinquent" /> : <StatusBadge status="good_standing" />}
            </td>
            <td data-label="Created">
              <DateTime iso={c.createdAt} />
            </td>
          </>
        )}
        footer={pagerOf}
      />
    </>
  );
}
