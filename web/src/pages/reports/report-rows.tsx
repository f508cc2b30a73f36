/**
 * A drill-down: the customers or customer-days behind one figure of the mrr or churn report (one currency, one
 * month, one metric), paged, with the total count and the sum that equals the figure.
 */
import { api } from '../../api/client.js';
import { useApi } from '../../api/use-api.js';
import { Pager } from '../../components/pager.js';
import { Empty, Show } from '../../components/states.js';
import { money, number } from '../../lib/format.js';
import { pageParam } from '../../lib/query.js';
import { Link, useLocation } from '../../lib/router.js';
import { monthLabel, queryString, reportQuery } from './report-controls.js';

const LIMIT = 50;

export function ReportRows({ report }: { report: 'mrr' | 'churn' }) {
  const { query } = useLocation();
  const q = reportQuery(query);
  const metric = query.get('metric') ?? '';
  const month = query.get('month') ?? '';
  const page = pageParam(query);
  const currency = q.currency ?? '';
  const path = report === 'mrr' ? '/api/admin/reports/mrr/rows' : '/api/admin/reports/churn/rows';
  const rows = useApi(
    () =>
      api.GET(path, {
        params: { query: { ...q, metric, month, page: String(page), limit: String(LIMIT) } },
      }),
    [queryString(q), metric, month, page, path],
  );
  const back = `/reports/${report}${queryString(q)}`;
  return (
    <>
      <p className="crumbs">
        <Link to="/reports">Reports</Link> ›{' '}
        <Link to={back}>{report === 'mrr' ? 'MRR movements' : 'Churn'}</Link> ›
      </p>
      <h1>
        <code>{metric}</code> · {month ? monthLabel(month) : ''} · {currency.toUpperCase()}
      </h1>
      <Show value={rows}>
        {(d) => (
          <>
            <p className="muted" data-testid="drill-summary">
              {number(d.total)} rows, totalling {money(d.sum, d.currency)} ({number(d.sum)} as a count)
            </p>
            {d.rows.length === 0 ? (
              <Empty>No rows behind this figure.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Customer</th>
                      <th>Day</th>
                      <th>Movement</th>
                      <th className="num">MRR before</th>
                      <th className="num">MRR after</th>
                      <th className="num">Amount</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.rows.map((r, i) => (
                      <tr key={`${r.customer}-${r.day ?? ''}-${i}`}>
                        <td>
                          <Link to={`/customers?q=${encodeURIComponent(r.customer)}`}>
                            <code>{r.customer}</code>
                          </Link>
                        </td>
                        <td>{r.day ?? <span className="muted">–</span>}</td>
                        <td>{r.kind ?? <span className="muted">–</span>}</td>
                        <td className="num">{r.mrrBefore === null ? '–' : money(r.mrrBefore, d.currency)}</td>
                        <td className="num">{r.mrrAfter === null ? '–' : money(r.mrrAfter, d.currency)}</td>
                        <td className="num">{money(r.amount, d.currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <Pager page={d.page} limit={d.limit} total={d.total} />
            <p>
              <a
                href={`/api/admin/reports/${report}/rows${queryString(q, { metric, month, format: 'csv' })}`}
                download
              >
                Download CSV
              </a>
            </p>
          </>
        )}
      </Show>
    </>
  );
}
