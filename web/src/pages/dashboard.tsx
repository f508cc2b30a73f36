/**
 * Dashboard: the figures the admin API gives today, each a link to the list or report behind it. MRR, ARR, paying
 * customers and ARPA come from the summary report, per currency (never summed); the chart is each currency's ending
 * MRR over the 12 months of the mrr report (one chart per currency: two currencies never share an axis).
 */
import { useMemo } from 'react';
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { DateTime } from '../components/date-time.js';
import { Figure } from '../components/figure.js';
import { LazyChart, type ChartSeries } from '../components/lazy-chart.js';
import { Empty, Show } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { money, number, share } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { monthLabel } from './reports/report-controls.js';

const AT_RISK_SAMPLE = 200;
// A payment whose attempt failed: Stripe leaves its intent waiting for another payment method.
const FAILED_PAYMENT = 'requires_payment_method';

/** `YYYY-MM-DD` of `days` ago, for `createdFrom` filters. */
function daysAgo(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const subscriptionsWith = (status: string, limit = 1) =>
  api.GET('/api/admin/subscriptions', { params: { query: { status, limit } } });

/** Sums minor units per currency (never across currencies). */
function perCurrency(items: ReadonlyArray<{ currency: string; mrr: number }>): Array<[string, number]> {
  const sums = new Map<string, number>();
  for (const i of items) sums.set(i.currency, (sums.get(i.currency) ?? 0) + i.mrr);
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** One currency's ending MRR per month. */
function MrrChart({
  currency,
  months,
}: {
  currency: string;
  months: Array<{ month: string; endMrr: number }>;
}) {
  const labels = useMemo(() => months.map((m) => monthLabel(m.month)), [months]);
  const series = useMemo<ChartSeries[]>(
    () => [
      {
        key: 'endMrr',
        label: `MRR ${currency.toUpperCase()}`,
        color: '#2b6cb0',
        values: months.map((m) => m.endMrr),
      },
    ],
    [currency, months],
  );
  const format = useMemo(() => (v: number) => money(v, currency), [currency]);
  return <LazyChart labels={labels} series={series} kind="line" format={format} height={200} />;
}

/** `value` per currency, e.g. "$1,200.00 · ¥5,000"; "none" when no currency has data. */
function PerCurrency<T extends { currency: string }>({
  series,
  show,
}: {
  series: readonly T[];
  show: (s: T) => string;
}) {
  if (series.length === 0) return <>none</>;
  return <>{series.map(show).join(' · ')}</>;
}

function Amounts({ amounts }: { amounts: Array<[string, number]> }) {
  if (amounts.length === 0) return <>none</>;
  return <>{amounts.map(([currency, minor]) => money(minor, currency)).join(' · ')}</>;
}

/** A figure that is a list's total count. */
const total = (d: { total: number }) => number(d.total);

export function Dashboard() {
  // The summary and MRR reports are the heaviest requests here: at most one refresh every 5 s.
  const live = useLiveVersion(
    ['subscriptions', 'customers', 'payments', 'errors', 'dunning', 'users', 'mrr', 'events'],
    '/api/admin/stream',
    5000,
  );
  const since = daysAgo(30);
  const active = useApi(() => subscriptionsWith('active'), [], live);
  const trialing = useApi(() => subscriptionsWith('trialing'), [], live);
  const pastDue = useApi(() => subscriptionsWith('past_due', AT_RISK_SAMPLE), [], live);
  const customers = useApi(
    () => api.GET('/api/admin/customers', { params: { query: { limit: 1 } } }),
    [],
    live,
  );
  const delinquent = useApi(
    () => api.GET('/api/admin/customers', { params: { query: { status: 'delinquent', limit: 1 } } }),
    [],
    live,
  );
  const failed = useApi(
    () =>
      api.GET('/api/admin/payments', {
        params: { query: { status: 'failed', createdFrom: since, limit: 1 } },
      }),
    [since],
    live,
  );
  const errors = useApi(
    () => api.GET('/api/admin/errors', { params: { query: { status: 'open', limit: 200 } } }),
    [],
    live,
  );
  const dunning = useApi(() => api.GET('/api/admin/dunning/stats', {}), [], live);
  const mismatches = useApi(() => api.GET('/api/admin/roles/mismatches', {}), [], live);
  const summary = useApi(() => api.GET('/api/admin/reports/summary', {}), [], live);
  const mrr = useApi(() => api.GET('/api/admin/reports/mrr', {}), [], live);
  const events = useApi(() => api.GET('/api/admin/events', { params: { query: { limit: 8 } } }), [], live);

  return (
    <>
      <h1>Dashboard</h1>
      <div className="figures">
        <Figure
          label="MRR"
          testId="mrr"
          value={summary}
          to="/reports/mrr"
          render={(d) => <PerCurrency series={d.series} show={(c) => money(c.mrr, c.currency)} />}
        />
        <Figure
          label="ARR"
          value={summary}
          to="/reports/mrr"
          render={(d) => <PerCurrency series={d.series} show={(c) => money(c.arr, c.currency)} />}
        />
        <Figure
          label="Paying customers"
          value={summary}
          to="/reports/churn"
          render={(d) => (
            <PerCurrency
              series={d.series}
              show={(c) =>
                d.series.length > 1
                  ? `${number(c.payingCustomers)} ${c.currency.toUpperCase()}`
                  : number(c.payingCustomers)
              }
            />
          )}
        />
        <Figure
          label="ARPA"
          value={summary}
          to="/reports/mrr"
          render={(d) => (
            <PerCurrency
              series={d.series}
              show={(c) => (c.arpa === null ? '–' : money(c.arpa, c.currency))}
            />
          )}
          note={() => 'MRR per paying customer'}
        />
        <Figure
          label="Active subscriptions"
          testId="active-subscriptions"
          value={active}
          to="/subscriptions?status=active"
          render={total}
        />
        <Figure label="Trials" value={trialing} to="/subscriptions?status=trialing" render={total} />
        <Figure
          label="Past due"
          value={pastDue}
          to="/subscriptions?status=past_due"
          render={total}
          note={(d) => (
            <>
              MRR at risk: <Amounts amounts={perCurrency(d.items)} />
              {d.total > d.items.length ? ` (first ${d.items.length})` : ''}
            </>
          )}
        />
        <Figure label="Customers" value={customers} to="/customers" render={total} />
        <Figure
          label="Delinquent customers"
          value={delinquent}
          to="/customers?status=delinquent"
          render={total}
        />
        <Figure
          label="Failed payments, 30 days"
          value={failed}
          to={`/payments?status=${FAILED_PAYMENT}&createdFrom=${since}`}
          render={total}
          note={() => 'awaiting another payment method'}
        />
        <Figure
          label="Open billing errors"
          value={errors}
          to="/errors?status=open"
          render={(d) => (d.nextCursor ? `${number(d.items.length)}+` : number(d.items.length))}
        />
        <Figure
          label="Open dunning cases"
          value={dunning}
          to="/dunning?status=open"
          render={(d) => number(d.open)}
          note={(d) => (
            <>
              Recovered {number(d.recovered)}, lost {number(d.lost)}
              {d.recoveryRate === null ? '' : ` (${share(d.recoveryRate)} recovered)`}
              {d.recoveredAmount.length ? (
                <>
                  {' · '}
                  <Amounts amounts={d.recoveredAmount.map((a) => [a.currency, a.amount])} />
                </>
              ) : null}
            </>
          )}
        />
        <Figure label="Role mismatches" value={mismatches} to="/roles" render={total} />
      </div>

      <div className="panels">
        <section className="panel" data-testid="mrr-chart">
          <h2>
            <Link to="/reports/mrr">MRR, 12 months</Link>
          </h2>
          <Show value={mrr}>
            {(d) =>
              d.series.length === 0 ? (
                <Empty>No MRR yet.</Empty>
              ) : (
                d.series.map((s) => (
                  <div key={s.currency}>
                    {d.series.length > 1 ? <h3>{s.currency.toUpperCase()}</h3> : null}
                    <MrrChart currency={s.currency} months={s.months} />
                  </div>
                ))
              )
            }
          </Show>
        </section>
        <section className="panel">
          <h2>
            <Link to="/events">Recent Stripe events</Link>
          </h2>
          <Show value={events}>
            {(d) =>
              d.items.length === 0 ? (
                <Empty>No Stripe event received yet.</Empty>
              ) : (
                <ul className="event-list">
                  {d.items.map((e) => (
                    <li key={e.id}>
                      <span>
                        <code>{e.type}</code>
                        <StatusBadge status={e.status} />
                      </span>
                      <DateTime iso={e.receivedAt} withTime />
                    </li>
                  ))}
                </ul>
              )
            }
          </Show>
        </section>
      </div>
    </>
  );
}
