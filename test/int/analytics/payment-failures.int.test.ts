/**
 * Issue 14: the payment-failures report over a hand-built set of payments (test/fixtures/analytics/
 * payment-failures.ts) delivered as signed webhooks through the real ingest — shuffled, every event two or three
 * times, months after the fact — and applied by the real dispatcher and handlers. Every expected figure is a literal
 * worked out by hand in the table beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyApp, type StoryApp } from '../../story/app.js';
import { paymentFailureEvents } from '../../fixtures/analytics/payment-failures.js';
import { seedStoryWorld, withDuplicates } from '../../fixtures/analytics/story.js';

const ADMIN_KEY = 'payment-failures-admin-key-0123456789abc';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

let h: StoryApp;

beforeAll(async () => {
  // Every event two or three times, shuffled, each delivery signed and posted to /webhooks/stripe.
  h = await storyApp({
    label: 'analytics-payment-failures',
    adminKey: ADMIN_KEY,
    start: '2026-07-01T00:00:00Z',
  });
  await seedStoryWorld(h.deps.db);
  const events = paymentFailureEvents();
  await h.postAll(withDuplicates(events, 41), { processed: events.length });
});
afterAll(() => h?.close());

const get = (url: string) => h.app.inject({ method: 'GET', url, headers: admin });
const json = async (url: string) => {
  const res = await get(url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

const DEFAULTS = { pastDue: 'count', trials: 'zero', churnAt: 'period_end', sameWindow: 'include' };
const slice = (key: string | null, attempts: number, failures: number, failureRate: number | null) => ({
  key,
  attempts,
  failures,
  failureRate,
});
const empty = (month: string) => ({
  month,
  attempts: 0,
  failures: 0,
  failureRate: null,
  byDeclineCode: [],
  byCardBrand: [],
  byCardCountry: [],
  byPlan: [],
});

describe('payment-failures report', () => {
  it('per currency and month: attempts, failures, rate and the four breakdowns — worked out by hand', async () => {
    const body = await json('/api/admin/reports/payment-failures?from=2026-03&to=2026-05');
    expect(body).toMatchObject({
      report: 'payment-failures',
      from: '2026-03',
      to: '2026-05',
      currency: null,
      plan: null,
      conventions: DEFAULTS,
    });
    // P0 (Feb 27) is before the range; P10 has no outcome yet: neither is an attempt here.
    // usd March: P1 s, P2 f, P3 s, P4 f, P5 f (Mar 31 23:59:59 is still March)
    //   attempts 5, failures 3 (P2, P4, P5), rate 3/5 = 0.6
    //   decline code  | do_not_honor: P4 → 1        | insufficient_funds: P2, P5 → 2
    //   card brand    | amex: P5 1/1 = 1            | mastercard: P3 s, P4 f 2/1 = 0.5 | visa: P1 s, P2 f 2/1 = 0.5
    //   card country  | GB: P3 s, P4 f 2/1 = 0.5    | US: P1 s, P2 f, P5 f 3/2 = 0.6667
    //   plan          | pro: P2 f, P3 s 2/1 = 0.5   | team: P1 s, P4 f 2/1 = 0.5 | none: P5 f 1/1 = 1
    // usd April: P6 s (Apr 1 00:00:00 is April), P7 f → 2/1 = 0.5; decline: none given (P7 expired_card) 1;
    //   visa 2/1; US 2/1; team 2/1
    // usd May: nothing → 0 attempts, rate null
    // eur March: P8 s, P9 f → 2/1 = 0.5; generic_decline 1; visa 2/1; FR 2/1; team 2/1 (H upgraded to team)
    expect(body.series).toEqual([
      {
        currency: 'eur',
        months: [
          {
            month: '2026-03',
            attempts: 2,
            failures: 1,
            failureRate: 0.5,
            byDeclineCode: [{ key: 'generic_decline', failures: 1 }],
            byCardBrand: [slice('visa', 2, 1, 0.5)],
            byCardCountry: [slice('FR', 2, 1, 0.5)],
            byPlan: [slice('team', 2, 1, 0.5)],
          },
          empty('2026-04'),
          empty('2026-05'),
        ],
      },
      {
        currency: 'usd',
        months: [
          {
            month: '2026-03',
            attempts: 5,
            failures: 3,
            failureRate: 0.6,
            byDeclineCode: [
              { key: 'do_not_honor', failures: 1 },
              { key: 'insufficient_funds', failures: 2 },
            ],
            byCardBrand: [slice('amex', 1, 1, 1), slice('mastercard', 2, 1, 0.5), slice('visa', 2, 1, 0.5)],
            byCardCountry: [slice('GB', 2, 1, 0.5), slice('US', 3, 2, 0.6667)],
            byPlan: [slice('pro', 2, 1, 0.5), slice('team', 2, 1, 0.5), slice(null, 1, 1, 1)],
          },
          {
            month: '2026-04',
            attempts: 2,
            failures: 1,
            failureRate: 0.5,
            byDeclineCode: [{ key: null, failures: 1 }],
            byCardBrand: [slice('visa', 2, 1, 0.5)],
            byCardCountry: [slice('US', 2, 1, 0.5)],
            byPlan: [slice('team', 2, 1, 0.5)],
          },
          empty('2026-05'),
        ],
      },
    ]);
  });

  it('P10 is mirrored (its invoice names it) but, still processing, is no attempt', async () => {
    const { rows } = await h.t.pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM payments GROUP BY status ORDER BY status`,
    );
    // failed: P0 P2 P4 P5 P7 P9 · processing: P10 · succeeded: P1 P3 P6 P8
    expect(rows).toEqual([
      { status: 'failed', n: 6 },
      { status: 'processing', n: 1 },
      { status: 'succeeded', n: 4 },
    ]);
  });

  it('February: P0 alone — one attempt, one failure', async () => {
    const body = await json('/api/admin/reports/payment-failures?from=2026-02&to=2026-02&currency=usd');
    // usd Feb: P0 f (insufficient_funds, visa US, pro) → 1/1 = 1
    expect(body.series).toEqual([
      {
        currency: 'usd',
        months: [
          {
            month: '2026-02',
            attempts: 1,
            failures: 1,
            failureRate: 1,
            byDeclineCode: [{ key: 'insufficient_funds', failures: 1 }],
            byCardBrand: [slice('visa', 1, 1, 1)],
            byCardCountry: [slice('US', 1, 1, 1)],
            byPlan: [slice('pro', 1, 1, 1)],
          },
        ],
      },
    ]);
  });

  it('plan=pro keeps the payments of invoices on pro subscriptions only', async () => {
    const body = await json('/api/admin/reports/payment-failures?from=2026-03&to=2026-04&plan=pro');
    expect(body.plan).toBe('pro');
    // pro: usd March P2 f, P3 s → 2/1; April none; no eur payment is on pro → no eur series
    expect(body.series).toEqual([
      {
        currency: 'usd',
        months: [
          {
            month: '2026-03',
            attempts: 2,
            failures: 1,
            failureRate: 0.5,
            byDeclineCode: [{ key: 'insufficient_funds', failures: 1 }],
            byCardBrand: [slice('mastercard', 1, 0, 0), slice('visa', 1, 1, 1)],
            byCardCountry: [slice('GB', 1, 0, 0), slice('US', 1, 1, 1)],
            byPlan: [slice('pro', 2, 1, 0.5)],
          },
          empty('2026-04'),
        ],
      },
    ]);
  });

  it('one currency asked: zeros (rate null) when it had no payment', async () => {
    const body = await json('/api/admin/reports/payment-failures?from=2026-05&to=2026-05&currency=gbp');
    expect(body.series).toEqual([{ currency: 'gbp', months: [empty('2026-05')] }]);
  });

  it('format=csv: one row per month, then one per slice', async () => {
    const res = await get(
      '/api/admin/reports/payment-failures?from=2026-03&to=2026-03&currency=eur&format=csv',
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body).toBe(
      [
        'currency,month,dimension,key,attempts,failures,failure_rate',
        'eur,2026-03,total,,2,1,0.5',
        'eur,2026-03,decline_code,generic_decline,,1,',
        'eur,2026-03,card_brand,visa,2,1,0.5',
        'eur,2026-03,card_country,FR,2,1,0.5',
        'eur,2026-03,plan,team,2,1,0.5',
        '',
      ].join('\r\n'),
    );
  });

  it('bad input is a 400 naming the parameter', async () => {
    const cases: Array<[string, string, string]> = [
      ['from=2026-13', 'invalid_from', 'from'],
      ['from=2026-05&to=2026-03', 'invalid_range', 'from'],
      ['currency=usdx', 'invalid_currency', 'currency'],
      ['plan=nope', 'invalid_plan', 'plan'],
      ['pastDue=maybe', 'invalid_past_due', 'pastDue'],
      ['colour=red', 'unknown_parameter', 'colour'],
    ];
    for (const [query, code, parameter] of cases) {
      const res = await get(`/api/admin/reports/payment-failures?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error).toMatchObject({ code, details: { parameter } });
    }
  });

  it('needs an admin', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/admin/reports/payment-failures' });
    expect(res.statusCode).toBe(401);
  });
});

describe('payment-failures report, by customer: counted from the payments, not the rollup', () => {
  // Customers (story.ts): A google US · B github GB · D google GB · E microsoft US · H google FR
  it('country=gb (answered GB): B and D — P2, P3, P4 in March, P6, P7 in April; no eur series', async () => {
    const body = await json('/api/admin/reports/payment-failures?from=2026-03&to=2026-05&country=gb');
    expect(body).toMatchObject({ country: 'GB', provider: null });
    // March: P2 B f insufficient_funds visa US pro · P3 B s mastercard GB pro · P4 D f do_not_honor mastercard GB
    //   team → attempts 3, failures 2, rate 2/3 = 0.6667
    //   decline  | do_not_honor 1 | insufficient_funds 1
    //   brand    | mastercard P3 s P4 f 2/1 = 0.5 | visa P2 f 1/1 = 1
    //   country  | GB P3 P4 2/1 = 0.5             | US P2 1/1 = 1
    //   plan     | pro P2 P3 2/1 = 0.5            | team P4 1/1 = 1
    // April: P6 D s, P7 D f expired_card (no decline code), visa US team → 2/1 = 0.5
    // May: nothing. (A's P1, E's P5 and H's P8, P9 are not GB.)
    expect(body.series).toEqual([
      {
        currency: 'usd',
        months: [
          {
            month: '2026-03',
            attempts: 3,
            failures: 2,
            failureRate: 0.6667,
            byDeclineCode: [
              { key: 'do_not_honor', failures: 1 },
              { key: 'insufficient_funds', failures: 1 },
            ],
            byCardBrand: [slice('mastercard', 2, 1, 0.5), slice('visa', 1, 1, 1)],
            byCardCountry: [slice('GB', 2, 1, 0.5), slice('US', 1, 1, 1)],
            byPlan: [slice('pro', 2, 1, 0.5), slice('team', 1, 1, 1)],
          },
          {
            month: '2026-04',
            attempts: 2,
            failures: 1,
            failureRate: 0.5,
            byDeclineCode: [{ key: null, failures: 1 }],
            byCardBrand: [slice('visa', 2, 1, 0.5)],
            byCardCountry: [slice('US', 2, 1, 0.5)],
            byPlan: [slice('team', 2, 1, 0.5)],
          },
          empty('2026-05'),
        ],
      },
    ]);
  });

  it('provider=microsoft: E’s P5, a charge without an invoice, found by the payment’s own customer', async () => {
    const body = await json('/api/admin/reports/payment-failures?from=2026-03&to=2026-04&provider=microsoft');
    // P5 Mar 31 23:59:59 f insufficient_funds amex US, no invoice (no plan) → 1/1 = 1
    expect(body.series).toEqual([
      {
        currency: 'usd',
        months: [
          {
            month: '2026-03',
            attempts: 1,
            failures: 1,
            failureRate: 1,
            byDeclineCode: [{ key: 'insufficient_funds', failures: 1 }],
            byCardBrand: [slice('amex', 1, 1, 1)],
            byCardCountry: [slice('US', 1, 1, 1)],
            byPlan: [slice(null, 1, 1, 1)],
          },
          empty('2026-04'),
        ],
      },
    ]);
  });

  it('a bad provider or country is a 400 naming it', async () => {
    for (const [query, code, parameter] of [
      ['provider=twitter', 'invalid_provider', 'provider'],
      ['country=USA', 'invalid_country', 'country'],
    ]) {
      const res = await get(`/api/admin/reports/payment-failures?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code, details: { parameter } });
    }
  });
});
