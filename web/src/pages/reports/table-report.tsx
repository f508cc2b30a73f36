/**
 * The reports without a page of their own yet (ltv, revenue, recovery, signups, cohorts) as plain tables of their
 * CSV rows (the same figures as the JSON, flat), each column shown by its kind: money in the row's currency (never
 * `/ 100`), rates as percentages, counts, durations. Cohorts pivot into a cohort × month grid shaded by logo
 * retention, a heat map.
 */
import { api } from '../../api/client.js';
import { useApi } from '../../api/use-api.js';
import { Empty, Show } from '../../components/states.js';
import { money, number, share } from '../../lib/format.js';
import { monthLabel, ReportPage, ReportTable, SeriesPanel, useReportQuery } from './report-controls.js';

type Kind = 'text' | 'month' | 'money' | 'rate' | 'count' | 'seconds';

export const TABLE_REPORTS: Record<string, { title: string; columns: Record<string, Kind> }> = {
  ltv: {
    title: 'Lifetime value',
    columns: { currency: 'text', month: 'month', mrr: 'money', paying_customers: 'count', arpa: 'money',
      churned_customers_in_window: 'count', customers_at_start_in_window: 'count', customer_churn_rate: 'rate',
      ltv: 'money' },
  },
  revenue: {
    title: 'Revenue',
    columns: { currency: 'text', month: 'month', invoices_paid: 'count', collected: 'money', refunded: 'money',
      net: 'money', disputes_opened: 'count', disputes_lost: 'count' },
  },
  recovery: {
    title: 'Payment recovery',
    columns: { currency: 'text', month: 'month', opened: 'count', recovered: 'count', lost: 'count',
      open_at_end: 'count', recovery_rate: 'rate', recovered_amount: 'money', recovered_mrr: 'money',
      lost_mrr: 'money', median_seconds_to_recover: 'seconds', recovered_by_stripe_retry: 'count',
      recovered_by_card_update: 'count', recovered_by_manual: 'count' },
  },
  signups: {
    title: 'Sign-ups',
    columns: { provider: 'text', month: 'month', signups: 'count', paid_conversions: 'count',
      conversion_rate: 'rate', median_seconds_to_first_payment: 'seconds' },
  },
  cohorts: {
    title: 'Cohorts',
    columns: { currency: 'text', cohort: 'month', customers: 'count', start_mrr: 'money', month: 'month',
      paying_customers: 'count', logo_retention: 'rate', mrr: 'money', revenue_retention: 'rate' },
  },
}; // prettier-ignore

/** RFC 4180 as the server writes it (csv.ts): quoted fields, doubled quotes, CRLF. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    records.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
  }
  if (field || row.length) endRow();
  const [header, ...rest] = records;
  return rest.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

const duration = (seconds: number) =>
  seconds < 3600
    ? `${Math.round(seconds / 60)} min`
    : seconds < 172800
      ? `${(seconds / 3600).toFixed(1)} h`
      : `${(seconds / 86400).toFixed(1)} d`;

function cell(kind: Kind, value: string, row: Record<string, string>): string {
  if (value === '') return '–';
  if (kind === 'month') return /^\d{4}-\d{2}$/.test(value) ? monthLabel(value) : value;
  if (kind === 'money') return row.currency ? money(Number(value), row.currency) : value;
  if (kind === 'rate') return share(Number(value));
  if (kind === 'count') return number(Number(value));
  if (kind === 'seconds') return duration(Number(value));
  return kind === 'text' && /^[a-z]{3}$/.test(value) && 'currency' in row && row.currency === value
    ? value.toUpperCase()
    : value;
}

const label = (column: string) => column.replace(/_/g, ' ');

function FlatTable({
  rows,
  columns,
}: {
  rows: Array<Record<string, string>>;
  columns: Record<string, Kind>;
}) {
  const names = Object.keys(rows[0] ?? {});
  return (
    <ReportTable
      head={
        <>
          {names.map((n) => (
            <th key={n} className={columns[n] === 'text' || columns[n] === 'month' ? undefined : 'num'}>
              {label(n)}
            </th>
          ))}
        </>
      }
    >
      {rows.map((r, i) => (
        <tr key={i}>
          {names.map((n) => {
            const kind = columns[n] ?? 'text';
            return (
              <td key={n} className={kind === 'text' || kind === 'month' ? undefined : 'num'}>
                {cell(kind, r[n] ?? '', r)}
              </td>
            );
          })}
        </tr>
      ))}
    </ReportTable>
  );
}

/** Cohort × month, per currency, each cell the logo retention, shaded by it. */
function CohortGrid({ rows }: { rows: Array<Record<string, string>> }) {
  const currencies = [...new Set(rows.map((r) => r.currency ?? ''))];
  return (
    <>
      {currencies.map((currency) => {
        const own = rows.filter((r) => r.currency === currency);
        const cohorts = [...new Set(own.map((r) => r.cohort ?? ''))].sort();
        const months = [...new Set(own.map((r) => r.month ?? ''))].sort();
        const at = new Map(own.map((r) => [`${r.cohort}|${r.month}`, r]));
        return (
          <SeriesPanel key={currency} currency={currency} testId={`cohorts-${currency}`}>
            <ReportTable
              heatmap
              head={
                <>
                  <th>Cohort</th>
                  <th className="num">Customers</th>
                  {months.map((m) => (
                    <th key={m} className="num">
                      {monthLabel(m)}
                    </th>
                  ))}
                </>
              }
            >
              {cohorts.map((c) => {
                const first = own.find((r) => r.cohort === c);
                return (
                  <tr key={c}>
                    <td>{monthLabel(c)}</td>
                    <td className="num">{number(Number(first?.customers ?? 0))}</td>
                    {months.map((m) => {
                      const r = at.get(`${c}|${m}`);
                      const v = r && r.logo_retention !== '' ? Number(r.logo_retention) : null;
                      return (
                        <td
                          key={m}
                          className="num"
                          style={
                            v === null ? undefined : { background: `rgba(52, 81, 209, ${0.1 + 0.6 * v})` }
                          }
                          title={
                            r
                              ? `MRR ${money(Number(r.mrr), currency)}, revenue retention ${cell('rate', r.revenue_retention ?? '', r)}`
                              : undefined
                          }
                        >
                          {v === null ? '' : share(v)}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </ReportTable>
          </SeriesPanel>
        );
      })}
    </>
  );
}

export function TableReport({ name }: { name: string }) {
  const spec = TABLE_REPORTS[name]!;
  const { q, key } = useReportQuery();
  const csv = useApi(
    () =>
      api.GET('/api/admin/reports/{name}', {
        params: { path: { name }, query: { ...q, format: 'csv' } },
        parseAs: 'text',
      }),
    [name, key],
  );
  return (
    <ReportPage title={spec.title} name={name} q={q}>
      <Show value={csv}>
        {(text) => {
          const rows = parseCsv(text);
          if (rows.length === 0) return <Empty>Nothing in this period.</Empty>;
          return name === 'cohorts' ? (
            <CohortGrid rows={rows} />
          ) : (
            <FlatTable rows={rows} columns={spec.columns} />
          );
        }}
      </Show>
    </ReportPage>
  );
}
