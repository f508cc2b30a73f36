/**
 * `/account`: the signed-in user's plan, status and dates; the plans of the active catalogue → Stripe Checkout;
 * "Manage billing" → the Customer Portal; invoices; banners (verify your email, a payment failed and the grace
 * deadline); notifications; sign-in methods; sessions; password and email changes.
 *
 * After Checkout returns (`?checkout=success`) the page says "processing" until the webhook has applied the
 * subscription, then shows the new role — live, from `/api/me/stream` (useLiveVersion): the redirect itself grants
 * nothing.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import type { paths } from '../api/generated/openapi.js';
import { useApi } from '../api/use-api.js';
import { Show } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { localDate, money } from '../lib/format.js';
import { useLiveVersion } from '../lib/live.js';
import { navigate } from '../lib/router.js';
import {
  configuredProviders,
  getJson,
  getMe,
  postJson,
  postWithCsrf,
  providerLabel,
  startOAuth,
  type Me,
} from './session.js';

const LIVE_STATUSES = ['trialing', 'active', 'past_due', 'unpaid', 'paused'];

async function openPortal(setError: (m: string) => void) {
  const r = await postWithCsrf<{ url: string }>('/api/billing/portal');
  if (r.ok) window.location.assign(r.data.url);
  else setError(r.message);
}

export function Account() {
  const live = useLiveVersion(['me'], '/api/me/stream');
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void getMe().then((r) => {
      if (!current) return;
      if (r.ok) setMe(r.data);
      else if (r.status === 401) navigate('/sign-in', { replace: true });
      else setError(r.message);
    });
    return () => {
      current = false;
    };
  }, [live]);
  const billing = useApi(() => api.GET('/api/me/billing'), [], live);

  const query = new URLSearchParams(window.location.search);
  const returned = query.get('checkout');
  const sub = billing.state === 'ok' ? billing.data.subscription : null;
  const applied = !!sub && LIVE_STATUSES.includes(sub.status);
  const processing = returned === 'success' && !applied;
  // Once applied, the page's address forgets the Checkout return (a reload shows the account as it is).
  useEffect(() => {
    if (returned === 'success' && applied) navigate('/account', { replace: true });
  }, [returned, applied]);

  if (me === undefined) return <main className="account" aria-busy="true" />;
  if (me === null) return null;
  return (
    <main className="account" id="account">
      <header className="account-top">
        <div className="auth-brand">
          <span className="logo">S</span> Sertantai
        </div>
        <div className="account-who">
          <span className="muted" id="me-email">
            {me.email}
          </span>
          <button
            type="button"
            id="sign-out"
            onClick={async () => {
              await postJson('/api/auth/sign-out', {});
              navigate('/sign-in');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      {error ? (
        <p className="banner bad" role="alert">
          {error}
        </p>
      ) : null}
      {!me.emailVerified ? <VerifyBanner email={me.email} /> : null}
      {billing.state === 'ok' && billing.data.grace ? (
        <div className="banner warn" role="alert" id="grace-banner">
          <div>
            <strong>Your last payment failed.</strong> Update your card by{' '}
            <time dateTime={billing.data.grace.until}>{localDate(billing.data.grace.until, true)}</time> to
            keep {billing.data.grace.planName ?? 'your plan'}.
          </div>
          <button type="button" className="primary" onClick={() => void openPortal(setError)}>
            Update card
          </button>
        </div>
      ) : null}
      {returned === 'canceled' ? (
        <p className="banner info" role="status">
          Checkout was canceled; nothing was charged.
        </p>
      ) : null}
      {processing ? (
        <p className="banner info" role="status" id="processing" aria-busy="true">
          Processing your payment… this page updates by itself when Stripe confirms it.
        </p>
      ) : null}

      <section className="panel">
        <h2>Your plan</h2>
        <div className="plan-now">
          <div>
            <div className="muted small">Access</div>
            <div className="role" id="role">
              {me.role}
            </div>
          </div>
          <Show value={billing}>
            {(b) => <Subscription billing={b} onPortal={() => void openPortal(setError)} />}
          </Show>
        </div>
      </section>

      {!applied ? <Plans setError={setError} /> : null}
      <Invoices live={live} />
      <div className="panels two">
        <Notifications live={live} />
        <SignInMethods />
      </div>
      <div className="panels two">
        <Sessions />
        <Security me={me} />
      </div>
    </main>
  );
}

type BillingData = paths['/api/me/billing']['get']['responses'][200]['content']['application/json'];

function Subscription({ billing, onPortal }: { billing: BillingData; onPortal: () => void }) {
  const s = billing.subscription;
  return (
    <>
      <div>
        <div className="muted small">Plan</div>
        <div id="plan-name">{s?.planName ?? 'Free'}</div>
      </div>
      {s ? (
        <>
          <div>
            <div className="muted small">Status</div>
            <StatusBadge status={s.status} />
          </div>
          <div id="renewal">
            {s.cancelAtPeriodEnd || s.cancelAt ? (
              <>
                <div className="muted small">Cancels on</div>
                <time dateTime={(s.cancelAt ?? s.currentPeriodEnd)!}>
                  {localDate((s.cancelAt ?? s.currentPeriodEnd)!)}
                </time>
              </>
            ) : s.currentPeriodEnd && LIVE_STATUSES.includes(s.status) ? (
              <>
                <div className="muted small">Renews on</div>
                <time dateTime={s.currentPeriodEnd}>{localDate(s.currentPeriodEnd)}</time>
              </>
            ) : null}
          </div>
          {s.trialEnd && s.status === 'trialing' ? (
            <div>
              <div className="muted small">Trial ends</div>
              <time dateTime={s.trialEnd}>{localDate(s.trialEnd)}</time>
            </div>
          ) : null}
        </>
      ) : null}
      {billing.customerId ? (
        <button type="button" id="manage-billing" className="primary push" onClick={onPortal}>
          Manage billing
        </button>
      ) : null}
    </>
  );
}

function VerifyBanner({ email }: { email: string }) {
  const [state, setState] = useState<string | null>(null);
  return (
    <div className="banner warn" id="verify-banner" role="status">
      <div>
        <strong>Verify your email address.</strong> We sent a link to {email}.{state ? ` ${state}` : ''}
      </div>
      <button
        type="button"
        onClick={async () => {
          const r = await postJson('/api/auth/send-verification-email', { email });
          setState(r.ok ? 'A new link is on its way.' : r.message);
        }}
      >
        Send a new link
      </button>
    </div>
  );
}

function Plans({ setError }: { setError: (m: string) => void }) {
  const plans = useApi(() => api.GET('/api/me/plans'), []);
  const [interval, setInterval] = useState<'month' | 'year'>('month');
  const [currency, setCurrency] = useState<string | null>(null);
  return (
    <section className="panel" id="plans">
      <div className="section-head">
        <h2>Plans</h2>
        <Show value={plans}>
          {(p) => {
            const currencies = [...new Set(p.data.flatMap((x) => x.prices.map((y) => y.currency)))].sort();
            const cur = currency ?? (currencies.includes('usd') ? 'usd' : (currencies[0] ?? 'usd'));
            return (
              <div className="toolbar">
                <div className="tabs" role="group" aria-label="Billing interval">
                  {(['month', 'year'] as const).map((i) => (
                    <button
                      key={i}
                      type="button"
                      aria-pressed={interval === i}
                      onClick={() => setInterval(i)}
                    >
                      {i === 'month' ? 'Monthly' : 'Yearly'}
                    </button>
                  ))}
                </div>
                {currencies.length > 1 ? (
                  <select aria-label="Currency" value={cur} onChange={(e) => setCurrency(e.target.value)}>
                    {currencies.map((c) => (
                      <option key={c} value={c}>
                        {c.toUpperCase()}
                      </option>
                    ))}
                  </select>
                ) : null}
              </div>
            );
          }}
        </Show>
      </div>
      <Show value={plans}>
        {(p) => {
          const currencies = [...new Set(p.data.flatMap((x) => x.prices.map((y) => y.currency)))].sort();
          const cur = currency ?? (currencies.includes('usd') ? 'usd' : (currencies[0] ?? 'usd'));
          const cards = p.data
            .map((plan) => ({
              plan,
              price: plan.prices.find((x) => x.interval === interval && x.currency === cur),
            }))
            .filter((c) => c.price);
          if (cards.length === 0)
            return (
              <p className="muted">
                No plan is offered {interval}ly in {cur.toUpperCase()}.
              </p>
            );
          return (
            <div className="plan-cards">
              {cards.map(({ plan, price }) => (
                <article className="plan-card" key={plan.key} data-plan={plan.key}>
                  <h3>{plan.name}</h3>
                  <div className="price">
                    {money(price!.unitAmount, price!.currency)}
                    <span className="muted"> / {interval}</span>
                  </div>
                  {plan.description ? <p className="muted">{plan.description}</p> : null}
                  {plan.trialDays > 0 ? <p className="small">{plan.trialDays}-day free trial</p> : null}
                  <ul>
                    {plan.features.map((f) => (
                      <li key={f}>{f}</li>
                    ))}
                  </ul>
                  <button
                    type="button"
                    className="primary wide"
                    onClick={async () => {
                      const r = await postWithCsrf<{ url: string }>('/api/billing/checkout', {
                        planKey: plan.key,
                        interval,
                        currency: cur,
                      });
                      if (r.ok) window.location.assign(r.data.url);
                      else setError(r.message);
                    }}
                  >
                    Choose {plan.name}
                  </button>
                </article>
              ))}
            </div>
          );
        }}
      </Show>
    </section>
  );
}

function Invoices({ live }: { live: number }) {
  const invoices = useApi(
    () => api.GET('/api/billing/invoices', { params: { query: { limit: 12 } } }),
    [],
    live,
  );
  return (
    <section className="panel" id="invoices">
      <h2>Invoices</h2>
      <Show value={invoices}>
        {(p) =>
          p.items.length === 0 ? (
            <p className="muted">No invoices yet.</p>
          ) : (
            <div className="table-wrap cards">
              <table>
                <thead>
                  <tr>
                    <th>Date</th>
                    <th>Number</th>
                    <th className="num">Amount</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((i) => (
                    <tr key={i.id}>
                      <td data-label="Date">{localDate(i.createdAt)}</td>
                      <td data-label="Number">{i.number ?? '—'}</td>
                      <td data-label="Amount" className="num">
                        {money(i.total, i.currency)}
                      </td>
                      <td data-label="Status">
                        <StatusBadge status={i.status} />
                      </td>
                      <td data-label="">
                        {i.hostedInvoiceUrl ? (
                          <a href={i.hostedInvoiceUrl} target="_blank" rel="noreferrer">
                            View / PDF
                          </a>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  );
}

function Notifications({ live }: { live: number }) {
  const list = useApi(() => api.GET('/api/me/notifications'), [], live);
  return (
    <section className="panel" id="notifications">
      <h2>Notifications</h2>
      <Show value={list}>
        {(n) =>
          n.data.length === 0 ? (
            <p className="muted">Nothing sent to you yet.</p>
          ) : (
            <ul className="plain-list">
              {n.data.slice(0, 8).map((x) => (
                <li key={x.id}>
                  <span>{x.subject}</span>
                  <span className="muted small">
                    {localDate(x.createdAt, true)} · {x.status === 'sent' ? 'sent' : x.status}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </section>
  );
}

interface LinkedAccount {
  id: string;
  providerId: string;
}

function SignInMethods() {
  const [accounts, setAccounts] = useState<LinkedAccount[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    void getJson<LinkedAccount[]>('/api/auth/list-accounts').then((r) => {
      if (r.ok) setAccounts(r.data);
      else setError(r.message);
    });
  }, [version]);
  const linked = new Set(accounts?.map((a) => a.providerId));
  const linkable = configuredProviders().filter((p) => !linked.has(p));
  return (
    <section className="panel" id="sign-in-methods">
      <h2>Sign-in methods</h2>
      {accounts ? (
        <ul className="plain-list">
          {accounts.map((a) => (
            <li key={a.id}>
              <span>{providerLabel(a.providerId)}</span>
              <button
                type="button"
                // Never leave the account without a way in (the server refuses it too).
                disabled={accounts.length < 2}
                title={accounts.length < 2 ? 'Your only way to sign in' : undefined}
                onClick={async () => {
                  const r = await postJson('/api/auth/unlink-account', { accountId: a.id });
                  if (!r.ok) setError(r.message);
                  setVersion((v) => v + 1);
                }}
              >
                Unlink
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {linkable.map((p) => (
        <button
          key={p}
          type="button"
          onClick={async () => setError((await startOAuth(p, true)).ok ? null : 'Linking failed')}
        >
          Link {providerLabel(p)}
        </button>
      ))}
      {error ? <p className="form-message error">{error}</p> : null}
    </section>
  );
}

interface SessionRow {
  id: string;
  current: boolean;
  createdAt: string;
  userAgent: string | null;
}

function browserOf(ua: string | null | undefined): string {
  if (!ua) return 'Unknown device';
  const name = /Edg\//.test(ua)
    ? 'Edge'
    : /Chrom/.test(ua)
      ? 'Chrome'
      : /Firefox/.test(ua)
        ? 'Firefox'
        : /Safari/.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS/.test(ua)
      ? 'macOS'
      : /Android/.test(ua)
        ? 'Android'
        : /iPhone|iPad/.test(ua)
          ? 'iOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${name} on ${os}` : name;
}

function Sessions() {
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Our own list (any session age; no tokens): better-auth's refuses sessions older than a day.
    void getJson<{ data: SessionRow[] }>('/api/me/sessions').then((r) =>
      r.ok ? setSessions(r.data.data) : setError(r.message),
    );
  }, [version]);
  return (
    <section className="panel" id="sessions">
      <h2>Sessions</h2>
      {sessions ? (
        <ul className="plain-list">
          {sessions.map((s) => (
            <li key={s.id}>
              <span>
                {browserOf(s.userAgent)}
                <span className="muted small"> · since {localDate(s.createdAt, true)}</span>
              </span>
              {s.current ? (
                <span className="badge badge-info">This device</span>
              ) : (
                <button
                  type="button"
                  onClick={async () => {
                    const r = await postWithCsrf(`/api/me/sessions/${encodeURIComponent(s.id)}/revoke`);
                    if (!r.ok) setError(r.message);
                    setVersion((v) => v + 1);
                  }}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {error ? <p className="form-message error">{error}</p> : null}
    </section>
  );
}

function Security({ me }: { me: Me }) {
  const [pw, setPw] = useState<string | null>(null);
  const [em, setEm] = useState<string | null>(null);
  const form = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(e.currentTarget).entries()) as Record<string, string>;
    e.currentTarget.reset();
    return data;
  };
  return (
    <section className="panel" id="security">
      <h2>Password and email</h2>
      <form
        className="compact"
        onSubmit={async (e) => {
          const f = form(e);
          const r = await postJson('/api/auth/change-password', {
            currentPassword: f.current,
            newPassword: f.next,
            revokeOtherSessions: true,
          });
          setPw(
            r.ok
              ? 'Password changed; your other sessions were signed out.'
              : r.code === 'invalid_credentials'
                ? 'The current password is not correct'
                : r.message,
          );
        }}
      >
        <label htmlFor="cp-current">Current password</label>
        <input id="cp-current" name="current" type="password" autoComplete="current-password" required />
        <label htmlFor="cp-next">New password</label>
        <input id="cp-next" name="next" type="password" autoComplete="new-password" minLength={12} required />
        <button type="submit">Change password</button>
        {pw ? <p className="form-message">{pw}</p> : null}
      </form>
      <form
        className="compact"
        onSubmit={async (e) => {
          const f = form(e);
          const r = await postJson('/api/auth/change-email', { newEmail: f.email, password: f.password });
          setEm(r.ok ? `We sent a link to ${f.email}; your address changes once you open it.` : r.message);
        }}
      >
        <label htmlFor="ce-email">New email (now {me.email})</label>
        <input id="ce-email" name="email" type="email" autoComplete="email" required />
        <label htmlFor="ce-password">Current password</label>
        <input id="ce-password" name="password" type="password" autoComplete="current-password" required />
        <button type="submit">Change email</button>
        {em ? <p className="form-message">{em}</p> : null}
      </form>
    </section>
  );
}
