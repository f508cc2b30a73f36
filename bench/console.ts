/**
 * `npm run bench:console` — issue 15: every admin list endpoint (filtered, sorted, searched, deep pages) and every
 * detail endpoint with BENCH_CUSTOMERS customers (default 100,000) loaded: the report history of
 * bench/_report-history.ts (users, customers, 1.5 subscriptions each, an invoice per period over BENCH_MONTHS
 * months, movements, inbox events) plus, in raw SQL, a payment per invoice, a dunning case per past_due
 * subscription, billing errors, one outbox row and one audit row per user. The app runs in a child process (web
 * role); each request is asked BENCH_REPEAT times (default 20) after one warm-up, and the figure is the p95 of the
 * server's own time (`Server-Timing: app;dur=`). Target: < 100 ms p95 for each. Prints `console.<endpoint>` figures.
 */
import pg from 'pg';
import { connect } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { percentile, printFigure, startWebServer, stopServer, withBenchDatabase } from './_support.js';
import { loadReportHistory } from './_report-history.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const MONTHS = Number(process.env.BENCH_MONTHS ?? 36);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);
const KEY = 'bench-console-admin-key-0123456789abcdef';

/** What the console's tables show besides the report history: payments, dunning, errors, outbox, audit. */
async function loadConsoleRows(pool: pg.Pool, reuse: boolean): Promise<Record<string, number>> {
  const q = (text: string) => pool.query(text);
  if (reuse && (await q('SELECT 1 FROM payments LIMIT 1')).rowCount) {
    const count = async (table: string) => Number((await q(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    return {
      payments: await count('payments'),
      dunningCases: await count('dunning_cases'),
      billingErrors: await count('billing_errors'),
      outbox: await count('outbox'),
      audit: await count('audit_log'),
    };
  }
  const payments = await q(`
    INSERT INTO payments (stripe_payment_intent_id, stripe_charge_id, invoice_id, stripe_invoice_id, customer_id,
                          stripe_customer_id, amount_minor, currency, status, failure_code, decline_code, card_brand,
                          card_last4, card_country, created_at, stripe_version_at)
    SELECT 'pi_' || substr(i.stripe_invoice_id, 4), 'ch_' || substr(i.stripe_invoice_id, 4), i.id, i.stripe_invoice_id,
           i.customer_id, c.stripe_customer_id, i.total_minor, i.currency,
           CASE WHEN i.status = 'paid' THEN 'succeeded' ELSE 'failed' END,
           CASE WHEN i.status = 'paid' THEN NULL ELSE 'card_declined' END,
           CASE WHEN i.status = 'paid' THEN NULL ELSE 'insufficient_funds' END,
           (ARRAY['visa', 'mastercard', 'amex'])[1 + abs(hashtext(i.stripe_invoice_id)) % 3], '4242',
           (ARRAY['US', 'DE', 'FR', 'GB'])[1 + abs(hashtext(c.stripe_customer_id)) % 4], i.created_at, i.created_at
    FROM invoices i JOIN customers c ON c.id = i.customer_id`);
  const dunning = await q(`
    INSERT INTO dunning_cases (subscription_id, customer_id, user_id, invoice_id, stripe_invoice_id, status, opened_at,
                               grace_days, grace_until, last_failure_at, last_failure_code, amount_due_minor, currency)
    SELECT s.id, s.customer_id, c.user_id, i.id, i.stripe_invoice_id, 'open', i.created_at, 7,
           i.created_at + interval '7 days', i.created_at, 'card_declined', i.amount_due_minor, s.currency
    FROM subscriptions s JOIN customers c ON c.id = s.customer_id
    JOIN LATERAL (SELECT * FROM invoices i WHERE i.subscription_id = s.id AND i.status = 'open'
                  ORDER BY i.created_at DESC LIMIT 1) i ON true
    WHERE s.status = 'past_due'`);
  const errors = await q(`
    INSERT INTO billing_errors (kind, subject, message, occurrences, first_seen_at, last_seen_at, status)
    SELECT (ARRAY['unknown_price', 'handler_failed', 'unknown_customer'])[1 + g % 3], 'sub_h' || g,
           'generated error ' || g, 1 + g % 4, now() - g * interval '1 hour', now() - g * interval '1 minute',
           (ARRAY['open', 'resolved', 'ignored'])[1 + g % 3]
    FROM generate_series(1, 2000) g`);
  const outbox = await q(`
    INSERT INTO outbox (key, template, user_id, to_email, subject, body, status, created_at, sent_at)
    SELECT 'receipt:' || u.id, 'receipt', u.id, u.email, 'Your receipt', 'Thank you.', 'sent', u.created_at, u.created_at
    FROM users u`);
  const audit = await q(`
    INSERT INTO audit_log (at, actor_type, actor_id, action, subject_type, subject_id, before, after, reason)
    SELECT u.created_at, 'stripe', NULL, 'user.role_changed', 'user', u.id, '{"role":"member"}', '{"role":"professional"}',
           'entitlement'
    FROM users u`);
  await q('VACUUM (ANALYZE)'); // as bench/_report-history.ts
  return {
    payments: payments.rowCount ?? 0,
    dunningCases: dunning.rowCount ?? 0,
    billingErrors: errors.rowCount ?? 0,
    outbox: outbox.rowCount ?? 0,
    audit: audit.rowCount ?? 0,
  };
}

await withBenchDatabase('bench_console', async ({ url, kept }) => {
  const migrate = connect(url, { max: 2 });
  await runMigrations(migrate.db);
  await migrate.close();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const t0 = performance.now();
  const history = await loadReportHistory(pool, { customers: CUSTOMERS, months: MONTHS }, kept);
  const extra = await loadConsoleRows(pool, kept);
  printFigure({
    name: 'console.history.load',
    value: (performance.now() - t0) / 1000,
    unit: 's',
    n: 1,
    rows: CUSTOMERS,
  });
  for (const [what, value] of Object.entries({
    customers: history.customers,
    subscriptions: history.subscriptions,
    invoices: history.invoices,
    events: history.events,
    ...extra,
  })) {
    printFigure({ name: `console.history.${what}`, value, unit: 'rows', n: 1, rows: CUSTOMERS });
  }
  // Ids for the detail endpoints: a customer in the middle of the list, its user, one of its subscriptions, etc.
  const one = async (sql: string) => ((await pool.query(sql)).rows[0] as Record<string, string>) ?? {};
  const c = await one(`SELECT c.id, c.user_id, c.email, c.stripe_customer_id FROM customers c
    JOIN subscriptions s ON s.customer_id = c.id ORDER BY c.stripe_customer_id OFFSET ${Math.floor(CUSTOMERS / 2)} LIMIT 1`);
  const s = await one(`SELECT id FROM subscriptions WHERE customer_id = '${c.id}' LIMIT 1`);
  const d = await one(`SELECT id FROM dunning_cases LIMIT 1`);
  const e = await one(`SELECT id FROM stripe_events ORDER BY received_at DESC OFFSET 1000 LIMIT 1`);
  const b = await one(`SELECT id FROM billing_errors LIMIT 1`);
  const pl = await one(`SELECT id FROM plans LIMIT 1`);
  await pool.end();

  const emailPart = (c.email ?? 'customer').slice(0, 8);
  const requests: Record<string, string> = {
    'customers.list': '/api/admin/customers',
    'customers.search': `/api/admin/customers?q=${encodeURIComponent(emailPart)}`,
    'customers.search-stripe-id': `/api/admin/customers?q=${c.stripe_customer_id}`,
    'customers.sort-email-page-100': '/api/admin/customers?sort=email&order=asc&page=100',
    'subscriptions.list': '/api/admin/subscriptions',
    'subscriptions.filtered': '/api/admin/subscriptions?status=active,past_due&currency=usd&sort=mrr',
    'subscriptions.renewal-sort': '/api/admin/subscriptions?sort=current_period_end&order=asc&status=active',
    'subscriptions.search': `/api/admin/subscriptions?q=${encodeURIComponent(emailPart)}`,
    'subscriptions.by-plan': '/api/admin/subscriptions?plan=pro&createdFrom=2025-01-01',
    'invoices.list': '/api/admin/invoices',
    'invoices.filtered': '/api/admin/invoices?status=open&currency=eur&sort=total',
    'invoices.by-customer': `/api/admin/invoices?customerId=${c.stripe_customer_id}`,
    'payments.list': '/api/admin/payments',
    'payments.failed': '/api/admin/payments?status=failed&sort=amount',
    'payments.search': `/api/admin/payments?q=${encodeURIComponent(emailPart)}`,
    'users.list': '/api/admin/users',
    'users.search': `/api/admin/users?query=${encodeURIComponent(emailPart)}`,
    'users.by-role': '/api/admin/users?role=professional&page=50',
    'events.list': '/api/admin/events',
    'events.by-type': '/api/admin/events?type=customer.subscription.*&status=processed',
    'errors.list': '/api/admin/errors',
    'errors.resolved': '/api/admin/errors?status=resolved',
    'dunning.list': '/api/admin/dunning?status=open&sort=amount',
    'audit.list': '/api/admin/audit',
    'notifications.list': '/api/admin/notifications?status=sent',
    'plans.list': '/api/admin/plans',
    'customer.detail': `/api/admin/customers/${c.id}`,
    'user.detail': `/api/admin/users/${c.user_id}`,
    'user.role-history': `/api/admin/users/${c.user_id}/role-history`,
    'user.billing-state': `/api/admin/users/${c.user_id}/billing-state?at=${new Date().toISOString()}`,
    'subscription.detail': `/api/admin/subscriptions/${s.id}`,
    'subscription.history': `/api/admin/subscriptions/${s.id}/history`,
    'dunning.detail': `/api/admin/dunning/${d.id}`,
    'event.detail': `/api/admin/events/${e.id}`,
    'error.detail': `/api/admin/errors/${b.id}`,
    'plan.detail': `/api/admin/plans/${pl.id}`,
  };

  const { child, port } = await startWebServer(url, KEY);
  const missing: string[] = [];
  try {
    const ask = async (path: string): Promise<number | null> => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      await res.arrayBuffer();
      if (res.status === 404 && !path.includes('?')) return null; // a route this build does not have
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      return Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
    };
    for (const [name, path] of Object.entries(requests)) {
      if ((await ask(path)) === null) {
        missing.push(name);
        continue;
      }
      const times: number[] = [];
      for (let i = 0; i < REPEAT; i++) times.push((await ask(path))!);
      times.sort((x, y) => x - y);
      printFigure({
        name: `console.${name}`,
        value: percentile(times, 95),
        unit: 'ms p95',
        n: times.length,
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        rows: CUSTOMERS,
      });
    }
  } finally {
    await stopServer(child);
  }
  if (missing.length) console.error(`not measured (404, no such route in this build): ${missing.join(', ')}`);
});
