import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testApp, TEST_APP_URL, type TestApp } from '../helpers/app.js';
import { sessionCookie } from '../helpers/auth.js';
import { recordSecret } from '../helpers/log-capture.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import type Stripe from 'stripe';
import { accounts, users } from '../../src/accounts/accounts.tables.js';
import { drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { event, fixture } from '../story/index.js';
import { seedFixtureCatalogue } from '../story/world.js';

let idp: TestOidcProvider;
let h: TestApp;
beforeAll(async () => {
  idp = await startOidcProvider({
    redirectUris: [`${TEST_APP_URL}/api/auth/callback/okta`],
    accounts: [
      { sub: 'okta-user-1', email: 'Olivia@Okta.example', name: 'Olivia Okta', company: 'Initech' },
      { sub: 'okta-user-2', email: 'waiting@okta.example', name: 'Walter Waiting' },
    ],
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

/** The whole authorization-code round trip for one of the provider's accounts; returns the app's callback reply. */
async function signInWithOkta(sub: string) {
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

  const back = await idp.loginAt(url, sub);
  expect(back.startsWith(`${TEST_APP_URL}/api/auth/callback/okta?`)).toBe(true);

  const callback = await h.app.inject({
    method: 'GET',
    url: back.slice(TEST_APP_URL.length),
    headers: { cookie: stateCookies },
  });
  expect(callback.statusCode).toBe(302);
  expect(callback.headers.location).toBe('/');
  return callback;
}

describe('OIDC sign-in (Okta = generic OIDC) against a local OpenID provider', () => {
  it('creates a member with signupProvider okta, verified email and company, and signs them in', async () => {
    const callback = await signInWithOkta('okta-user-1');
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

  it('a Stripe customer waiting for this verified email is linked at sign-up and the role follows at once', async () => {
    await seedFixtureCatalogue(h.deps.db);
    const at = Math.floor(h.clock.now().getTime() / 1000);
    const customer = fixture<Stripe.Customer>('object.customer');
    Object.assign(customer, { id: 'cus_waiting', email: 'Waiting@Okta.example', created: at, metadata: {} });
    customer.invoice_settings.default_payment_method = null;
    const sub = fixture<Stripe.Subscription>('object.subscription.active');
    Object.assign(sub, { id: 'sub_waiting', customer: 'cus_waiting', created: at, latest_invoice: null });
    sub.items.data[0]!.subscription = 'sub_waiting';
    sub.items.data[0]!.current_period_start = at;
    sub.items.data[0]!.current_period_end = at + 30 * 86_400;
    for (const e of [
      event('customer.created', customer, at, { id: 'evt_wait_cus' }),
      event('customer.subscription.created', sub, at + 1, { id: 'evt_wait_sub' }),
    ]) {
      await h.deps.database.pool.query(
        `INSERT INTO stripe_events (id, type, livemode, created_at, ordering_key, payload, received_at, status, available_at)
         VALUES ($1, $2, false, to_timestamp($3), $4, $5::json, $6, 'pending', $6)`,
        [e.id, e.type, e.created, 'cus_waiting', JSON.stringify(e), h.clock.now()],
      );
    }
    await drainEvents(h.deps, { handlers });
    const waiting = await h.deps.database.pool.query(
      `SELECT user_id FROM customers WHERE stripe_customer_id = 'cus_waiting'`,
    );
    expect(waiting.rows).toEqual([{ user_id: null }]);

    const callback = await signInWithOkta('okta-user-2');
    expect(callback.statusCode).toBe(302);
    const [user] = await h.deps.db.select().from(users).where(eq(users.email, 'waiting@okta.example'));
    expect(user).toMatchObject({ role: 'professional', emailVerified: true });
    const linked = await h.deps.database.pool.query(
      `SELECT user_id FROM customers WHERE stripe_customer_id = 'cus_waiting'`,
    );
    expect(linked.rows).toEqual([{ user_id: user!.id }]);
  });
});
