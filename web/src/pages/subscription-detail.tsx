/**
 * Subscription detail (`/subscriptions/<id>`): the subscription, its items, discount, invoices, MRR changes and a
 * timeline of Stripe events and admin actions; and its actions — change plan (the proration preview's exact
 * amounts shown before confirming), cancel now or at period end (and undo), pause and resume, apply a coupon or
 * promotion code picked from Stripe's (or a typed coupon id), remove it. Writes answer with
 * Stripe's state at once; the mirror follows from the webhook, so the page reloads its rows a moment later too.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { DateTime } from '../components/date-time.js';
import { ActionDialog } from '../components/dialog.js';
import { Panel } from '../components/panel.js';
import { RowsTable } from '../components/rows-table.js';
import { Empty, ErrorState, Loading, Show } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { money } from '../lib/format.js';
import { Link } from '../lib/router.js';

type Subscription = {
  id: string;
  status: string;
  stripePriceId: string | null;
  currency: string;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: string | null;
  pauseCollection: unknown;
};

const LIVE = ['active', 'trialing', 'past_due'];
const ENDED = ['canceled', 'incomplete_expired'];
const every = (interval: string | null, count: number | null) =>
  interval ? (count && count > 1 ? `every ${count} ${interval}s` : `per ${interval}`) : '';

export function SubscriptionDetail({ id }: { id: string }) {
  const live = useLiveVersion(['subscriptions', 'invoices', 'mrr', 'events']);
  const [version, setVersion] = useState(0);
  const sub = useApi(
    () => api.GET('/api/admin/subscriptions/{id}', { params: { path: { id } } }),
    [id, version],
    live,
  );
  const history = useApi(
    () => api.GET('/api/admin/subscriptions/{id}/history', { params: { path: { id } } }),
    [id, version],
    live,
  );
  // After a write: reload now (Stripe's answer is already applied by the API), and once more when the webhook
  // that follows has had time to update the mirror.
  const [followUp, setFollowUp] = useState(0);
  useEffect(() => {
    if (!followUp) return;
    const t = setTimeout(() => setVersion((v) => v + 1), 1500);
    return () => clearTimeout(t);
  }, [followUp]);
  const changed = () => {
    setVersion((v) => v + 1);
    setFollowUp((f) => f + 1);
  };

  return (
    <Show value={sub}>
      {(s) => (
        <>
          <p className="muted small">
            <Link to="/subscriptions">Subscriptions</Link> /{' '}
            <Link to={`/customers/${s.customer.id}`}>{s.customer.email ?? s.customer.stripeCustomerId}</Link>
          </p>
          <h1>
            {s.planName ?? s.planKey ?? 'Unknown price'} <StatusBadge status={s.status} />
          </h1>
          <Actions sub={s} onChanged={changed} />
          <div className="detail-grid">
            <Panel title="Subscription">
              <dl className="kv">
                <dt>Customer</dt>
                <dd>
                  <Link to={`/customers/${s.customer.id}`}>
                    {s.customer.email ?? s.customer.stripeCustomerId}
                  </Link>
                </dd>
                <dt>Stripe id</dt>
                <dd>
                  <code>{s.stripeSubscriptionId}</code>
                </dd>
                <dt>MRR</dt>
                <dd data-testid="mrr">{money(s.mrr, s.currency)}</dd>
                <dt>Quantity</dt>
                <dd>{s.quantity}</dd>
                <dt>Current period</dt>
                <dd>
                  <DateTime iso={s.currentPeriodStart} /> – <DateTime iso={s.currentPeriodEnd} />
                </dd>
                {s.trialEnd ? (
                  <>
                    <dt>Trial</dt>
                    <dd>
                      <DateTime iso={s.trialStart} /> – <DateTime iso={s.trialEnd} />
                    </dd>
                  </>
                ) : null}
                <dt>Cancellation</dt>
                <dd data-testid="cancellation">
                  {s.endedAt ? (
                    <>
                      ended <DateTime iso={s.endedAt} withTime />
                    </>
                  ) : s.cancelAtPeriodEnd || s.cancelAt ? (
                    <>
                      cancels at period end (<DateTime iso={s.cancelAt ?? s.currentPeriodEnd} withTime />)
                    </>
                  ) : (
                    <span className="muted">none scheduled</span>
                  )}
                </dd>
                <dt>Collection</dt>
                <dd>{s.pauseCollection ? 'paused' : 'collecting'}</dd>
                <dt>Created</dt>
                <dd>
                  <DateTime iso={s.createdAt} withTime />
                </dd>
              </dl>
            </Panel>
            <Show value={history}>
              {(h) => (
                <Panel title="Items">
                  <table className="compact">
                    <tbody>
                      {h.items.map((i) => (
                        <tr key={i.stripeSubscriptionItemId}>
                          <td>{i.planName ?? i.planKey ?? <code>{i.stripePriceId}</code>}</td>
                          <td className="num">
                            {i.unitAmount !== null && i.currency ? money(i.unitAmount, i.currency) : '—'}{' '}
                            {every(i.interval, i.intervalCount)}
                          </td>
                          <td>× {i.quantity}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <h2 style={{ marginTop: 12 }}>Discount</h2>
                  <Discount sub={s} discount={h.discount} onChanged={changed} />
                </Panel>
              )}
            </Show>
          </div>
          <Show value={history}>
            {(h) => (
              <>
                <h2 className="section-title">Invoices</h2>
                <RowsTable
                  rows={h.invoices}
                  empty="No invoice."
                  head={
                    <>
                      <th>Number</th>
                      <th>Reason</th>
                      <th>Status</th>
                      <th className="num">Total</th>
                      <th className="num">Paid</th>
                      <th>Period</th>
                    </>
                  }
                  row={(i) => (
                    <>
                      <td>{i.number ?? <code>{i.stripeInvoiceId}</code>}</td>
                      <td>{i.billingReason?.replace(/_/g, ' ')}</td>
                      <td>
                        <StatusBadge status={i.status} />
                      </td>
                      <td className="num">{money(i.total, i.currency)}</td>
                      <td className="num">{money(i.amountPaid, i.currency)}</td>
                      <td>
                        <DateTime iso={i.periodStart} /> – <DateTime iso={i.periodEnd} />
                      </td>
                    </>
                  )}
                />
                <div className="detail-grid" style={{ marginTop: 16 }}>
                  <Panel title="MRR changes">
                    <RowsTable
                      compact
                      testId="mrr-changes"
                      rows={h.mrrMovements}
                      empty="No MRR change."
                      rowKey={(m) => `${m.causeEventId}-${m.at}`}
                      row={(m) => (
                        <>
                          <td>
                            <DateTime iso={m.at} withTime />
                          </td>
                          <td>{m.kind}</td>
                          <td className="num">
                            {money(m.before, m.currency)} → {money(m.after, m.currency)}
                          </td>
                          <td className="num">
                            {m.delta > 0 ? '+' : ''}
                            {money(m.delta, m.currency)}
                          </td>
                        </>
                      )}
                    />
                  </Panel>
                  <Panel title="Timeline">
                    {h.timeline.length === 0 ? (
                      <Empty>No event yet.</Empty>
                    ) : (
                      <ol className="timeline">
                        {h.timeline.map((t) => (
                          <li key={t.source === 'stripe' ? t.eventId : `audit-${t.auditId}`}>
                            <DateTime iso={t.at} withTime />
                            {t.source === 'stripe' ? (
                              <div>
                                <Link to={`/events?q=${encodeURIComponent(t.eventId)}`}>{t.type}</Link>{' '}
                                <span className="muted small">{t.status}</span>
                              </div>
                            ) : (
                              <div>
                                <strong>{t.action}</strong>{' '}
                                <span className="muted small">
                                  by {t.actor.type} {t.actor.id}
                                  {t.reason ? ` — “${t.reason}”` : ''}
                                </span>
                              </div>
                            )}
                          </li>
                        ))}
                      </ol>
                    )}
                  </Panel>
                </div>
              </>
            )}
          </Show>
        </>
      )}
    </Show>
  );
}

/** What the mirror keeps of a discount (src/billing/mrr/from-stripe.ts DiscountSummary). */
interface DiscountSummary {
  couponId: string | null;
  percentOff: number | null;
  amountOffMinor: number | null;
  currency: string | null;
  duration: string | null;
}

/** What a coupon takes off: `50% off`, `$5.00 off`, or `discount` when neither is known. */
const offText = (percentOff: number | null, amountOff: number | null, currency: string | null) =>
  percentOff !== null
    ? `${percentOff}% off`
    : amountOff !== null && currency
      ? `${money(amountOff, currency)} off`
      : 'discount';

function discountText(d: DiscountSummary): string {
  const off = offText(d.percentOff, d.amountOffMinor, d.currency);
  return `${d.couponId ?? 'coupon'} — ${off}${d.duration ? `, ${d.duration}` : ''}`;
}

/** The discount, and the coupon actions: apply one (it replaces any other), remove it. */
function Discount({
  sub,
  discount,
  onChanged,
}: {
  sub: Subscription;
  discount: unknown;
  onChanged: () => void;
}) {
  const list = (Array.isArray(discount) ? discount : discount ? [discount] : []) as DiscountSummary[];
  const [open, setOpen] = useState<'apply' | 'remove' | null>(null);
  // 'coupon:<id>' or 'promo:<id>' picked from the list, or TYPED: a coupon id entered by hand
  const [choice, setChoice] = useState('');
  const [typed, setTyped] = useState('');
  const close = () => {
    setOpen(null);
    setChoice('');
    setTyped('');
  };
  const body =
    choice === TYPED
      ? { coupon: typed.trim() }
      : choice.startsWith('promo:')
        ? { promotionCode: choice.slice('promo:'.length) }
        : { coupon: choice.slice('coupon:'.length) };
  const ready = choice === TYPED ? /^[A-Za-z0-9_-]+$/.test(typed.trim()) : choice !== '';
  const ended = ENDED.includes(sub.status);
  return (
    <>
      {list.length ? (
        <ul className="plain-list" data-testid="discounts">
          {list.map((d, i) => (
            <li key={`${d.couponId ?? ''}-${i}`}>{discountText(d)}</li>
          ))}
        </ul>
      ) : (
        <p className="muted" data-testid="discounts">
          None.
        </p>
      )}
      {ended ? null : (
        <div className="actions">
          <button type="button" onClick={() => setOpen('apply')}>
            {list.length ? 'Replace coupon' : 'Apply a coupon'}
          </button>
          {list.length ? (
            <button type="button" onClick={() => setOpen('remove')}>
              Remove coupon
            </button>
          ) : null}
        </div>
      )}
      {open === 'apply' ? (
        <ActionDialog
          title="Apply a coupon"
          onClose={close}
          call={() =>
            api.POST('/api/admin/subscriptions/{id}/coupon', { params: { path: { id: sub.id } }, body })
          }
          onDone={() => {
            close();
            onChanged();
          }}
          submitLabel="Apply coupon"
          disabled={!ready}
        >
          <p>
            The subscription’s discount becomes this coupon from its next invoice
            {list.length ? ', replacing the one it has' : ''}. MRR follows once Stripe confirms it.
          </p>
          <CouponPicker
            currency={sub.currency}
            choice={choice}
            onChoice={setChoice}
            typed={typed}
            onTyped={setTyped}
          />
        </ActionDialog>
      ) : null}
      {open === 'remove' ? (
        <Confirm
          title="Remove the coupon"
          text="The subscription is charged its full price from its next invoice."
          label="Remove coupon"
          destructive
          call={() =>
            api.POST('/api/admin/subscriptions/{id}/coupon/remove', {
              params: { path: { id: sub.id } },
              body: {},
            })
          }
          onClose={close}
          onDone={() => {
            close();
            onChanged();
          }}
        />
      ) : null}
    </>
  );
}

const TYPED = 'typed';

type CouponOption = {
  id: string;
  name: string | null;
  percentOff: number | null;
  amountOff: number | null;
  currency: string | null;
  duration: string;
  durationInMonths: number | null;
};

function couponText(c: CouponOption): string {
  const off = offText(c.percentOff, c.amountOff, c.currency);
  const how = c.duration === 'repeating' ? `for ${c.durationInMonths ?? '?'} months` : c.duration;
  return `${c.name ? `${c.name} (${c.id})` : c.id} — ${off}, ${how}`;
}

/**
 * The coupons still redeemable and the active promotion codes, from Stripe (GET /api/admin/coupons). An amount-off
 * coupon in another currency than the subscription's is left out: Stripe refuses it. "Another coupon id" takes
 * one typed by hand (one the list does not show, past its first 300).
 */
function CouponPicker({
  currency,
  choice,
  onChoice,
  typed,
  onTyped,
}: {
  currency: string;
  choice: string;
  onChoice: (v: string) => void;
  typed: string;
  onTyped: (v: string) => void;
}) {
  const options = useApi(() => api.GET('/api/admin/coupons'), []);
  return (
    <Show value={options}>
      {(o) => {
        const coupons = o.coupons.filter((c) => c.amountOff === null || c.currency === currency);
        const byId = new Map(o.coupons.map((c) => [c.id, c]));
        return (
          <>
            <label>
              Coupon
              <select
                name="coupon"
                value={choice}
                onChange={(e) => onChoice(e.target.value)}
                autoFocus
                data-testid="coupon-picker"
              >
                <option value="">Choose…</option>
                {coupons.length ? (
                  <optgroup label="Coupons">
                    {coupons.map((c) => (
                      <option key={c.id} value={`coupon:${c.id}`}>
                        {couponText(c)}
                      </option>
                    ))}
                  </optgroup>
                ) : null}
                {o.promotionCodes.length ? (
                  <optgroup label="Promotion codes">
                    {o.promotionCodes.map((p) => {
                      const c = p.couponId ? byId.get(p.couponId) : undefined;
                      return (
                        <option key={p.id} value={`promo:${p.id}`}>
                          {p.code} → {c ? couponText(c) : (p.couponId ?? 'coupon')}
                        </option>
                      );
                    })}
                  </optgroup>
                ) : null}
                <option value={TYPED}>Another coupon id…</option>
              </select>
            </label>
            {!coupons.length && !o.promotionCodes.length ? (
              <p className="muted">Stripe has no coupon this subscription can take yet.</p>
            ) : null}
            {choice === TYPED ? (
              <label>
                Stripe coupon id
                <input
                  name="coupon-id"
                  value={typed}
                  onChange={(e) => onTyped(e.target.value)}
                  autoComplete="off"
                />
              </label>
            ) : null}
          </>
        );
      }}
    </Show>
  );
}

type Open = 'change' | 'cancel' | 'undo' | 'pause' | 'resume' | null;

function Actions({ sub, onChanged }: { sub: Subscription; onChanged: () => void }) {
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const done = () => {
    close();
    onChanged();
  };
  if (ENDED.includes(sub.status)) return null;
  const paused = Boolean(sub.pauseCollection);
  return (
    <div className="actions">
      {LIVE.includes(sub.status) ? (
        <button type="button" className="primary" onClick={() => setOpen('change')}>
          Change plan
        </button>
      ) : null}
      {sub.cancelAtPeriodEnd ? (
        <button type="button" onClick={() => setOpen('undo')}>
          Undo cancellation
        </button>
      ) : (
        <button type="button" onClick={() => setOpen('cancel')}>
          Cancel…
        </button>
      )}
      {paused ? (
        <button type="button" onClick={() => setOpen('resume')}>
          Resume collection
        </button>
      ) : (
        <button type="button" onClick={() => setOpen('pause')}>
          Pause collection
        </button>
      )}
      {open === 'change' ? <ChangePlan sub={sub} onClose={close} onDone={done} /> : null}
      {open === 'cancel' ? <Cancel sub={sub} onClose={close} onDone={done} /> : null}
      {open === 'undo' ? (
        <Confirm
          title="Undo the scheduled cancellation"
          text="The subscription renews at the end of the period again."
          label="Undo cancellation"
          call={() =>
            api.POST('/api/admin/subscriptions/{id}/cancel', {
              params: { path: { id: sub.id } },
              body: { at: 'undo', prorate: false },
            })
          }
          onClose={close}
          onDone={done}
        />
      ) : null}
      {open === 'pause' ? (
        <Confirm
          title="Pause collection"
          text="Invoices are voided while paused; the subscription stays and the customer keeps access."
          label="Pause collection"
          destructive
          call={() =>
            api.POST('/api/admin/subscriptions/{id}/pause', {
              params: { path: { id: sub.id } },
              body: { behavior: 'void' },
            })
          }
          onClose={close}
          onDone={done}
        />
      ) : null}
      {open === 'resume' ? (
        <Confirm
          title="Resume collection"
          text="Invoices are collected again from the next one."
          label="Resume collection"
          call={() => api.POST('/api/admin/subscriptions/{id}/resume', { params: { path: { id: sub.id } } })}
          onClose={close}
          onDone={done}
        />
      ) : null}
    </div>
  );
}

function Confirm<T>({
  title,
  text,
  label,
  destructive = false,
  call,
  onClose,
  onDone,
}: {
  title: string;
  text: string;
  label: string;
  destructive?: boolean;
  call: () => Promise<{ data?: T; error?: unknown; response: Response }>;
  onClose: () => void;
  onDone: () => void;
}) {
  return (
    <ActionDialog
      title={title}
      onClose={onClose}
      call={call}
      onDone={onDone}
      submitLabel={label}
      destructive={destructive}
    >
      <p>{text}</p>
    </ActionDialog>
  );
}

function Cancel({ sub, onClose, onDone }: { sub: Subscription; onClose: () => void; onDone: () => void }) {
  const [at, setAt] = useState<'period_end' | 'now'>('period_end');
  const [prorate, setProrate] = useState(false);
  const [reason, setReason] = useState('');
  return (
    <ActionDialog
      title="Cancel subscription"
      onClose={onClose}
      call={() =>
        api.POST('/api/admin/subscriptions/{id}/cancel', {
          params: { path: { id: sub.id } },
          body: { at, prorate: at === 'now' && prorate, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        })
      }
      onDone={onDone}
      submitLabel={at === 'now' ? 'Cancel now' : 'Cancel at period end'}
      destructive
    >
      <label className="check">
        <input type="radio" name="at" checked={at === 'period_end'} onChange={() => setAt('period_end')} /> At
        period end
        {sub.currentPeriodEnd ? (
          <>
            {' '}
            (<DateTime iso={sub.currentPeriodEnd} withTime />) — the customer keeps access until then; can be
            undone
          </>
        ) : null}
      </label>
      <label className="check">
        <input type="radio" name="at" checked={at === 'now'} onChange={() => setAt('now')} /> Now — ends
        immediately, cannot be undone
      </label>
      {at === 'now' ? (
        <label className="check">
          <input type="checkbox" checked={prorate} onChange={(e) => setProrate(e.target.checked)} /> Credit
          the unused time
        </label>
      ) : null}
      <label>
        Reason (optional, kept in the audit log)
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      </label>
    </ActionDialog>
  );
}

function ChangePlan({
  sub,
  onClose,
  onDone,
}: {
  sub: Subscription;
  onClose: () => void;
  onDone: () => void;
}) {
  const plans = useApi(() => api.GET('/api/admin/plans', {}), []);
  const [priceId, setPriceId] = useState('');
  const [behavior, setBehavior] = useState<'create_prorations' | 'always_invoice' | 'none'>(
    'create_prorations',
  );
  // The preview of the chosen price, reported by <ChangePreview> (null while none is loaded).
  const [ready, setReady] = useState<PlanChangePreview | null>(null);
  const options =
    plans.state === 'ok'
      ? plans.data.items
          .filter((p) => p.active)
          .flatMap((p) =>
            p.prices
              .filter(
                (pr) => pr.active && pr.currency === sub.currency && pr.stripePriceId !== sub.stripePriceId,
              )
              .map((pr) => ({ plan: p, price: pr })),
          )
      : [];
  return (
    <ActionDialog
      title="Change plan"
      onClose={onClose}
      call={() =>
        ready &&
        api.POST('/api/admin/subscriptions/{id}/change-plan', {
          params: { path: { id: sub.id } },
          body: { priceId, prorationBehavior: behavior, prorationDate: ready.prorationDate },
        })
      }
      onDone={onDone}
      submitLabel="Confirm change"
      disabled={!ready}
    >
      <label>
        New price
        <select value={priceId} onChange={(e) => setPriceId(e.target.value)} required>
          <option value="">Choose…</option>
          {options.map(({ plan, price }) => (
            <option key={price.id} value={price.stripePriceId}>
              {plan.name} — {money(price.unitAmount, price.currency)}{' '}
              {every(price.interval, price.intervalCount)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Proration
        <select value={behavior} onChange={(e) => setBehavior(e.target.value as typeof behavior)}>
          <option value="create_prorations">prorate on the next invoice</option>
          <option value="always_invoice">prorate and invoice now</option>
          <option value="none">no proration</option>
        </select>
      </label>
      {priceId ? (
        <ChangePreview
          key={`${priceId}:${behavior}`}
          subscriptionId={sub.id}
          priceId={priceId}
          behavior={behavior}
          onReady={setReady}
        />
      ) : null}
    </ActionDialog>
  );
}

type PlanChangePreview = {
  prorationDate: number;
  currency: string;
  total: number;
  amountDue: number;
  prorationAmount: number;
  lines: Array<{ description: string | null; amount: number; proration: boolean }>;
};

/** Stripe's preview invoice for one price and proration behaviour, with its exact amounts. */
function ChangePreview({
  subscriptionId,
  priceId,
  behavior,
  onReady,
}: {
  subscriptionId: string;
  priceId: string;
  behavior: 'create_prorations' | 'always_invoice' | 'none';
  onReady: (p: PlanChangePreview | null) => void;
}) {
  const preview = useApi(
    () =>
      api.GET('/api/admin/subscriptions/{id}/change-preview', {
        params: { path: { id: subscriptionId }, query: { priceId, prorationBehavior: behavior } },
      }),
    [],
  );
  const ready = preview.state === 'ok' ? preview.data : null;
  useEffect(() => {
    onReady(ready);
    return () => onReady(null);
  }, [ready]);
  if (preview.state === 'loading') return <Loading label="Asking Stripe for the proration…" />;
  if (preview.state === 'error') return <ErrorState error={preview.error} />;
  const p = preview.data;
  return (
    <div className="notice" data-testid="change-preview">
      <table className="compact">
        <tbody>
          {p.lines.map((l, i) => (
            <tr key={i}>
              <td>{l.description ?? (l.proration ? 'proration' : 'line')}</td>
              <td className="num">{money(l.amount, p.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Proration: <strong data-testid="proration-amount">{money(p.prorationAmount, p.currency)}</strong>
        <br />
        Invoice total: <strong data-testid="preview-total">{money(p.total, p.currency)}</strong>, due{' '}
        {behavior === 'always_invoice' ? 'now' : 'on the next invoice'}:{' '}
        <strong data-testid="preview-due">{money(p.amountDue, p.currency)}</strong>
      </p>
    </div>
  );
}
