/**
 * Issue 16: what /account reads and changes besides billing. The catalogue as a customer sees it (active plans and
 * prices only, cheapest first), a user's billing before any customer, their own notifications without any one-time
 * link, sessions (one signed out from another), and sign-in methods (the last one cannot be unlinked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { memberSession, signIn, type Session } from '../helpers/auth.js';

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
  h.app.inject({ method: 'POST', url, headers: { cookie: s.cookie, origin: TEST_APP_URL }, payload });

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
  it('signs one session out from another', async () => {
    const other = await signIn(h.app, 'ann@example.com');
    const list = await get('/api/auth/list-sessions');
    expect(list.statusCode).toBe(200);
    const sessions = list.json() as { token: string }[];
    expect(sessions).toHaveLength(2);
    const otherToken = decodeURIComponent(other.cookie!.split('=')[1]!).split('.')[0]!;
    expect(sessions.map((x) => x.token)).toContain(otherToken);
    const revoke = await post('/api/auth/revoke-session', { token: otherToken });
    expect(revoke.statusCode).toBe(200);
    expect((await get('/api/me', { cookie: other.cookie!, userId: '' })).statusCode).toBe(401);
    expect((await get('/api/me')).statusCode).toBe(200);
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
