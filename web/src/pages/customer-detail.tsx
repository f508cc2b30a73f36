/**
 * Customer detail (`/customers/<id>`): the customer and, when linked to a user, the user's role and why (the
 * entitlement's source and the role's audited history with each change's cause), overrides (set / clear), sign-up
 * provider, cards, subscriptions, billing history (invoices, payments with refunds, refunds, disputes), dunning
 * cases, notifications sent, and time travel: the billing state and role at an instant the admin picks.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { useAction } from '../api/use-action.js';
import { CardActions } from '../components/card-actions.js';
import { CardLabel, cardExpiry } from '../components/card-label.js';
import { DateTime } from '../components/date-time.js';
import { NewSubscriptionButton } from '../components/new-subscription.js';
import { RefundButton } from '../components/refund-dialog.js';
import { OverrideButtons } from '../components/role-actions.js';
import { Panel } from '../components/panel.js';
import { RowsTable } from '../components/rows-table.js';
import { Empty, ErrorState, Loading, Show } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { describeCause, describeSource, roleOf } from '../lib/role-why.js';
import { money } from '../lib/format.js';
import { Link } from '../lib/router.js';

export function CustomerDetail({ id }: { id: string }) {
  const live = useLiveVersion(['customers', 'subscriptions', 'invoices', 'payments', 'users', 'dunning']);
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const detail = useApi(
    () => api.GET('/api/admin/customers/{id}', { params: { path: { id } } }),
    [id, version],
    live,
  );
  return (
    <Show value={detail}>
      {(c) => (
        <>
          <p className="muted small">
            <Link to="/customers">Customers</Link> /
          </p>
          <h1>
            {c.name ?? c.email ?? c.stripeCustomerId}{' '}
            {c.delinquent ? <StatusBadge status="delinquent" /> : null}
          </h1>
          <div className="detail-grid">
            <Panel title="Customer">
              <dl className="kv">
                <dt>Email</dt>
                <dd>{c.email ?? <span className="muted">—</span>}</dd>
                <dt>Stripe id</dt>
                <dd>
                  <code>{c.stripeCustomerId}</code>
                </dd>
                <dt>Country</dt>
                <dd>{c.country ?? <span className="muted">—</span>}</dd>
                <dt>Customer since</dt>
                <dd>
                  <DateTime iso={c.createdAt} />
                </dd>
              </dl>
            </Panel>
            {c.userId ? (
              <UserRole userId={c.userId} version={version} onChanged={reload} />
            ) : (
              <Panel title="Role">
                <Empty>Not linked to a user yet: no role depends on this customer.</Empty>
              </Panel>
            )}
          </div>

          <h2 className="section-title">Payment methods</h2>
          <RowsTable
            rows={c.paymentMethods}
            empty="No card on file."
            rowKey={(m) => m.stripePaymentMethodId}
            head={
              <>
                <th>Card</th>
                <th>Expires</th>
                <th>Default</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </>
            }
            row={(m) => (
              <>
                <td>
                  <CardLabel brand={m.brand ?? m.type} last4={m.last4} />
                </td>
                <td>{cardExpiry(m.expMonth, m.expYear)}</td>
                <td>{m.isDefault ? 'default' : ''}</td>
                <td>{m.detachedAt ? <StatusBadge status="detached" /> : <StatusBadge status="active" />}</td>
                <td>
                  <CardActions
                    customerId={c.id}
                    card={m}
                    subscriptionStatuses={c.subscriptions.map((x) => x.status)}
                    onDone={reload}
                  />
                </td>
              </>
            )}
          />

          <h2 className="section-title">Subscriptions</h2>
          <div className="actions">
            <NewSubscriptionButton
              customerId={c.id}
              hasCard={c.paymentMethods.some((m) => m.isDefault && !m.detachedAt)}
            />
          </div>
          <RowsTable
            rows={c.subscriptions}
            empty="No subscription."
            head={
              <>
                <th>Plan</th>
                <th>Status</th>
                <th className="num">MRR</th>
                <th>Renews / ends</th>
                <th>Created</th>
              </>
            }
            row={(s) => (
              <>
                <td>
                  <Link to={`/subscriptions/${s.id}`}>{s.planName ?? s.planKey ?? 'unknown price'}</Link>
                  <div className="muted small">
                    <code>{s.stripeSubscriptionId}</code>
                  </div>
                </td>
                <td>
                  <StatusBadge status={s.status} />
                  {s.cancelAtPeriodEnd ? <div className="muted small">cancels at period end</div> : null}
                </td>
                <td className="num">{money(s.mrr, s.currency)}</td>
                <td>
                  <DateTime iso={s.currentPeriodEnd} />
                </td>
                <td>
                  <DateTime iso={s.createdAt} />
                </td>
              </>
            )}
          />

          <h2 className="section-title">Invoices</h2>
          <RowsTable
            rows={c.invoices}
            empty="No invoice."
            head={
              <>
                <th>Number</th>
                <th>Status</th>
                <th className="num">Total</th>
                <th className="num">Paid</th>
                <th className="num">Remaining</th>
                <th>Created</th>
              </>
            }
            row={(i) => (
              <>
                <td>
                  {i.hostedInvoiceUrl ? (
                    <a href={i.hostedInvoiceUrl} target="_blank" rel="noreferrer">
                      {i.number ?? i.stripeInvoiceId}
                    </a>
                  ) : (
                    (i.number ?? <code>{i.stripeInvoiceId}</code>)
                  )}
                </td>
                <td>
                  <StatusBadge status={i.status} />
                </td>
                <td className="num">{money(i.total, i.currency)}</td>
                <td className="num">{money(i.amountPaid, i.currency)}</td>
                <td className="num">{money(i.amountRemaining, i.currency)}</td>
                <td>
                  <DateTime iso={i.createdAt} withTime />
                </td>
              </>
            )}
          />

          <h2 className="section-title">Payments</h2>
          <RowsTable
            rows={c.payments}
            empty="No payment."
            head={
              <>
                <th className="num">Amount</th>
                <th>Status</th>
                <th>Failure</th>
                <th>Card</th>
                <th>Created</th>
                <th />
              </>
            }
            row={(p) => (
              <>
                <td className="num">
                  {money(p.amount, p.currency)}
                  {p.amountRefunded ? (
                    <div className="muted small">refunded {money(p.amountRefunded, p.currency)}</div>
                  ) : null}
                </td>
                <td>
                  <StatusBadge status={p.status} />
                </td>
                <td>{p.declineCode ?? p.failureCode ?? <span className="muted">—</span>}</td>
                <td>{p.card ? <CardLabel {...p.card} /> : <span className="muted">—</span>}</td>
                <td>
                  <DateTime iso={p.createdAt} withTime />
                </td>
                <td>
                  {p.status === 'succeeded' ? (
                    <RefundButton payment={{ ...p, label: c.email ?? c.stripeCustomerId }} onDone={reload} />
                  ) : null}
                </td>
              </>
            )}
          />

          <div className="detail-grid">
            <Panel title="Refunds">
              <RowsTable
                compact
                rows={c.refunds}
                empty="No refund."
                row={(r) => (
                  <>
                    <td className="num">{money(r.amount, r.currency)}</td>
                    <td>{r.status}</td>
                    <td>{r.reason?.replace(/_/g, ' ')}</td>
                    <td>
                      <DateTime iso={r.createdAt} withTime />
                    </td>
                  </>
                )}
              />
            </Panel>
            <Panel title="Disputes">
              <RowsTable
                compact
                rows={c.disputes}
                empty="No dispute."
                row={(d) => (
                  <>
                    <td className="num">{money(d.amount, d.currency)}</td>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                    <td>{d.reason?.replace(/_/g, ' ')}</td>
                    <td>
                      <DateTime iso={d.createdAt} />
                    </td>
                  </>
                )}
              />
            </Panel>
          </div>

          {c.userId ? (
            <>
              <Dunning userId={c.userId} version={version} />
              <Notifications userId={c.userId} />
              <TimeTravel userId={c.userId} />
            </>
          ) : null}
        </>
      )}
    </Show>
  );
}

function UserRole({
  userId,
  version,
  onChanged,
}: {
  userId: string;
  version: number;
  onChanged: () => void;
}) {
  const user = useApi(
    () => api.GET('/api/admin/users/{id}', { params: { path: { id: userId } } }),
    [userId, version],
  );
  const history = useApi(
    () => api.GET('/api/admin/users/{id}/role-history', { params: { path: { id: userId } } }),
    [userId, version],
  );
  return (
    <section className="panel" aria-labelledby="role-title">
      <h2 id="role-title">Role and why</h2>
      <Show value={user}>
        {(u) => (
          <>
            <dl className="kv">
              <dt>User</dt>
              <dd>
                {u.email} <span className="muted small">({u.id})</span>
              </dd>
              <dt>Role</dt>
              <dd data-testid="role">
                <strong>{u.role}</strong>
                {u.entitledRole !== u.role ? (
                  <span className="muted"> (entitled: {u.entitledRole}, a sync will apply it)</span>
                ) : null}
              </dd>
              <dt>Why</dt>
              <dd>{describeSource(u.entitlement.source, u.subscriptions)}</dd>
              {u.entitlement.recheckAt ? (
                <>
                  <dt>Next recheck</dt>
                  <dd>
                    <DateTime iso={u.entitlement.recheckAt} withTime />
                  </dd>
                </>
              ) : null}
              <dt>Signed up with</dt>
              <dd>{u.signupProvider ?? <span className="muted">—</span>}</dd>
              <dt>Override</dt>
              <dd data-testid="override">
                {u.override ? (
                  <>
                    {u.override.role} — “{u.override.reason}”
                    {u.override.expiresAt ? (
                      <>
                        , expires <DateTime iso={u.override.expiresAt} withTime />
                      </>
                    ) : (
                      ', no expiry'
                    )}
                  </>
                ) : (
                  <span className="muted">none</span>
                )}
              </dd>
            </dl>
            <div className="actions" style={{ marginTop: 12 }}>
              <OverrideButtons
                userId={u.id}
                email={u.email}
                hasOverride={u.override !== null}
                onDone={onChanged}
              />
            </div>
          </>
        )}
      </Show>
      <h2>Role history</h2>
      <Show value={history}>
        {(h) =>
          h.data.length === 0 ? (
            <Empty>The role has never changed.</Empty>
          ) : (
            <ol className="timeline" data-testid="role-history">
              {h.data.map((r) => (
                <li key={r.id}>
                  <DateTime iso={r.at} withTime />
                  <div>
                    <strong>{r.action}</strong> {roleOf(r.before) ?? '—'} → {roleOf(r.after) ?? '—'}
                    {r.reason ? <span className="muted"> “{r.reason}”</span> : null}
                    <div className="muted small">{describeCause(r.cause, r.actor)}</div>
                  </div>
                </li>
              ))}
            </ol>
          )
        }
      </Show>
    </section>
  );
}

function Dunning({ userId, version }: { userId: string; version: number }) {
  const user = useApi(
    () => api.GET('/api/admin/users/{id}', { params: { path: { id: userId } } }),
    [userId, version],
  );
  return (
    <>
      <h2 className="section-title">Dunning cases</h2>
      <Show value={user}>
        {(u) => (
          <RowsTable
            rows={u.dunning}
            empty="No dunning case."
            head={
              <>
                <th>Status</th>
                <th className="num">Amount due</th>
                <th>Opened</th>
                <th>Grace until</th>
                <th>Attempts</th>
                <th>Last decline</th>
              </>
            }
            row={(d) => (
              <>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td className="num">{money(d.amountDueMinor, d.currency)}</td>
                <td>
                  <DateTime iso={d.openedAt} withTime />
                </td>
                <td>
                  <DateTime iso={d.graceUntil} withTime />
                </td>
                <td>{d.attempts}</td>
                <td>{d.lastDeclineCode ?? <span className="muted">—</span>}</td>
              </>
            )}
          />
        )}
      </Show>
    </>
  );
}

function Notifications({ userId }: { userId: string }) {
  const list = useApi(
    () => api.GET('/api/admin/notifications', { params: { query: { userId, limit: 20 } } }),
    [userId],
  );
  return (
    <>
      <h2 className="section-title">Notifications sent</h2>
      <Show value={list}>
        {(n) => (
          <RowsTable
            rows={n.data}
            empty="No notification."
            head={
              <>
                <th>Subject</th>
                <th>Template</th>
                <th>Status</th>
                <th>Sent</th>
              </>
            }
            row={(x) => (
              <>
                <td>{x.subject}</td>
                <td>
                  <code>{x.template}</code>
                </td>
                <td>
                  <StatusBadge status={x.status} />
                </td>
                <td>
                  <DateTime iso={x.sentAt ?? x.createdAt} withTime />
                </td>
              </>
            )}
          />
        )}
      </Show>
    </>
  );
}

function TimeTravel({ userId }: { userId: string }) {
  const [at, setAt] = useState('');
  const action = useAction();
  const [state, setState] = useState<Awaited<ReturnType<typeof load>> | undefined>(undefined);
  const load = (iso: string) =>
    action.run(() =>
      api.GET('/api/admin/users/{id}/billing-state', {
        params: { path: { id: userId }, query: { at: iso } },
      }),
    );
  const submit = async () => {
    if (!at) return;
    setState(await load(new Date(at).toISOString()));
  };
  return (
    <section className="panel" style={{ marginTop: 16 }}>
      <h2>Time travel: billing state and role on a date</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          At (your time zone){' '}
          <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />
        </label>
        <button type="submit" disabled={!at || action.busy}>
          Show
        </button>
      </form>
      {action.busy ? <Loading /> : null}
      {action.error ? <ErrorState error={action.error} /> : null}
      {state && !action.busy ? (
        <div data-testid="time-travel" style={{ marginTop: 12 }}>
          <dl className="kv">
            <dt>At</dt>
            <dd>
              <DateTime iso={state.at} withTime />
            </dd>
            <dt>Entitled role</dt>
            <dd>
              <strong>{state.entitledRole}</strong> —{' '}
              {describeSource(
                state.entitlement.source,
                state.subscriptions.map((x) => ({ ...x, planName: x.planKey })),
              )}
            </dd>
            <dt>Stored role</dt>
            <dd>{state.recordedRole}</dd>
            <dt>Overrides</dt>
            <dd>
              {state.overrides.length === 0
                ? 'none'
                : state.overrides.map((o) => `${o.role}${o.clearedAt ? ' (cleared)' : ''}`).join(', ')}
            </dd>
          </dl>
          <RowsTable
            compact
            rows={state.subscriptions}
            empty="No subscription at that instant."
            head={
              <>
                <th>Subscription</th>
                <th>Plan</th>
                <th>Status</th>
                <th>Dunning</th>
              </>
            }
            row={(s) => (
              <>
                <td>
                  <code>{s.stripeSubscriptionId}</code>
                </td>
                <td>{s.planKey ?? '—'}</td>
                <td>
                  <StatusBadge status={s.status} />
                </td>
                <td>{s.dunning ? s.dunning.state : '—'}</td>
              </>
            )}
          />
        </div>
      ) : null}
    </section>
  );
}
