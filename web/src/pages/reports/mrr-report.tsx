/**
 * The MRR report: per currency, the month's movements as stacked bars (new, expansion, reactivation up;
 * contraction, churn down) and a table of every column. A bar segment or a table cell opens the rows behind it.
 */
import { useMemo } from 'react';
import { api } from '../../api/client.js';
import { LazyChart, type ChartSeries } from '../../components/lazy-chart.js';
import { money } from '../../lib/format.js';
import { Link, navigate } from '../../lib/router.js';
import {
  monthLabel,
  queryString,
  ReportTable,
  SeriesPanel,
  SeriesReport,
  type ReportQuery,
} from './report-controls.js';

export const MOVEMENTS = [
  { key: 'new', label: 'New', color: '#2f855a', down: false },
  { key: 'expansion', label: 'Expansion', color: '#68d391', down: false },
  { key: 'reactivation', label: 'Reactivation', color: '#3182ce', down: false },
  { key: 'contraction', label: 'Contraction', color: '#ed8936', down: true },
  { key: 'churn', label: 'Churn', color: '#c53030', down: true },
] as const;

const COLUMNS = [
  { key: 'startMrr', label: 'Starting MRR' },
  ...MOVEMENTS,
  { key: 'netNew', label: 'Net new' },
  { key: 'endMrr', label: 'Ending MRR' },
] as const;

type Month = { month: string } & Record<(typeof COLUMNS)[number]['key'], number>;

export const rowsLink = (report: string, q: ReportQuery, currency: string, month: string, metric: string) =>
  `/reports/${report}/rows${queryString({ ...q, currency }, { month, metric })}`;

function CurrencySeries({ currency, months, q }: { currency: string; months: Month[]; q: ReportQuery }) {
  const labels = useMemo(() => months.map((m) => monthLabel(m.month)), [months]);
  const series = useMemo<ChartSeries[]>(
    () =>
      MOVEMENTS.map((m) => ({
        key: m.key,
        label: m.label,
        color: m.color,
        down: m.down,
        values: months.map((row) => (m.down ? -row[m.key] : row[m.key])),
      })),
    [months],
  );
  const format = useMemo(() => (v: number) => money(Math.abs(v), currency), [currency]);
  return (
    <SeriesPanel currency={currency} testId={`mrr-${currency}`}>
      <LazyChart
        labels={labels}
        series={series}
        kind="stacked"
        format={format}
        onPick={(i, key) => {
          const m = months[i];
          if (m) navigate(rowsLink('mrr', q, currency, m.month, key));
        }}
      />
      <ReportTable
        head={
          <>
            <th>Month</th>
            {COLUMNS.map((c) => (
              <th key={c.key} className="num">
                {c.label}
              </th>
            ))}
          </>
        }
      >
        {months.map((m) => (
          <tr key={m.month}>
            <td>{monthLabel(m.month)}</td>
            {COLUMNS.map((c) => (
              <td key={c.key} className="num">
                {m[c.key] === 0 ? (
                  <span className="muted">{money(0, currency)}</span>
                ) : (
                  <Link
                    to={rowsLink('mrr', q, currency, m.month, c.key)}
                    title={`${c.label}: the rows behind it`}
                  >
                    {money(m[c.key], currency)}
                  </Link>
                )}
              </td>
            ))}
          </tr>
        ))}
      </ReportTable>
    </SeriesPanel>
  );
}

export function MrrReport() {
  return (
    <SeriesReport
      title="MRR movements"
      name="mrr"
      empty="No MRR in this period."
      load={(q) => api.GET('/api/admin/reports/mrr', { params: { query: q } })}
      Series={CurrencySeries}
    />
  );
}
