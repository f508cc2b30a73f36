import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { sessionCookie } from '../helpers/auth.js';
import { recordSecret } from '../helpers/log-capture.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { accounts, users } from '../../src/accounts/accounts.tables.js';

let idp: TestOidcProvider;
let h: TestApp;
beforeAll(async () => {
  idp = await startOidcProvider({
    redirectUris: [`${TEST_APP_URL}/api/auth/callback/okta`],
    accounts: [{ sub: 'okta-user-1', email: 'Olivia@Okta.example', name: 'Olivia Okta', company: 'Initech' }],
  });
  recordSecret(idp.clientSecret);
  h = await testApp({
    env: { OKTA_CLIENT_ID: idp.clientId, OKTA_CLIENT_SECRET: idp.clientSecret, OKTA_ISSUER: idp.issuer },
  });
});
afterAll(async () => {
  await h?.close();
  await idp?.close();
});

describe('OIDC sign-in (Okta = generic OIDC) against a local OpenID provider', () => {
  it('creates a member with signupProvider okta, verified email and company, and signs them in', async () => {
    const start = await h.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/social',
      headers: { origin: TEST_APP_URL },
      payload: { provider: 'okta', callbackURL: '/' },
    });
    expect(start.statusCode).toBe(200);
    const { url } = start.json() as { url: string };
    expect(url.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    const stateCookies = ([] as string[])
      .concat(start.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0]!)
      .join('; ');

    const back = await idp.loginAt(url, 'okta-user-1');
    expect(back.startsWith(`${TEST_APP_URL}/api/auth/callback/okta?`)).toBe(true);

    const callback = await h.app.inject({
      method: 'GET',
      url: back.slice(TEST_APP_URL.length),
      headers: { cookie: stateCookies },
    });
    expect(callback.statusCode).toBe(302);
    expect(callback.headers.location).toBe('/');
    const cookie = sessionCookie(callback);
    expect(cookie).toBeDefined();

    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: cookie! } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      id: expect.any(String),
      email: 'olivia@okta.example',
      name: 'Olivia Okta',
      role: 'member',
      signupProvider: 'okta',
      emailVerified: true,
    });
    const [row] = await h.deps.db.select().from(users).where(eq(users.email, 'olivia@okta.example'));
    expect(row).toMatchObject({ role: 'member', signupProvider: 'okta', company: 'Initech' });
    const links = await h.deps.db.select().from(accounts).where(eq(accounts.userId, row!.id));
    expect(links.map((a) => [a.providerId, a.accountId])).toEqual([['okta', 'okta-user-1']]);
  });
});
