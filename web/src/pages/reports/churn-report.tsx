/**
 * The churn report: per currency, a line of the customer churn rate and NRR per month, and the table of rates with
 * the counts and amounts they come from; a count or amount opens the rows behind it.
 */
import { useMemo } from 'react';
import { api } from '../../api/client.js';
import type { paths } from '../../api/generated/openapi.js';
import { LazyChart, type ChartSeries } from '../../components/lazy-chart.js';
import { money, number, share } from '../../lib/format.js';
import { Link, navigate } from '../../lib/router.js';
import { rowsLink } from './mrr-report.js';
import { monthLabel, ReportTable, SeriesPanel, SeriesReport, type ReportQuery } from './report-controls.js';

/** A month of the churn report, as the server's OpenAPI document describes it. */
type ChurnMonth =
  paths['/api/admin/reports/churn']['get']['responses'][200]['content']['application/json']['series'][number]['months'][number];

const rate = (r: number | null) => (r === null ? '–' : share(r));
const ratioText = (r: number | null) => (r === null ? '–' : number(r));
const percentAxis = (v: number) => share(v);

function CurrencySeries({ currency, months, q }: { currency: string; months: ChurnMonth[]; q: ReportQuery }) {
  const labels = useMemo(() => months.map((m) => monthLabel(m.month)), [months]);
  const series = useMemo<ChartSeries[]>(
    () => [
      {
        key: 'churnedCustomers',
        label: 'Customer churn rate',
        color: '#c53030',
        values: months.map((m) => m.customerChurnRate),
      },
      { key: 'nrr', label: 'NRR', color: '#2b6cb0', values: months.map((m) => m.nrr) },
    ],
    [months],
  );
  const drill = (month: string, metric: string) => rowsLink('churn', q, currency, month, metric);
  return (
    <SeriesPanel currency={currency} testId={`churn-${currency}`}>
      <LazyChart
        labels={labels}
        series={series}
        kind="line"
        format={percentAxis}
        onPick={(i) => {
          const m = months[i];
          if (m) navigate(drill(m.month, 'churnedCustomers'));
        }}
      />
      <ReportTable
        head={
          <>
            <th>Month</th>
            <th className="num">Customers at start</th>
            <th className="num">Churned customers</th>
            <th className="num">Customer churn</th>
            <th className="num">Starting MRR</th>
            <th className="num">Churned MRR</th>
            <th className="num">Contraction</th>
            <th className="num">Gross MRR churn</th>
            <th className="num">Net MRR churn</th>
            <th className="num">NRR</th>
            <th className="num">Quick ratio</th>
          </>
        }
      >
        {months.map((m) => (
          <tr key={m.month}>
            <td>{monthLabel(m.month)}</td>
            <td className="num">
              <Link to={drill(m.month, 'customersAtStart')}>{number(m.customersAtStart)}</Link>
            </td>
            <td className="num">
              <Link to={drill(m.month, 'churnedCustomers')}>{number(m.churnedCustomers)}</Link>
            </td>
            <td className="num">{rate(m.customerChurnRate)}</td>
            <td className="num">
              <Link to={drill(m.month, 'startMrr')}>{money(m.startMrr, currency)}</Link>
            </td>
            <td className="num">
              <Link to={drill(m.month, 'churnedMrr')}>{money(m.churnedMrr, currency)}</Link>
            </td>
            <td className="num">
              <Link to={drill(m.month, 'contractionMrr')}>{money(m.contractionMrr, currency)}</Link>
            </td>
            <td className="num">{rate(m.grossMrrChurnRate)}</td>
            <td className="num">{rate(m.netMrrChurnRate)}</td>
            <td className="num">{rate(m.nrr)}</td>
            <td className="num">{ratioText(m.quickRatio)}</td>
          </tr>
        ))}
      </ReportTable>
    </SeriesPanel>
  );
}

export function ChurnReport() {
  return (
    <SeriesReport
      title="Churn and retention"
      name="churn"
      empty="No customers in this period."
      load={(q) => api.GET('/api/admin/reports/churn', { params: { query: q } })}
      Series={CurrencySeries}
    />
  );
}
