/**
 * Issue 16: what /account reads and changes besides billing. The catalogue as a customer sees it (active plans and
 * prices only, cheapest first), a user's billing before any customer, their own notifications without any one-time
 * link, sessions (one signed out from another), and sign-in methods (the last one cannot be unlinked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { browserHeaders, memberSession, signIn, type Session } from '../helpers/auth.js';

let h: TestApp;
let ann: Session;

beforeAll(async () => {
  h = await testApp({ label: 'account-self-service' });
  ann = await memberSession(h, 'ann@example.com');
  await h.t.pool.query(`
    INSERT INTO plans (id, key, name, description, grants_role, features, trial_days, active) VALUES
      ('00000000-0000-4000-8000-0000000000a1', 'pro', 'Pro', 'For pros', 'professional', '["Reports"]', 14, true),
      ('00000000-0000-4000-8000-0000000000a2', 'basic', 'Basic', null, 'professional', '[]', 0, true),
      ('00000000-0000-4000-8000-0000000000a3', 'old', 'Old', null, 'professional', '[]', 0, false)`);
  await h.t.pool.query(`
    INSERT INTO plan_prices (plan_id, stripe_price_id, currency, unit_amount_minor, interval, interval_count, active) VALUES
      ('00000000-0000-4000-8000-0000000000a1', 'price_pro_m', 'usd', 2900, 'month', 1, true),
      ('00000000-0000-4000-8000-0000000000a1', 'price_pro_y', 'usd', 29000, 'year', 1, true),
      ('00000000-0000-4000-8000-0000000000a1', 'price_pro_m_eur', 'eur', 2700, 'month', 1, true),
      ('00000000-0000-4000-8000-0000000000a1', 'price_pro_q', 'usd', 8000, 'month', 3, true),
      ('00000000-0000-4000-8000-0000000000a2', 'price_basic_m', 'usd', 900, 'month', 1, true),
      ('00000000-0000-4000-8000-0000000000a2', 'price_basic_old', 'usd', 700, 'month', 1, false),
      ('00000000-0000-4000-8000-0000000000a3', 'price_old_m', 'usd', 500, 'month', 1, true)`);
});
afterAll(() => h.close());

const get = (url: string, s: Session = ann) =>
  h.app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
const post = (url: string, payload: object, s: Session = ann) =>
  h.app.inject({ method: 'POST', url, headers: browserHeaders(s), payload });

describe('the account page’s reads', () => {
  it('plans: active plans with their active single-interval prices, cheapest first', async () => {
    const r = await get('/api/me/plans');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      data: [
        {
          key: 'basic',
          name: 'Basic',
          description: null,
          grantsRole: 'professional',
          features: [],
          trialDays: 0,
          prices: [{ interval: 'month', currency: 'usd', unitAmount: 900 }],
        },
        {
          key: 'pro',
          name: 'Pro',
          description: 'For pros',
          grantsRole: 'professional',
          features: ['Reports'],
          trialDays: 14,
          prices: [
            { interval: 'month', currency: 'eur', unitAmount: 2700 },
            { interval: 'month', currency: 'usd', unitAmount: 2900 },
            { interval: 'year', currency: 'usd', unitAmount: 29000 },
          ],
        },
      ],
    });
  });

  it('billing before any Stripe customer: nothing to show, no grace', async () => {
    const r = await get('/api/me/billing');
    expect(r.json()).toEqual({ customerId: null, subscription: null, grace: null });
  });

  it('notifications: my own, and an account email without its body', async () => {
    const r = await get('/api/me/notifications');
    expect(r.statusCode).toBe(200);
    const rows = (r.json() as { data: { template: string; subject: string; body: string | null }[] }).data;
    expect(rows.map((x) => [x.template, x.subject, x.body])).toEqual([
      ['verify_email', 'Verify your email address', null],
    ]);
  });

  it('another user’s invoice id, or none, is a 404', async () => {
    const r = await get('/api/me/invoices/00000000-0000-4000-8000-000000000000');
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('invoice_not_found');
  });
});

describe('sessions and sign-in methods', () => {
  it('lists my sessions without tokens and signs one out from another', async () => {
    const other = await signIn(h.app, 'ann@example.com');
    const list = await get('/api/me/sessions');
    expect(list.statusCode).toBe(200);
    const sessions = (list.json() as { data: { id: string; current: boolean }[] }).data;
    expect(sessions).toHaveLength(2);
    expect(sessions.map((x) => x.current).sort()).toEqual([false, true]);
    const otherToken = decodeURIComponent(other.cookie!.split('=')[1]!).split('.')[0]!;
    expect(list.body).not.toContain(otherToken);
    const otherId = sessions.find((x) => !x.current)!.id;

    const revoke = await post(`/api/me/sessions/${otherId}/revoke`, {});
    expect([revoke.statusCode, revoke.json()]).toEqual([200, { revoked: true, id: otherId }]);
    expect((await get('/api/me', { cookie: other.cookie!, userId: '' })).statusCode).toBe(401);
    expect((await get('/api/me')).statusCode).toBe(200);
    const again = await post(`/api/me/sessions/${otherId}/revoke`, {});
    expect([again.statusCode, again.json().error.code]).toEqual([404, 'session_not_found']);
  });

  it('another user’s session id is a 404, and their session stays signed in', async () => {
    const bea = await memberSession(h, 'bea@example.com');
    const beaList = await get('/api/me/sessions', bea);
    const beaId = (beaList.json() as { data: { id: string }[] }).data[0]!.id;
    const r = await post(`/api/me/sessions/${beaId}/revoke`, {});
    expect([r.statusCode, r.json().error.code]).toEqual([404, 'session_not_found']);
    expect((await get('/api/me', bea)).statusCode).toBe(200);
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: `/api/me/sessions/${beaId}/revoke`,
      headers: { cookie: bea.cookie, origin: TEST_APP_URL },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect((await get('/api/me', bea)).statusCode).toBe(200);
  });

  it('the only sign-in method cannot be unlinked', async () => {
    const accounts = await get('/api/auth/list-accounts');
    const list = accounts.json() as { id: string; providerId: string }[];
    expect(list.map((a) => a.providerId)).toEqual(['credential']);
    const r = await post('/api/auth/unlink-account', { accountId: list[0]!.id });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('failed_to_unlink_last_account');
    expect((await signIn(h.app, 'ann@example.com')).res.statusCode).toBe(200);
  });
});

// Last: it ages ann's session, which better-auth's unlink (a fresh-session endpoint) would then refuse.
describe('an old session', () => {
  it('a session older than a day still lists its sessions (no freshness check)', async () => {
    const { rows } = await h.t.pool.query<{ id: string }>(
      `UPDATE sessions SET created_at = now() - interval '3 days', updated_at = now() - interval '2 days'
       WHERE user_id = $1 RETURNING id`,
      [ann.userId],
    );
    expect(rows).toHaveLength(2); // this page's, and the unlink test's sign-in
    // better-auth's own list refuses such a session (why the page no longer uses it).
    const theirs = await get('/api/auth/list-sessions');
    expect([theirs.statusCode, theirs.json().error.code]).toEqual([403, 'session_not_fresh']);
    const ours = await get('/api/me/sessions');
    expect(ours.statusCode).toBe(200);
    const listed = (ours.json() as { data: { id: string; current: boolean; createdAt: string }[] }).data;
    expect(listed.map((x) => x.id).sort()).toEqual(rows.map((x) => x.id).sort());
    expect(listed.filter((x) => x.current)).toHaveLength(1);
  });
});
