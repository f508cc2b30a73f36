/** Subscriptions: filter by status, plan and currency, search, sort and pages, on the server and in the URL. */
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { DateTime } from '../components/date-time.js';
import { FilterSelect } from '../components/filters.js';
import { pagerOf } from '../components/pager.js';
import { SearchBox } from '../components/search-box.js';
import { ListTable } from '../components/rows-table.js';
import { StatusBadge } from '../components/status-badge.js';
import { money } from '../lib/format.js';
import { oneOf, pageParam } from '../lib/query.js';
import { Link, useLocation } from '../lib/router.js';

// Stripe's eight subscription statuses.
const STATUSES = [
  'active',
  'trialing',
  'past_due',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
  'canceled',
] as const;
const SORTS = ['created_at', 'current_period_end', 'mrr', 'status'] as const;
const SORT_OPTIONS = [
  { value: 'created_at', label: 'Newest' },
  { value: 'current_period_end', label: 'Renewal' },
  { value: 'mrr', label: 'MRR' },
  { value: 'status', label: 'Status' },
] satisfies { value: (typeof SORTS)[number]; label: string }[];
const PAGE_SIZE = 25;

export function Subscriptions() {
  const live = useLiveVersion(['subscriptions', 'plans']);
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const page = pageParam(query);
  const status = oneOf(query, 'status', STATUSES);
  const plan = query.get('plan') ?? '';
  const currency = /^[a-z]{3}$/.test(query.get('currency') ?? '') ? query.get('currency')! : '';
  const sort = oneOf(query, 'sort', SORTS) ?? 'created_at';
  const plans = useApi(() => api.GET('/api/admin/plans', {}), [], live);
  const list = useApi(
    () =>
      api.GET('/api/admin/subscriptions', {
        params: {
          query: {
            page,
            limit: PAGE_SIZE,
            sort,
            order: 'desc',
            ...(q ? { q } : {}),
            ...(status ? { status } : {}),
            ...(plan ? { plan } : {}),
            ...(currency ? { currency } : {}),
          },
        },
      }),
    [q, page, status, plan, currency, sort],
    live,
  );
  const currencies =
    plans.state === 'ok'
      ? [...new Set(plans.data.items.flatMap((p) => p.prices.map((price) => price.currency)))].sort()
      : [];

  return (
    <>
      <h1>Subscriptions</h1>
      <div className="toolbar">
        <SearchBox value={q} label="Customer email or Stripe id" />
        <FilterSelect label="Status" param="status" value={status ?? ''} options={STATUSES} />
        <FilterSelect
          label="Plan"
          param="plan"
          value={plan}
          options={plans.state === 'ok' ? plans.data.items.map((p) => ({ value: p.key, label: p.name })) : []}
        />
        <FilterSelect
          label="Currency"
          param="currency"
          value={currency}
          options={currencies.map((c) => ({ value: c, label: c.toUpperCase() }))}
        />
        <FilterSelect label="Sort" param="sort" value={sort} options={SORT_OPTIONS} all={null} />
      </div>
      <ListTable
        value={list}
        empty={
          q || status || plan || currency ? 'No subscription matches these filters.' : 'No subscriptions yet.'
        }
        head={
          <>
            <th>Customer</th>
            <th>Plan</th>
            <th>Status</th>
            <th className="num">MRR</th>
            <th>Renews / ends</th>
            <th>Created</th>
          </>
        }
        row={(s) => (
          <>
            <td data-label="Customer">
              <Link to={`/subscriptions/${s.id}`}>{s.customer.email ?? s.customer.stripeCustomerId}</Link>
              <div className="muted small">
                <code>{s.stripeSubscriptionId}</code>
              </div>
            </td>
            <td data-label="Plan">
              {s.planKey ?? <span className="muted">unknown price</span>}
              {s.quantity > 1 ? <span className="muted"> ×{s.quantity}</span> : null}
            </td>
            <td data-label="Status">
              <StatusBadge status={s.status} />
              {s.cancelAtPeriodEnd ? <div className="muted small">cancels at period end</div> : null}
            </td>
            <td data-label="MRR" className="num">
              {money(s.mrr, s.currency)}
            </td>
            <td data-label="Renews / ends">
              <DateTime iso={s.cancelAt ?? s.currentPeriodEnd} />
            </td>
            <td data-label="Created">
              <DateTime iso={s.createdAt} />
            </td>
          </>
        )}
        footer={pagerOf}
      />
    </>
  );
}
