/** Plans: each plan with the role it grants, its trial, and its prices (archived ones marked). */
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { Empty, Show } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { money } from '../lib/format.js';
import { Link } from '../lib/router.js';

const every = (interval: string, count: number) =>
  count === 1 ? `/ ${interval}` : `/ ${count} ${interval}s`;

export function Plans() {
  const plans = useApi(() => api.GET('/api/admin/plans', {}), []);
  return (
    <>
      <h1>Plans</h1>
      <Show value={plans}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty>No plans yet. Create one through the API (POST /api/admin/plans).</Empty>
          ) : (
            <div className="table-wrap cards">
              <table>
                <thead>
                  <tr>
                    <th>Plan</th>
                    <th>Grants</th>
                    <th>Trial</th>
                    <th>Prices</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((p) => (
                    <tr key={p.id}>
                      <td data-label="Plan">
                        <Link to={`/subscriptions?plan=${encodeURIComponent(p.key)}`}>{p.name}</Link>
                        <div className="muted small">
                          <code>{p.key}</code>
                        </div>
                      </td>
                      <td data-label="Grants">{p.grantsRole}</td>
                      <td data-label="Trial">
                        {p.trialDays ? `${p.trialDays} days` : <span className="muted">none</span>}
                      </td>
                      <td data-label="Prices">
                        <ul className="prices">
                          {p.prices.map((price) => (
                            <li key={price.id} className={price.active ? undefined : 'archived'}>
                              {money(price.unitAmount, price.currency)}{' '}
                              {every(price.interval, price.intervalCount)}
                              {price.active ? null : <span className="muted"> (archived)</span>}
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td data-label="Status">
                        <StatusBadge status={p.active ? 'active' : 'inactive'} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </>
  );
}
