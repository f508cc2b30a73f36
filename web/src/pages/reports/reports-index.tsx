/** The reports: what each answers, a link to its page (or its CSV while it has no page yet). */
import { Link } from '../../lib/router.js';
import { useReportQuery } from './report-controls.js';

const REPORTS = [
  { name: 'mrr', title: 'MRR movements', page: true, about: 'New, expansion, reactivation, contraction and churn per month; starting and ending MRR.' },
  { name: 'churn', title: 'Churn and retention', page: true, about: 'Customer and MRR churn rates, NRR and quick ratio per month.' },
  { name: 'summary', title: 'Summary', page: false, about: 'MRR, ARR, paying customers, ARPA and MRR at risk now (the dashboard shows it).' },
  { name: 'ltv', title: 'Lifetime value', page: true, about: 'ARPA ÷ churn rate per currency and month.' },
  { name: 'revenue', title: 'Revenue', page: true, about: 'Cash (not run rate) per currency and month.' },
  { name: 'recovery', title: 'Payment recovery', page: true, about: 'Failed payments and their recovery, from the dunning cases, per month.' },
  { name: 'signups', title: 'Sign-ups', page: true, about: 'Sign-ups per provider and month.' },
  { name: 'billing-errors', title: 'Billing errors', page: false, about: 'The failures that needed a person, per month.' },
  { name: 'cohorts', title: 'Cohorts', page: true, about: 'Customers grouped by the month they started paying, and their retention.' },
] as const; // prettier-ignore

export function ReportsIndex() {
  const q = useReportQuery().key;
  return (
    <>
      <h1>Reports</h1>
      <p className="muted">
        Calendar months in UTC (or in the zone a link's <code>tz=</code> names), one series per currency
        (never summed). Definitions: docs/METRICS.md.
      </p>
      <div className="table-wrap cards">
        <table>
          <thead>
            <tr>
              <th>Report</th>
              <th>What it answers</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {REPORTS.map((r) => (
              <tr key={r.name}>
                <td data-label="Report">
                  {r.page ? <Link to={`/reports/${r.name}${q}`}>{r.title}</Link> : r.title}
                </td>
                <td data-label="What it answers">{r.about}</td>
                <td data-label="Data">
                  <a href={`/api/admin/reports/${r.name}${q ? `${q}&` : '?'}format=csv`} download>
                    CSV
                  </a>{' '}
                  · <a href={`/api/admin/reports/${r.name}${q}`}>JSON</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
