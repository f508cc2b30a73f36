import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { testApp, type TestApp } from '../helpers/app.js';
import { signIn, signUp, TEST_PASSWORD } from '../helpers/auth.js';
import { scanText } from '../helpers/log-scan.js';
import { buildApp } from '../../src/http/app.js';

let h: TestApp;
beforeAll(async () => {
  h = await testApp({ env: { ADMIN_API_KEYS: 'hygiene-admin-key-0123456789abcdef' } });
});
afterAll(() => h.close());

describe('captured logs hold no secrets', () => {
  it('sign-up, sign-in, bearer keys, token-bearing URLs and a 500 whose message holds a key leave clean log lines', async () => {
    const { cookie } = await signUp(h.app, { email: 'logs@example.com' });
    await signIn(h.app, 'logs@example.com', 'wrong-password-for-logs-1');
    await signIn(h.app, 'logs@example.com');
    await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: cookie! } });
    await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { authorization: 'Bearer hygiene-admin-key-0123456789abcdef' },
    });
    await h.app.inject({
      method: 'GET',
      url: '/api/admin/whoami',
      headers: { authorization: 'Bearer sk_test_51NotARealKey' },
    });
    await h.app.inject({ method: 'GET', url: '/api/auth/verify-email?token=secret-verification-token-123' });
    const a = await buildApp(h.deps, { defaultMetrics: false });
    a.get('/leaky', async () => {
      throw new Error('Stripe said: Invalid API Key provided: sk_test_51Leaky and whsec_leaky123');
    });
    await a.ready();
    const res = await a.inject({ method: 'GET', url: '/leaky' });
    await a.close();
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('sk_test');

    const text = fs.readFileSync(h.logFile, 'utf8');
    expect(text).toContain('"url":"/api/auth/sign-in/email"');
    expect(text).toContain('"url":"/api/auth/verify-email?token=[redacted]"');
    expect(text).toContain('Invalid API Key provided: sk[redacted] and whsec[redacted]');
    const secrets = [
      TEST_PASSWORD,
      'wrong-password-for-logs-1',
      'hygiene-admin-key-0123456789abcdef',
      'secret-verification-token-123',
      decodeURIComponent(cookie!.split('=')[1]!).split('.')[0]!,
    ];
    expect(scanText(text, secrets, h.logFile)).toEqual([]);
  });
});
