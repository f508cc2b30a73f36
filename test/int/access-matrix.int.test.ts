/**
 * Issue 13 / docs/RELIABILITY.md 25-26: the access matrix, generated from the app's own route table (`app.routeTable`, the
 * one the OpenAPI document is built from). Every registered route is tried by every principal — anonymous, a
 * member, an admin session without its CSRF token, an admin session from a foreign Origin, an unknown API key, a
 * revoked API key, an admin session, an admin API key — and each answer is checked against the route's access
 * class. A route added later is covered by construction; a route that is not in the EXPECTED table below fails the
 * test until someone says who may call it. 0 unauthorized successes, and no principal ever gets a 5xx.
 *
 * IDOR: a member's own endpoints answer only with that member's data (another member's invoices never appear).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { adminSession, browserHeaders, memberSession, type Session } from '../helpers/auth.js';
import { recordSecret } from '../helpers/log-capture.js';
import { recordChaos } from '../helpers/chaos-record.js';

/**
 * Who may call each route:
 * - `admin`: an admin session (CSRF token + same Origin on state-changing methods) or an admin API key;
 * - `user`: any signed-in user (same CSRF rule); API keys are not users;
 * - `public`: anyone (health, docs, the sign-in page and the console's static shell, which checks the session
 *   itself and is tried apart below);
 * - `signed`: the Stripe webhook, authenticated by its signature (fuzzed in webhooks-fuzz.int.test.ts);
 * - `auth`: better-auth's own endpoints (sign-up, sign-in, sessions), tested in accounts.int.test.ts;
 * - `admin-stream` / `user-stream`: Server-Sent Events with the `admin` / `user` rule, tried over real HTTP (an
 *   allowed stream never ends, so `inject` would wait for ever): the status, then the connection is dropped.
 */
type Access = 'admin' | 'user' | 'public' | 'signed' | 'auth' | 'admin-page' | 'admin-stream' | 'user-stream';

const EXPECTED: Record<string, Access> = {
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /': 'public',
  'GET /sign-in': 'public',
  'GET /sign-up': 'public',
  'GET /forgot-password': 'public',
  'GET /reset-password': 'public',
  'GET /verify-email': 'public',
  'GET /account': 'public',
  'GET /admin/assets/*': 'public',
  'GET /admin': 'admin-page',
  'GET /admin/*': 'admin-page',
  'GET /api/auth/*': 'auth',
  'POST /api/auth/*': 'auth',
  'POST /webhooks/stripe': 'signed',
  'GET /api/me': 'user',
  'GET /api/csrf': 'user',
  'POST /api/billing/checkout': 'user',
  'POST /api/billing/portal': 'user',
  'GET /api/billing/invoices': 'user',
  'GET /api/me/invoices/:id': 'user',
  'GET /api/me/billing': 'user',
  'GET /api/me/plans': 'user',
  'GET /api/me/notifications': 'user',
  'GET /api/me/sessions': 'user',
  'POST /api/me/sessions/:id/revoke': 'user',
  'GET /api/admin/whoami': 'admin',
  'GET /api/admin/api-keys': 'admin',
  'POST /api/admin/api-keys': 'admin',
  'DELETE /api/admin/api-keys/:id': 'admin',
  'GET /api/admin/audit': 'admin',
  'GET /api/admin/events': 'admin',
  'GET /api/admin/events/:id': 'admin',
  'POST /api/admin/events/:id/replay': 'admin',
  'GET /api/admin/errors': 'admin',
  'GET /api/admin/errors/:id': 'admin',
  'POST /api/admin/errors/:id/:action': 'admin',
  'GET /api/admin/plans': 'admin',
  'GET /api/admin/coupons': 'admin',
  'POST /api/admin/plans': 'admin',
  'GET /api/admin/plans/:id': 'admin',
  'PATCH /api/admin/plans/:id': 'admin',
  'POST /api/admin/plans/:id/prices': 'admin',
  'POST /api/admin/plans/:id/activate': 'admin',
  'POST /api/admin/plans/:id/deactivate': 'admin',
  'GET /api/admin/customers': 'admin',
  'GET /api/admin/customers/:id': 'admin',
  'POST /api/admin/customers/:id/payment-methods/:pm/default': 'admin',
  'POST /api/admin/customers/:id/payment-methods/:pm/detach': 'admin',
  'GET /api/admin/subscriptions': 'admin',
  'POST /api/admin/subscriptions': 'admin',
  'GET /api/admin/subscriptions/:id': 'admin',
  'GET /api/admin/subscriptions/:id/history': 'admin',
  'GET /api/admin/subscriptions/:id/change-preview': 'admin',
  'POST /api/admin/subscriptions/:id/change-plan': 'admin',
  'POST /api/admin/subscriptions/:id/cancel': 'admin',
  'POST /api/admin/subscriptions/:id/pause': 'admin',
  'POST /api/admin/subscriptions/:id/coupon': 'admin',
  'POST /api/admin/subscriptions/:id/coupon/remove': 'admin',
  'POST /api/admin/subscriptions/:id/resume': 'admin',
  'GET /api/admin/invoices': 'admin',
  'GET /api/admin/payments': 'admin',
  'POST /api/admin/payments/:id/refund': 'admin',
  'GET /api/admin/users': 'admin',
  'GET /api/admin/users/:id': 'admin',
  'GET /api/admin/users/:id/role-history': 'admin',
  'GET /api/admin/users/:id/billing-state': 'admin',
  'POST /api/admin/users/:id/role-override': 'admin',
  'DELETE /api/admin/users/:id/role-override': 'admin',
  'GET /api/admin/roles/stats': 'admin',
  'GET /api/admin/roles/mismatches': 'admin',
  'POST /api/admin/roles/sync': 'admin',
  'GET /api/admin/jobs/:id': 'admin',
  'GET /api/admin/dunning': 'admin',
  'GET /api/admin/dunning/stats': 'admin',
  'GET /api/admin/dunning/:id': 'admin',
  'GET /api/admin/notifications': 'admin',
  'GET /api/admin/reports/summary': 'admin',
  'GET /api/admin/reports/mrr': 'admin',
  'GET /api/admin/reports/churn': 'admin',
  'GET /api/admin/reports/mrr/rows': 'admin',
  'GET /api/admin/reports/churn/rows': 'admin',
  'GET /api/admin/reports/:name': 'admin',
  'GET /api/admin/reports/:name/rows': 'admin',
  'GET /api/admin/stream': 'admin-stream',
  'GET /api/me/stream': 'user-stream',
};

let h: TestApp;
let admin: Session;
let member: Session;
let other: Session;
let apiKey: string;
let revokedKey: string;
let baseUrl: string;

beforeAll(async () => {
  h = await testApp({ label: 'access-matrix' });
  baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await adminSession(h);
  member = await memberSession(h, 'matrix-member@example.com');
  other = await memberSession(h, 'matrix-other@example.com');
  const create = async (name: string) => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-keys',
      headers: browserHeaders(admin),
      payload: { name },
    });
    expect(r.statusCode).toBe(201);
    const { id, key } = r.json() as { id: string; key: string };
    recordSecret(key);
    return { id, key };
  };
  apiKey = (await create('matrix')).key;
  const revoked = await create('matrix-revoked');
  revokedKey = revoked.key;
  const del = await h.app.inject({
    method: 'DELETE',
    url: `/api/admin/api-keys/${revoked.id}`,
    headers: browserHeaders(admin),
  });
  expect(del.statusCode).toBeLessThan(300);
});
afterAll(() => h.close());

const routes = () =>
  h.app.routeTable
    .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
    .map((r) => ({ method: r.method, url: r.url, key: `${r.method} ${r.url}` }));

/** A concrete URL for a route pattern: ids that name nothing (a uuid and a Stripe-like id alternate). */
const concrete = (url: string, n: number) =>
  url
    .replace(/:action/g, 'resolve')
    .replace(/:[A-Za-z]+/g, n % 2 ? '00000000-0000-4000-8000-000000000000' : 'nothing_here_123')
    .replace(/\*/g, 'x');

const mutating = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

type Principal = { name: string; headers: (method: string) => Record<string, string> };

const PRINCIPALS: Principal[] = [
  { name: 'anonymous', headers: () => ({ origin: TEST_APP_URL }) },
  { name: 'member', headers: () => browserHeaders(member) },
  { name: 'admin without CSRF token', headers: () => ({ cookie: admin.cookie, origin: TEST_APP_URL }) },
  {
    name: 'admin from a foreign Origin',
    headers: () => ({ ...browserHeaders(admin), origin: 'https://evil.example' }),
  },
  { name: 'unknown API key', headers: () => ({ authorization: 'Bearer sk_unknown_0123456789abcdefghijkl' }) },
  { name: 'revoked API key', headers: () => ({ authorization: `Bearer ${revokedKey}` }) },
  { name: 'admin', headers: () => browserHeaders(admin) },
  { name: 'admin API key', headers: () => ({ authorization: `Bearer ${apiKey}` }) },
];

/** What a principal must get from a route of an access class: a status (or 'allowed': neither 401 nor 403). */
function expected(access: Access, principal: string, method: string): number | 'allowed' | null {
  const csrfBlocked =
    mutating(method) &&
    (principal === 'admin without CSRF token' || principal === 'admin from a foreign Origin');
  switch (access) {
    case 'admin':
    case 'admin-stream':
      if (principal === 'anonymous' || principal === 'unknown API key' || principal === 'revoked API key')
        return 401;
      if (principal === 'member') return 403;
      return csrfBlocked ? 403 : 'allowed';
    case 'user':
    case 'user-stream':
      if (principal === 'anonymous' || principal.endsWith('API key')) return 401;
      return csrfBlocked ? 403 : 'allowed';
    default:
      return null; // public, signed, auth, admin-page: only "never a 5xx" here
  }
}

/** A stream route's status and (when refused) its JSON body, over HTTP; the connection is dropped after the headers. */
async function streamStatus(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(baseUrl + url, { headers, signal: abort.signal });
  const body = res.ok ? '' : await res.text();
  abort.abort();
  return { statusCode: res.status, body };
}

const errorCode = (r: { body: string }) => {
  try {
    return (JSON.parse(r.body) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
};

describe('access matrix over every registered route', () => {
  it('every route is in the expected table, and every entry is a registered route', () => {
    const registered = routes().map((r) => r.key);
    expect(registered.filter((k) => !(k in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !registered.includes(k))).toEqual([]);
  });

  it('each principal gets what its class allows: 0 unauthorized successes, 0 5xx', async () => {
    const wrong: string[] = [];
    let tried = 0;
    let n = 0;
    for (const route of routes()) {
      const access = EXPECTED[route.key];
      if (!access || access === 'auth' || access === 'signed') continue;
      for (const p of PRINCIPALS) {
        const url = concrete(route.url, n++);
        const r = access.endsWith('-stream')
          ? await streamStatus(url, p.headers(route.method))
          : await h.app.inject({
              method: route.method as 'GET',
              url,
              headers: p.headers(route.method),
              ...(mutating(route.method) ? { payload: {} } : {}),
            });
        tried++;
        const want = expected(access, p.name, route.method);
        const got = `${r.statusCode}${errorCode(r) ? ` ${errorCode(r)}` : ''}`;
        // This app has no Stripe to reach (no sandbox started): a route that must call it answers 503
        // stripe_unavailable, as it would while Stripe is down — a dependency's answer, not a fault of ours.
        const stripeDown = r.statusCode === 503 && errorCode(r) === 'stripe_unavailable';
        if (r.statusCode >= 500 && !stripeDown)
          wrong.push(`${p.name} ${route.method} ${url}: ${got} (a 5xx)`);
        else if (want === 'allowed' && (r.statusCode === 401 || r.statusCode === 403))
          wrong.push(`${p.name} ${route.method} ${url}: ${got}, want allowed`);
        else if (typeof want === 'number' && r.statusCode !== want)
          wrong.push(`${p.name} ${route.method} ${url}: ${got}, want ${want}`);
        else if (want === 403 && mutating(route.method) && p.name.startsWith('admin'))
          expect([p.name, route.key, errorCode(r)]).toEqual([p.name, route.key, 'csrf_invalid']);
      }
    }
    recordChaos('access-matrix', {
      runs: tried,
      letIn: wrong.filter((w) => /, want 40[13]$/.test(w)).length,
      serverErrors: wrong.filter((w) => w.endsWith('(a 5xx)')).length,
    });
    expect(wrong).toEqual([]);
    expect(tried).toBeGreaterThan(300);
  }, 120_000); // every route × 8 callers: grows with the route table

  it('the console shell: anonymous is sent to sign in, a member gets the 403 page, an admin the console', async () => {
    const anon = await h.app.inject({ method: 'GET', url: '/admin/customers' });
    expect(anon.statusCode).toBe(302);
    const m = await h.app.inject({
      method: 'GET',
      url: '/admin/customers',
      headers: { cookie: member.cookie },
    });
    expect(m.statusCode).toBe(403);
    expect(m.headers['content-type']).toContain('text/html');
    const a = await h.app.inject({
      method: 'GET',
      url: '/admin/customers',
      headers: { cookie: admin.cookie },
    });
    expect(a.statusCode).toBe(200);
  });

  it("IDOR: a member's invoices never include another member's", async () => {
    // The other member has a customer with a paid invoice; the member has none.
    const [{ id: customerId }] = (
      await h.t.pool.query<{ id: string }>(
        `INSERT INTO customers (user_id, stripe_customer_id, email, created_at, stripe_version_at)
         VALUES ($1, 'cus_matrix_other', 'matrix-other@example.com', now(), now()) RETURNING id`,
        [other.userId],
      )
    ).rows as [{ id: string }];
    await h.t.pool.query(
      `INSERT INTO invoices (stripe_invoice_id, customer_id, status, currency, amount_due_minor, amount_paid_minor,
                             amount_remaining_minor, subtotal_minor, total_minor, created_at, stripe_version_at)
       VALUES ('in_matrix_other', $1, 'paid', 'usd', 2000, 2000, 0, 2000, 2000, now(), now())`,
      [customerId],
    );
    const mine = await h.app.inject({
      method: 'GET',
      url: '/api/billing/invoices',
      headers: browserHeaders(member),
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.body).not.toContain('in_matrix_other');
    const theirs = await h.app.inject({
      method: 'GET',
      url: '/api/billing/invoices',
      headers: browserHeaders(other),
    });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).toContain('in_matrix_other');
    // Asking for it by id or customer through query parameters changes nothing.
    for (const q of ['?customer=cus_matrix_other', '?userId=' + other.userId, '?id=in_matrix_other']) {
      const r = await h.app.inject({
        method: 'GET',
        url: `/api/billing/invoices${q}`,
        headers: browserHeaders(member),
      });
      expect(r.body).not.toContain('in_matrix_other');
    }
  });
});
