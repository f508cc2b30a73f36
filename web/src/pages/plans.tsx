/**
 * Plans: each plan with the role it grants, its trial, and its prices (archived ones marked); create a plan with its
 * prices, edit it, add a price, activate / deactivate (plan-forms.tsx).
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import {
  AddPrice,
  CreatePlan,
  EditPlan,
  SetPlanActive,
  type EditablePlan,
} from '../components/plan-forms.js';
import { ActionsHead, ListTable } from '../components/rows-table.js';
import { StatusBadge } from '../components/status-badge.js';
import { money } from '../lib/format.js';
import { Link } from '../lib/router.js';

const every = (interval: string, count: number) =>
  count === 1 ? `/ ${interval}` : `/ ${count} ${interval}s`;

type Open = { kind: 'create' } | { kind: 'edit' | 'price' | 'active'; plan: EditablePlan } | null;

export function Plans() {
  const live = useLiveVersion(['plans', 'subscriptions']);
  const [version, setVersion] = useState(0);
  const plans = useApi(() => api.GET('/api/admin/plans', {}), [version], live);
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const done = () => {
    close();
    setVersion((v) => v + 1);
  };
  return (
    <>
      <h1>Plans</h1>
      <div className="actions">
        <button type="button" className="primary" onClick={() => setOpen({ kind: 'create' })}>
          Create plan
        </button>
      </div>
      {open?.kind === 'create' ? <CreatePlan onClose={close} onDone={done} /> : null}
      {open?.kind === 'edit' ? <EditPlan plan={open.plan} onClose={close} onDone={done} /> : null}
      {open?.kind === 'price' ? <AddPrice plan={open.plan} onClose={close} onDone={done} /> : null}
      {open?.kind === 'active' ? <SetPlanActive plan={open.plan} onClose={close} onDone={done} /> : null}
      <ListTable
        value={plans}
        empty="No plans yet."
        head={
          <>
            <th>Plan</th>
            <th>Grants</th>
            <th>Trial</th>
            <th>Prices</th>
            <th>Status</th>
            <ActionsHead />
          </>
        }
        row={(p) => (
          <>
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
                    {money(price.unitAmount, price.currency)} {every(price.interval, price.intervalCount)}
                    {price.active ? null : <span className="muted"> (archived)</span>}
                  </li>
                ))}
              </ul>
            </td>
            <td data-label="Status">
              <StatusBadge status={p.active ? 'active' : 'inactive'} />
            </td>
            <td data-label="Actions">
              <div className="inline-form">
                <button type="button" onClick={() => setOpen({ kind: 'edit', plan: p })}>
                  Edit
                </button>
                <button type="button" onClick={() => setOpen({ kind: 'price', plan: p })}>
                  Add price
                </button>
                <button type="button" onClick={() => setOpen({ kind: 'active', plan: p })}>
                  {p.active ? 'Deactivate' : 'Activate'}
                </button>
              </div>
            </td>
          </>
        )}
      />
    </>
  );
}
