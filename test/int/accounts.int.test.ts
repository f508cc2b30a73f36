import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { browserHeaders, csrfFor, signIn, signUp, TEST_PASSWORD } from '../helpers/auth.js';
import { users } from '../../src/accounts/accounts.tables.js';
import type { FakeClock } from '../../src/clock.js';

let h: TestApp;
beforeAll(async () => {
  h = await testApp();
});
afterAll(() => h.close());

const me = (cookie?: string) =>
  h.app.inject({ method: 'GET', url: '/api/me', headers: cookie ? { cookie } : {} });

describe('email + password accounts', () => {
  it('signs up a member, records company/job title, and /api/me shows the user', async () => {
    const { res, cookie } = await signUp(h.app, {
      email: 'Ann@Example.com',
      name: 'Ann Lee',
      company: 'Acme Ltd',
      jobTitle: 'CFO',
    });
    expect(res.statusCode).toBe(200);
    expect(cookie).toMatch(/^sertantai\.session_token=/);
    const r = await me(cookie);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      id: expect.any(String),
      email: 'ann@example.com',
      name: 'Ann Lee',
      role: 'member',
      signupProvider: 'email',
      emailVerified: false,
    });
    const [row] = await h.deps.db.select().from(users).where(eq(users.email, 'ann@example.com'));
    expect(row).toMatchObject({
      role: 'member',
      company: 'Acme Ltd',
      jobTitle: 'CFO',
      signupProvider: 'email',
    });
  });

  it('GET /api/me without a session is 401 in the error shape', async () => {
    const r = await me();
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toMatchObject({ code: 'unauthorized', message: 'Sign in required' });
  });

  it('signs in with a new session id each time, and signs out', async () => {
    await signUp(h.app, { email: 'bob@example.com' });
    const a = await signIn(h.app, 'bob@example.com');
    const b = await signIn(h.app, 'bob@example.com');
    expect(a.res.statusCode).toBe(200);
    expect(a.cookie).toBeDefined();
    expect(a.cookie).not.toBe(b.cookie);
    expect((await me(a.cookie)).json().email).toBe('bob@example.com');

    const out = await h.app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie: a.cookie!, origin: TEST_APP_URL },
      payload: {},
    });
    expect(out.statusCode).toBe(200);
    expect((await me(a.cookie)).statusCode).toBe(401);
    expect((await me(b.cookie)).statusCode).toBe(200);
  });

  it('wrong password is 401 invalid_credentials', async () => {
    const r = await signIn(h.app, 'bob@example.com', 'not-the-password-1');
    expect(r.res.statusCode).toBe(401);
    expect(r.res.json().error.code).toBe('invalid_credentials');
  });

  it('sign-up answers a taken address exactly as a new one (200 check_email, no session); the owner is emailed', async () => {
    const attempt = (email: string, password: string, ip: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers: { origin: TEST_APP_URL },
        payload: { name: 'Someone', email, password },
        remoteAddress: ip,
      });
    const fresh = await attempt('hana@example.com', TEST_PASSWORD, '192.0.2.61');
    const taken = await attempt('ann@example.com', 'another-good-password-9', '192.0.2.62');
    for (const r of [fresh, taken]) {
      expect(r.statusCode).toBe(200);
      expect(r.body).toBe('{"status":"check_email"}');
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const names = (r: typeof fresh) =>
      Object.keys(r.headers)
        .filter((n) => !['x-request-id', 'server-timing', 'date'].includes(n))
        .sort();
    expect(names(taken)).toEqual(names(fresh));

    // The taken account is untouched: its password is the old one.
    expect((await signIn(h.app, 'ann@example.com', 'another-good-password-9')).res.statusCode).toBe(401);
    expect((await signIn(h.app, 'ann@example.com')).res.statusCode).toBe(200);
    // Its owner is told (no link that signs in); the new address gets its verification link.
    const { rows } = await h.t.pool.query<{
      to_email: string;
      template: string;
      subject: string;
      body: string;
    }>(
      `SELECT to_email, template, subject, body FROM outbox
       WHERE to_email IN ('ann@example.com', 'hana@example.com') ORDER BY to_email, template`,
    );
    expect(rows.map((r) => [r.to_email, r.template])).toEqual([
      ['ann@example.com', 'account_exists'],
      ['ann@example.com', 'verify_email'],
      ['hana@example.com', 'verify_email'],
    ]);
    expect(rows[0]!.subject).toBe('Someone tried to sign up with your address');
    expect(rows[0]!.body).toContain('If it was you, sign in: http://app.test/sign-in');
    expect(rows[0]!.body).toContain('Choose a new one: http://app.test/forgot-password');
    expect(rows[0]!.body).not.toContain('token=');
  });

  it('the sign-up notice is limited to 3 a day per address, silently: the answer stays the same', async () => {
    await signUp(h.app, { email: 'ivy@example.com' });
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers: { origin: TEST_APP_URL },
        payload: { name: 'Copycat', email: 'ivy@example.com', password: `copycat-password-${i}-z` },
        remoteAddress: `192.0.2.${70 + i}`,
      });
      answers.push(`${r.statusCode} ${r.body}`);
    }
    expect(answers).toEqual(Array(4).fill('200 {"status":"check_email"}'));
    const { rows } = await h.t.pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM outbox WHERE to_email = 'ivy@example.com' AND template = 'account_exists'`,
    );
    expect(rows[0]!.n).toBe(3);
  });

  it('a taken address and a new one take about the same time to answer (both hash the password)', async () => {
    const ms: Record<'fresh' | 'taken', number[]> = { fresh: [], taken: [] };
    for (let i = 0; i < 5; i++) {
      for (const kind of ['fresh', 'taken'] as const) {
        const started = performance.now();
        const r = await h.app.inject({
          method: 'POST',
          url: '/api/auth/sign-up/email',
          headers: { origin: TEST_APP_URL },
          payload: {
            name: 'Timer',
            email: kind === 'fresh' ? `timer-${i}@example.com` : 'bob@example.com',
            password: `timing-password-${i}-q`,
          },
          remoteAddress: `192.0.2.${80 + i}`,
        });
        ms[kind].push(performance.now() - started);
        expect(r.statusCode).toBe(200);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
    const ratio = median(ms.taken) / median(ms.fresh);
    // better-auth hashes the attempted password on the taken path too, and both paths queue one email.
    expect(ratio, JSON.stringify(ms)).toBeGreaterThan(0.5);
    expect(ratio, JSON.stringify(ms)).toBeLessThan(2);
  });

  it('weak passwords are 422 weak_password', async () => {
    for (const password of ['short1', 'aaaaaaaaaaaaaa', 'password123', 'carol-secret-1']) {
      const r = await signUp(h.app, { email: 'carol@example.com', password });
      expect(r.res.statusCode, password).toBe(422);
      expect(r.res.json().error.code, password).toBe('weak_password');
    }
    const none = await h.deps.db.select().from(users).where(eq(users.email, 'carol@example.com'));
    expect(none).toHaveLength(0);
  });

  it('a role (or signupProvider, emailVerified) in sign-up is refused and no user is created', async () => {
    for (const extra of [{ role: 'admin' }, { signupProvider: 'google' }, { emailVerified: true }]) {
      const r = await signUp(h.app, { email: 'mallory@example.com', ...extra });
      expect(r.res.statusCode).toBe(422);
      expect(r.res.json().error.code).toBe('invalid_request');
    }
    expect(await h.deps.db.select().from(users).where(eq(users.email, 'mallory@example.com'))).toHaveLength(
      0,
    );
  });

  it('a role in a profile update is refused; name/company/jobTitle update', async () => {
    const { cookie } = await signUp(h.app, { email: 'dave@example.com' });
    const csrf = await csrfFor(h.app, cookie!);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/auth/update-user',
      headers: browserHeaders({ cookie: cookie!, csrf }),
      payload: { name: 'Dave', role: 'admin' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.message).toBe('These fields cannot be set: role');
    const good = await h.app.inject({
      method: 'POST',
      url: '/api/auth/update-user',
      headers: browserHeaders({ cookie: cookie! }),
      payload: { name: 'Dave Smith', company: 'Globex', jobTitle: 'Ops' },
    });
    expect(good.statusCode).toBe(200);
    const [row] = await h.deps.db.select().from(users).where(eq(users.email, 'dave@example.com'));
    expect(row).toMatchObject({ name: 'Dave Smith', company: 'Globex', jobTitle: 'Ops', role: 'member' });
  });

  it('behind our input filter, better-auth refuses a role on update and ignores it on sign-up', async () => {
    const { cookie } = await signUp(h.app, { email: 'erin@example.com' });
    const api = h.app.httpContext.auth.api;
    await expect(
      api.updateUser({
        headers: new Headers({ cookie: cookie!, origin: TEST_APP_URL }),
        body: { role: 'admin' } as never,
      }),
    ).rejects.toThrow();
    const frank = await api.signUpEmail({
      body: { email: 'frank@example.com', password: TEST_PASSWORD, name: 'F', role: 'admin' } as never,
    });
    expect((frank.user as unknown as { role: string }).role).toBe('member');
    const rows = await h.deps.db.select({ email: users.email, role: users.role }).from(users);
    expect(rows.filter((r) => r.role !== 'member')).toEqual([]);
  });
});

describe('rate limits (PostgreSQL counters, FakeClock)', () => {
  it('20 failed sign-ins from one address, then 429 even with the right password; another address is fine', async () => {
    await signUp(h.app, { email: 'gina@example.com' });
    const ip = '203.0.113.7';
    for (let i = 0; i < 20; i++) {
      const r = await signIn(h.app, 'gina@example.com', `wrong-password-${i}-x`, { remoteAddress: ip });
      expect(r.res.statusCode).toBe(401);
    }
    const blocked = await signIn(h.app, 'gina@example.com', TEST_PASSWORD, { remoteAddress: ip });
    expect(blocked.res.statusCode).toBe(429);
    expect(blocked.res.json().error.code).toBe('rate_limited');
    expect(blocked.res.headers['retry-after']).toBe('900');
    expect(blocked.cookie).toBeUndefined();

    const other = await signIn(h.app, 'gina@example.com', TEST_PASSWORD, { remoteAddress: '203.0.113.8' });
    expect(other.res.statusCode).toBe(200);

    (h.clock as FakeClock).advance(15 * 60 * 1000 + 1000);
    const later = await signIn(h.app, 'gina@example.com', TEST_PASSWORD, { remoteAddress: ip });
    expect(later.res.statusCode).toBe(200);
  });

  it('the counters are shared by two app processes on one database', async () => {
    const other = await testApp({ database: h.t, clock: h.clock });
    try {
      const ip = '198.51.100.9';
      for (let i = 0; i < 10; i++)
        await signIn(h.app, 'gina@example.com', `nope-nope-${i}-x`, { remoteAddress: ip });
      for (let i = 0; i < 10; i++)
        await signIn(other.app, 'gina@example.com', `nope-nope-${i}-y`, { remoteAddress: ip });
      const r = await signIn(h.app, 'gina@example.com', TEST_PASSWORD, { remoteAddress: ip });
      expect(r.res.statusCode).toBe(429);
    } finally {
      await other.close();
    }
  });

  it('sign-ups are limited per address', async () => {
    const limited = await testApp({
      database: h.t,
      app: { authLimits: { signups: { bucket: 'auth:signup', max: 2, windowSeconds: 3600 } } },
    });
    try {
      const ip = '192.0.2.44';
      expect(
        (await signUp(limited.app, { email: 's1@example.com' }, { remoteAddress: ip })).res.statusCode,
      ).toBe(200);
      expect(
        (await signUp(limited.app, { email: 's2@example.com' }, { remoteAddress: ip })).res.statusCode,
      ).toBe(200);
      const third = await signUp(limited.app, { email: 's3@example.com' }, { remoteAddress: ip });
      expect(third.res.statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
