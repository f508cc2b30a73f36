/**
 * docs/RELIABILITY.md 25: every admin billing route refuses anonymous callers (401) and members (403), before any input
 * is parsed or Stripe is called.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/helpers/app.js';
import { browserHeaders, memberSession, type Session } from '../../test/helpers/auth.js';

const ID = '00000000-0000-4000-8000-000000000001';
const ROUTES: [string, string][] = [
  ['GET', '/api/admin/plans'],
  ['POST', '/api/admin/plans'],
  ['GET', `/api/admin/plans/${ID}`],
  ['PATCH', `/api/admin/plans/${ID}`],
  ['POST', `/api/admin/plans/${ID}/prices`],
  ['POST', `/api/admin/plans/${ID}/activate`],
  ['POST', `/api/admin/plans/${ID}/deactivate`],
  ['GET', '/api/admin/customers'],
  ['GET', '/api/admin/subscriptions'],
  ['POST', '/api/admin/subscriptions'],
  ['GET', `/api/admin/subscriptions/${ID}`],
  ['GET', `/api/admin/subscriptions/${ID}/change-preview?priceId=price_x`],
  ['POST', `/api/admin/subscriptions/${ID}/change-plan`],
  ['POST', `/api/admin/subscriptions/${ID}/cancel`],
  ['POST', `/api/admin/subscriptions/${ID}/pause`],
  ['POST', `/api/admin/subscriptions/${ID}/resume`],
  ['GET', '/api/admin/invoices'],
  ['GET', '/api/admin/payments'],
  ['POST', `/api/admin/payments/${ID}/refund`],
];

let h: TestApp;
let member: Session;

beforeAll(async () => {
  h = await testApp({ label: 'admin-billing-access' });
  member = await memberSession(h, 'member@example.com');
});
afterAll(() => h.close());

describe('docs/RELIABILITY.md 25: admin billing routes', () => {
  it.each(ROUTES)('%s %s: anonymous 401, member 403, bad API key 401', async (method, url) => {
    const payload = method === 'GET' ? undefined : {};
    const anon = await h.app.inject({ method: method as 'GET', url, payload });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error.code).toBe('unauthorized');

    const asMember = await h.app.inject({
      method: method as 'GET',
      url,
      headers: browserHeaders(member),
      payload,
    });
    expect(asMember.statusCode).toBe(403);
    expect(asMember.json().error.code).toBe('admin_required');

    const badKey = await h.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: 'Bearer not-a-real-key-0123456789abcdef' },
      payload,
    });
    expect(badKey.statusCode).toBe(401);
    expect(badKey.json().error.code).toBe('invalid_api_key');
  });
});
