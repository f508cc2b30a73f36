/**
 * What every report page shares: its parameters held in the URL (period, currency, the customers' sign-up provider
 * and country, the sameWindow convention — the only non-default one the mrr and churn reports honour yet), the
 * pickers that set them, and the CSV link of the same answer. A copied link reopens the same report. And the frame
 * of a report's page: the crumbs, the title and the controls (ReportPage), one currency's panel (SeriesPanel) and
 * the report tables (ReportTable).
 */
import type { ComponentType, ReactNode } from 'react';
import type { paths } from '../../api/generated/openapi.js';
import { useApi, type FetchResult } from '../../api/use-api.js';
import { FilterSelect } from '../../components/filters.js';
import { Empty, Show } from '../../components/states.js';
import { Link, setQuery, useLocation } from '../../lib/router.js';

/** The sign-up providers the reports filter by (the server's list, checked against the generated document). */
type Provider = NonNullable<
  NonNullable<paths['/api/admin/reports/mrr']['get']['parameters']['query']>['provider']
>;
const PROVIDERS = {
  email: 'Email',
  google: 'Google',
  github: 'GitHub',
  microsoft: 'Microsoft',
  linkedin: 'LinkedIn',
  okta: 'Okta',
  airtable: 'Airtable',
} satisfies Record<Provider, string>;
const isProvider = (v: string | null): v is Provider => v !== null && Object.hasOwn(PROVIDERS, v);

export interface ReportQuery {
  from?: string;
  to?: string;
  /** The IANA zone whose months the periods are (the server checks it; absent = UTC). Carried by links, no picker yet. */
  tz?: string;
  currency?: string;
  provider?: Provider;
  /** ISO 3166-1 alpha-2, uppercase (as Stripe writes customers' countries). */
  country?: string;
  sameWindow?: 'include' | 'exclude';
}

const MONTH = /^\d{4}-\d{2}$/;

export function reportQuery(query: URLSearchParams): ReportQuery {
  const q: ReportQuery = {};
  const from = query.get('from');
  const to = query.get('to');
  const tz = query.get('tz');
  const currency = query.get('currency');
  const sameWindow = query.get('sameWindow');
  const provider = query.get('provider');
  const country = query.get('country')?.toUpperCase();
  if (from && MONTH.test(from)) q.from = from;
  if (to && MONTH.test(to)) q.to = to;
  if (tz && /^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/.test(tz)) q.tz = tz;
  if (currency && /^[a-z]{3}$/.test(currency)) q.currency = currency;
  if (isProvider(provider)) q.provider = provider;
  if (country && /^[A-Z]{2}$/.test(country)) q.country = country;
  if (sameWindow === 'include' || sameWindow === 'exclude') q.sameWindow = sameWindow;
  return q;
}

/** `?from=…&to=…` of the query, with `extra` added (for links to other reports, drill-downs and the CSV). */
export function queryString(q: ReportQuery, extra: Record<string, string> = {}): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...extra })) if (v) s.set(k, v);
  const text = s.toString();
  return text ? `?${text}` : '';
}

/** The report's parameters in the URL, and their query string (the key a report's request is made again on). */
export function useReportQuery(): { q: ReportQuery; key: string } {
  const q = reportQuery(useLocation().query);
  return { q, key: queryString(q) };
}

export function ReportControls({
  name,
  q,
  currencies,
  period,
}: {
  name: string;
  q: ReportQuery;
  currencies: readonly string[];
  /** The months the answer covers (the server's defaults when the URL names none). */
  period?: { from: string | null; to: string | null };
}) {
  const options = [...new Set([...currencies, ...(q.currency ? [q.currency] : [])])].sort();
  return (
    <div className="toolbar report-controls">
      <label>
        From{' '}
        <input
          type="month"
          value={q.from ?? period?.from ?? ''}
          onChange={(e) => setQuery({ from: e.target.value || undefined })}
        />
      </label>
      <label>
        To{' '}
        <input
          type="month"
          value={q.to ?? period?.to ?? ''}
          onChange={(e) => setQuery({ to: e.target.value || undefined })}
        />
      </label>
      <FilterSelect
        label="Currency"
        param="currency"
        value={q.currency ?? ''}
        options={options.map((c) => ({ value: c, label: c.toUpperCase() }))}
        all="each currency"
        clears={null}
      />
      <FilterSelect
        label="Sign-up"
        title="Only the customers whose user signed up with this provider"
        param="provider"
        value={q.provider ?? ''}
        options={Object.entries(PROVIDERS).map(([value, label]) => ({ value, label }))}
        all="every provider"
        clears={null}
      />
      <label title="Only the customers of this country (two letters, ISO 3166-1: US, GB, FR …)">
        Country{' '}
        <input
          // a new URL (another link, cleared filters) resets what was typed
          key={q.country ?? ''}
          defaultValue={q.country ?? ''}
          placeholder="any"
          maxLength={2}
          size={3}
          pattern="[A-Za-z]{2}"
          aria-label="Country (two letters)"
          onChange={(e) => {
            const v = e.target.value.trim().toUpperCase();
            // set once two letters are typed, cleared when emptied; one letter changes nothing yet
            if (v === '' || /^[A-Z]{2}$/.test(v)) setQuery({ country: v || undefined });
          }}
        />
      </label>
      <label title="A subscription started and ended in the same month: counted as new and churn, or left out">
        Same-month start and end{' '}
        <select
          value={q.sameWindow ?? 'include'}
          onChange={(e) => setQuery({ sameWindow: e.target.value === 'exclude' ? 'exclude' : undefined })}
        >
          <option value="include">included</option>
          <option value="exclude">excluded</option>
        </select>
      </label>
      {q.tz && (
        <span className="muted" title="The link's tz=: months run from 00:00 on the 1st in this time zone">
          Months in {q.tz}
        </span>
      )}
      <a
        className="csv-link"
        href={`/api/admin/reports/${name}${queryString(q, { format: 'csv' })}`}
        download
      >
        Download CSV
      </a>
    </div>
  );
}

/** `2026-03` → `Mar 2026` (UTC month, shown the same everywhere). */
const monthFormat = new Intl.DateTimeFormat(navigator.language || 'en-US', {
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
export const monthLabel = (month: string) => monthFormat.format(new Date(`${month}-01T00:00:00Z`));

/** A report's page: crumbs back to the reports (same parameters), its title, its controls, then the report. */
export function ReportPage({
  title,
  name,
  q,
  currencies = [],
  period,
  children,
}: {
  title: string;
  name: string;
  q: ReportQuery;
  currencies?: readonly string[];
  period?: { from: string | null; to: string | null };
  children: ReactNode;
}) {
  return (
    <>
      <p className="crumbs">
        <Link to={`/reports${queryString(q)}`}>Reports</Link> ›
      </p>
      <h1>{title}</h1>
      <ReportControls name={name} q={q} currencies={currencies} period={period} />
      {children}
    </>
  );
}

/**
 * A report answered per currency (mrr, churn): its page, then a `Series` panel a currency (or `empty`). `load` asks
 * the server for the report with the URL's parameters; it is asked again when they change.
 */
export function SeriesReport<M>({
  title,
  name,
  empty,
  load,
  Series,
}: {
  title: string;
  name: string;
  empty: string;
  load: (
    q: ReportQuery,
  ) => Promise<
    FetchResult<{ series: { currency: string; months: M[] }[]; from: string | null; to: string | null }>
  >;
  Series: ComponentType<{ currency: string; months: M[]; q: ReportQuery }>;
}) {
  const { q, key } = useReportQuery();
  const report = useApi(() => load(q), [key]);
  const ok = report.state === 'ok' ? report.data : undefined;
  return (
    <ReportPage title={title} name={name} q={q} currencies={ok?.series.map((s) => s.currency)} period={ok}>
      <Show value={report}>
        {(d) =>
          d.series.length === 0 ? (
            <Empty>{empty}</Empty>
          ) : (
            d.series.map((s) => <Series key={s.currency} currency={s.currency} months={s.months} q={q} />)
          )
        }
      </Show>
    </ReportPage>
  );
}

/** One currency's panel of a report (its chart and table); `testId` names it for the browser tests. */
export function SeriesPanel({
  currency,
  testId,
  children,
}: {
  currency: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <section className="panel report-series" data-testid={testId}>
      <h2>{currency.toUpperCase()}</h2>
      {children}
    </section>
  );
}

/** A report's table: `head` is the header row's cells, `children` the body's rows. */
export function ReportTable({
  head,
  heatmap = false,
  children,
}: {
  head: ReactNode;
  heatmap?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={heatmap ? 'report-table heatmap' : 'report-table'}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
