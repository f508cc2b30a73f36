/**
 * Issue 14, `tz=`: the reports' months in a time zone. A few usd rows written straight to the tables (the rollups'
 * triggers keep `mrr_customer_days`, `revenue_months`, `payment_attempt_months` and `customer_first_payments` as
 * they would for webhooks), each placed near a month boundary that UTC, Europe/Berlin and America/New_York draw in
 * different places. Every expected figure is a literal worked out by hand in the comments beside it.
 *
 * Month bounds (periods.ts; Berlin: CET +01:00 until 29 March 02:00, CEST +02:00 after; New York: EST −05:00 until
 * 8 March 02:00, EDT −04:00 after):
 *            | UTC                           | Europe/Berlin                 | America/New_York
 *   Feb 2026 | Feb 01 00:00Z → Mar 01 00:00Z | Jan 31 23:00Z → Feb 28 23:00Z | Feb 01 05:00Z → Mar 01 05:00Z
 *   Mar 2026 | Mar 01 00:00Z → Apr 01 00:00Z | Feb 28 23:00Z → Mar 31 22:00Z | Mar 01 05:00Z → Apr 01 04:00Z
 *   Apr 2026 | Apr 01 00:00Z → May 01 00:00Z | Mar 31 22:00Z → Apr 30 22:00Z | Apr 01 04:00Z → May 01 04:00Z
 *   May 2026 | May 01 00:00Z → Jun 01 00:00Z | Apr 30 22:00Z → May 31 22:00Z | May 01 04:00Z → Jun 01 04:00Z
 *
 * The rows (customer: user sign-up (provider); MRR movements; paid invoice; payment), all usd on plan pro:
 *   C1: signed up Mar 31 22:30Z (email); new 2000 Mar 31 22:30Z; invoice 2000 paid Mar 31 22:30Z; payment succeeded
 *       Mar 31 22:30Z                       → UTC March · Berlin April (00:30 CEST on Apr 1) · New York March
 *   C2: signed up Mar 10 12:00Z (email); new 3000 Mar 10 12:00Z; invoice 3000 paid Mar 10 12:00Z; payment succeeded
 *       Mar 10 12:00Z (March everywhere); churn −3000 May 01 03:00Z → UTC May · Berlin May · New York April (23:00);
 *       refund 500 Apr 30 22:30Z → UTC April · Berlin May (00:30) · New York April; a payment failed
 *       (insufficient_funds) Apr 30 23:30Z → UTC April · Berlin May · New York April
 *   C3: signed up Feb 28 23:30Z (google); new 1000 Feb 28 23:30Z; invoice 1000 paid Feb 28 23:30Z
 *                                          → UTC February · Berlin March (00:30 CET on Mar 1) · New York February
 *   C4: signed up Mar 15 23:30Z (google); +500 Mar 15 23:30Z and +500 Mar 16 00:30Z: two UTC days (new 500, then
 *       expansion 500), ONE local day in Berlin (Mar 16, 00:30 and 01:30 CET) and in New York (Mar 15, 19:30 and 20:30
 *       EDT) — a day's changes are netted per local day: new 1000. No invoice.
 *   Dunning: C1's case opened Mar 31 22:45Z, recovered by Stripe's retry Mar 31 23:00Z (UTC March · Berlin April ·
 *       New York March); C2's opened Apr 30 21:00Z (April everywhere: 23:00 CEST, 17:00 EDT), lost when its
 *       subscription ended May 01 03:00Z (UTC May · Berlin May · New York April).
 *   Billing error: first seen Mar 31 22:10Z (UTC March · Berlin April), resolved Apr 30 22:20Z (UTC April · Berlin May).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { monthsBetween } from '../../../src/analytics/periods.js';
import { testApp, type TestApp } from '../../helpers/app.js';

const ADMIN_KEY = 'time-zones-admin-key-0123456789abcdef';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

let h: TestApp;

beforeAll(async () => {
  h = await testApp({
    env: { ADMIN_API_KEYS: ADMIN_KEY },
    clock: new FakeClock('2026-07-01T00:00:00Z'),
    label: 'analytics-time-zones',
  });
  const db = h.deps.db;
  await db.execute(sql`
    INSERT INTO plans (key, name, grants_role, stripe_product_id) VALUES ('pro', 'Pro', 'professional', 'prod_tz_pro')`);
  const people = [
    { n: 1, provider: 'email', signedUp: '2026-03-31T22:30:00Z' },
    { n: 2, provider: 'email', signedUp: '2026-03-10T12:00:00Z' },
    { n: 3, provider: 'google', signedUp: '2026-02-28T23:30:00Z' },
    { n: 4, provider: 'google', signedUp: '2026-03-15T23:30:00Z' },
  ];
  for (const p of people) {
    await db.execute(sql`
      INSERT INTO users (id, name, email, signup_provider, created_at)
      VALUES (${`u_tz${p.n}`}, ${`TZ ${p.n}`}, ${`tz${p.n}@example.com`}, ${p.provider}, ${p.signedUp})`);
    await db.execute(sql`
      INSERT INTO customers (stripe_customer_id, user_id, email, name, country, created_at, stripe_version_at)
      VALUES (${`cus_tz${p.n}`}, ${`u_tz${p.n}`}, ${`tz${p.n}@example.com`}, ${`TZ ${p.n}`}, 'DE', '2026-01-01',
              '2026-01-01')`);
    await db.execute(sql`
      INSERT INTO subscriptions (stripe_subscription_id, customer_id, plan_id, status, currency, created_at,
                                 stripe_version_at)
      SELECT ${`sub_tz${p.n}`}, c.id, p.id, 'active', 'usd', '2026-01-01', '2026-01-01'
      FROM customers c, plans p WHERE c.stripe_customer_id = ${`cus_tz${p.n}`} AND p.key = 'pro'`);
  }
  const movements: Array<[number, string, number, number]> = [
    [1, '2026-03-31T22:30:00Z', 0, 2000],
    [2, '2026-03-10T12:00:00Z', 0, 3000],
    [2, '2026-05-01T03:00:00Z', 3000, 0],
    [3, '2026-02-28T23:30:00Z', 0, 1000],
    [4, '2026-03-15T23:30:00Z', 0, 500],
    [4, '2026-03-16T00:30:00Z', 500, 1000],
  ];
  for (const [i, [n, at, before, after]] of movements.entries()) {
    await db.execute(sql`
      INSERT INTO mrr_movements (customer_id, subscription_id, at, currency, mrr_before_minor, mrr_after_minor,
                                 delta_minor, kind, cause_event_id)
      SELECT s.customer_id, s.id, ${at}, 'usd', ${before}, ${after}, ${after - before}, 'new', ${`evt_tz_${i}`}
      FROM subscriptions s WHERE s.stripe_subscription_id = ${`sub_tz${n}`}`);
  }
  const invoices: Array<[number, string, number]> = [
    [1, '2026-03-31T22:30:00Z', 2000],
    [2, '2026-03-10T12:00:00Z', 3000],
    [3, '2026-02-28T23:30:00Z', 1000],
  ];
  for (const [n, paidAt, amount] of invoices) {
    await db.execute(sql`
      INSERT INTO invoices (stripe_invoice_id, customer_id, subscription_id, status, currency, amount_due_minor,
                            amount_paid_minor, amount_remaining_minor, subtotal_minor, total_minor, attempt_count,
                            paid_at, created_at, stripe_version_at)
      SELECT ${`in_tz${n}`}, s.customer_id, s.id, 'paid', 'usd', ${amount}, ${amount}, 0, ${amount}, ${amount}, 1,
             ${paidAt}, ${paidAt}, ${paidAt}
      FROM subscriptions s WHERE s.stripe_subscription_id = ${`sub_tz${n}`}`);
  }
  const payments: Array<[string, number, string, string, string | null]> = [
    ['pi_tz1', 1, 'succeeded', '2026-03-31T22:30:00Z', null],
    ['pi_tz2', 2, 'succeeded', '2026-03-10T12:00:00Z', null],
    ['pi_tz3', 2, 'failed', '2026-04-30T23:30:00Z', 'insufficient_funds'],
  ];
  for (const [id, n, status, at, decline] of payments) {
    await db.execute(sql`
      INSERT INTO payments (stripe_payment_intent_id, invoice_id, customer_id, amount_minor, currency, status,
                            decline_code, card_brand, card_country, created_at, stripe_version_at)
      SELECT ${id}, i.id, i.customer_id, 1000, 'usd', ${status}, ${decline}, 'visa', 'DE', ${at}, ${at}
      FROM invoices i WHERE i.stripe_invoice_id = ${`in_tz${n}`}`);
  }
  const cases: Array<[number, string, Record<string, string | number>]> = [
    [
      1,
      '2026-03-31T22:45:00Z',
      { status: 'recovered', at: '2026-03-31T23:00:00Z', by: 'stripe_retry', ttr: 900 },
    ],
    [2, '2026-04-30T21:00:00Z', { status: 'lost', at: '2026-05-01T03:00:00Z' }],
  ];
  for (const [n, opened, end] of cases) {
    const recovered = end.status === 'recovered';
    await db.execute(sql`
      INSERT INTO dunning_cases (subscription_id, customer_id, stripe_invoice_id, status, opened_at, grace_days,
                                 grace_until, last_failure_at, amount_due_minor, currency, recovered_at,
                                 recovered_amount_minor, recovered_by, time_to_recover_seconds, lost_at, lost_reason)
      SELECT s.id, s.customer_id, ${`in_tz_due${n}`}, ${end.status}, ${opened}, 7, ${opened}::timestamptz + interval '7 days',
             ${opened}, 2000, 'usd', ${recovered ? end.at : null}, ${recovered ? 2000 : null},
             ${recovered ? end.by : null}, ${recovered ? end.ttr : null}, ${recovered ? null : end.at},
             ${recovered ? null : 'subscription_ended'}
      FROM subscriptions s WHERE s.stripe_subscription_id = ${`sub_tz${n}`}`);
  }
  await db.execute(sql`
    INSERT INTO billing_errors (kind, subject, message, first_seen_at, last_seen_at, status, resolved_at)
    VALUES ('handler_failed', 'evt_tz', 'failed', '2026-03-31T22:10:00Z', '2026-03-31T22:10:00Z', 'resolved',
            '2026-04-30T22:20:00Z')`);
  await db.execute(sql`
    INSERT INTO refunds (stripe_refund_id, payment_id, amount_minor, currency, status, created_at, stripe_version_at)
    SELECT 're_tz1', id, 500, 'usd', 'succeeded', '2026-04-30T22:30:00Z', '2026-04-30T22:30:00Z'
    FROM payments WHERE stripe_payment_intent_id = 'pi_tz2'`);
});
afterAll(() => h?.close());

const get = (url: string) => h.app.inject({ method: 'GET', url, headers: admin });
const json = async (url: string) => {
  const res = await get(url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const RANGE = 'from=2026-02&to=2026-05&currency=usd';
const months = (body: { series: Array<{ months: unknown[] }> }) => body.series[0]!.months;

describe('tz=: months of a time zone', () => {
  it('mrr: a movement lands in the local month, and a local day nets its changes', async () => {
    // UTC: Feb new 1000 (C3) → 1000 · Mar new 3000 (C2) + 2000 (C1) + 500 (C4), expansion 500 (C4) → 7000 ·
    //      Apr nothing → 7000 · May churn 3000 (C2) → 4000
    const utc = await json(`/api/admin/reports/mrr?${RANGE}`);
    expect(utc.tz).toBe('UTC');
    const row = (
      month: string,
      startMrr: number,
      n: number,
      expansion: number,
      churn: number,
      endMrr: number,
    ) => ({
      month,
      startMrr,
      new: n,
      expansion,
      contraction: 0,
      churn,
      reactivation: 0,
      netNew: n + expansion - churn,
      endMrr,
    });
    expect(months(utc)).toEqual([
      row('2026-02', 0, 1000, 0, 0, 1000),
      row('2026-03', 1000, 5500, 500, 0, 7000),
      row('2026-04', 7000, 0, 0, 0, 7000),
      row('2026-05', 7000, 0, 0, 3000, 4000),
    ]);
    // Berlin: Feb nothing · Mar new C3 1000 + C2 3000 + C4 1000 (one local day) → 5000 · Apr new C1 2000 → 7000 ·
    //         May churn C2 3000 → 4000
    const berlin = await json(`/api/admin/reports/mrr?${RANGE}&tz=Europe/Berlin`);
    expect(berlin).toMatchObject({ report: 'mrr', from: '2026-02', to: '2026-05', tz: 'Europe/Berlin' });
    expect(months(berlin)).toEqual([
      row('2026-02', 0, 0, 0, 0, 0),
      row('2026-03', 0, 5000, 0, 0, 5000),
      row('2026-04', 5000, 2000, 0, 0, 7000),
      row('2026-05', 7000, 0, 0, 3000, 4000),
    ]);
    // New York: Feb new C3 1000 → 1000 · Mar new C2 3000 + C4 1000 + C1 2000 → 7000 · Apr churn C2 3000 → 4000 ·
    //           May nothing → 4000
    const newYork = await json(`/api/admin/reports/mrr?${RANGE}&tz=America/New_York`);
    expect(months(newYork)).toEqual([
      row('2026-02', 0, 1000, 0, 0, 1000),
      row('2026-03', 1000, 6000, 0, 0, 7000),
      row('2026-04', 7000, 0, 0, 3000, 4000),
      row('2026-05', 4000, 0, 0, 0, 4000),
    ]);
    // UTC spelled otherwise is the UTC answer
    const etc = await json(`/api/admin/reports/mrr?${RANGE}&tz=Etc/UTC`);
    expect(etc).toEqual(utc);
  });

  it('mrr drill-down: the local month’s rows, their days local midnights, summing to the figure', async () => {
    const rows = (q: string) => json(`/api/admin/reports/mrr/rows?currency=usd&tz=Europe/Berlin&${q}`);
    // April in Berlin: new = C1 2000 on Apr 1 (00:00 CEST = Mar 31 22:00Z)
    const aprilNew = await rows('metric=new&month=2026-04');
    expect(aprilNew).toMatchObject({ report: 'mrr', metric: 'new', month: '2026-04', tz: 'Europe/Berlin' });
    expect([aprilNew.total, aprilNew.sum]).toEqual([1, 2000]);
    expect(aprilNew.rows).toEqual([
      {
        customer: 'cus_tz1',
        day: '2026-03-31T22:00:00.000Z',
        kind: 'new',
        mrrBefore: 0,
        mrrAfter: 2000,
        amount: 2000,
      },
    ]);
    // March in Berlin: new = C3 1000 (Mar 1) + C2 3000 (Mar 10) + C4 1000 (Mar 16, one day) = 5000, as the figure
    const marchNew = await rows('metric=new&month=2026-03');
    expect([marchNew.total, marchNew.sum]).toEqual([3, 5000]);
    expect(
      marchNew.rows.map((r: { customer: string; day: string; amount: number }) => [
        r.customer,
        r.day,
        r.amount,
      ]),
    ).toEqual([
      ['cus_tz3', '2026-02-28T23:00:00.000Z', 1000],
      ['cus_tz2', '2026-03-09T23:00:00.000Z', 3000],
      ['cus_tz4', '2026-03-15T23:00:00.000Z', 1000],
    ]);
    // ending MRR of April in Berlin (at Apr 30 22:00Z): C1 2000 + C2 3000 + C3 1000 + C4 1000 = 7000
    const aprilEnd = await rows('metric=endMrr&month=2026-04');
    expect([aprilEnd.total, aprilEnd.sum]).toEqual([4, 7000]);
    // the same figure in UTC has no row in April: C1 is March's there
    const utcAprilNew = await json('/api/admin/reports/mrr/rows?currency=usd&metric=new&month=2026-04');
    expect([utcAprilNew.tz, utcAprilNew.total, utcAprilNew.sum]).toEqual(['UTC', 0, 0]);
  });

  it('churn: customers at start and churned, per local month', async () => {
    const churn = (tz: string) => json(`/api/admin/reports/churn?${RANGE}&tz=${tz}`);
    const counts = (body: { series: Array<{ months: Array<Record<string, unknown>> }> }) =>
      body.series[0]!.months.map((m) => [m.month, m.customersAtStart, m.churnedCustomers]);
    // Berlin: at start Feb 0, Mar 0, Apr 3 (C2, C3, C4), May 4; C2 churns in May
    expect(counts(await churn('Europe/Berlin'))).toEqual([
      ['2026-02', 0, 0],
      ['2026-03', 0, 0],
      ['2026-04', 3, 0],
      ['2026-05', 4, 1],
    ]);
    // New York: at start Feb 0, Mar 1 (C3), Apr 4, May 3; C2 churns in April (Apr 30 23:00 EDT)
    expect(counts(await churn('America/New_York'))).toEqual([
      ['2026-02', 0, 0],
      ['2026-03', 1, 0],
      ['2026-04', 4, 1],
      ['2026-05', 3, 0],
    ]);
  });

  it('cohorts: by the local month of the first payment', async () => {
    const cohorts = async (tz: string) =>
      (await json(`/api/admin/reports/cohorts?${RANGE}&tz=${tz}`)).series[0].cohorts.map(
        (c: { cohort: string; customers: number; startMrr: number }) => [c.cohort, c.customers, c.startMrr],
      );
    // UTC: Feb C3 (1000) · Mar C2, C4, C1 (3000 + 1000 + 2000 at March's end = 6000)
    expect(await cohorts('UTC')).toEqual([
      ['2026-02', 1, 1000],
      ['2026-03', 3, 6000],
    ]);
    // Berlin: Mar C3, C2, C4 (1000 + 3000 + 1000 = 5000) · Apr C1 (2000)
    expect(await cohorts('Europe/Berlin')).toEqual([
      ['2026-03', 3, 5000],
      ['2026-04', 1, 2000],
    ]);
  });

  it('ltv: the window and the month-end levels of local months', async () => {
    // Berlin, April: MRR 7000, paying 4 (C1-C4), ARPA 1750; no churn in the window → LTV null
    const body = await json(`/api/admin/reports/ltv?from=2026-04&to=2026-04&currency=usd&tz=Europe/Berlin`);
    expect(months(body)).toEqual([
      {
        month: '2026-04',
        mrr: 7000,
        payingCustomers: 4,
        arpa: 1750,
        churnedCustomersInWindow: 0,
        // Nov–Apr customers at start: Mar 0 + Apr 3 = 3
        customersAtStartInWindow: 3,
        customerChurnRate: 0,
        ltv: null,
      },
    ]);
  });

  it('revenue: cash in the local month of paid_at, refunds in the local month of created', async () => {
    const row = (month: string, invoicesPaid: number, collected: number, refunded: number) => ({
      month,
      invoicesPaid,
      collected,
      refunded,
      net: collected - refunded,
      disputesOpened: 0,
      disputesLost: 0,
    });
    // UTC (from the monthly rollup): Feb C3 1000 · Mar C2 3000 + C1 2000 · Apr refund 500 · May nothing
    expect(months(await json(`/api/admin/reports/revenue?${RANGE}`))).toEqual([
      row('2026-02', 1, 1000, 0),
      row('2026-03', 2, 5000, 0),
      row('2026-04', 0, 0, 500),
      row('2026-05', 0, 0, 0),
    ]);
    // Berlin (from the invoices): Feb nothing · Mar C3 1000 + C2 3000 · Apr C1 2000 · May refund 500 (00:30 CEST)
    const berlin = await json(`/api/admin/reports/revenue?${RANGE}&tz=Europe/Berlin`);
    expect(berlin.tz).toBe('Europe/Berlin');
    expect(months(berlin)).toEqual([
      row('2026-02', 0, 0, 0),
      row('2026-03', 2, 4000, 0),
      row('2026-04', 1, 2000, 0),
      row('2026-05', 0, 0, 500),
    ]);
  });

  it('payment-failures: attempts in the local month of created', async () => {
    const totals = async (q: string) =>
      months(await json(`/api/admin/reports/payment-failures?${RANGE}${q}`)).map((m) => {
        const { month, attempts, failures, failureRate } = m as Record<string, unknown>;
        return [month, attempts, failures, failureRate];
      });
    // UTC (from the monthly rollup): Mar pi_tz1 s + pi_tz2 s · Apr pi_tz3 f (Apr 30 23:30Z)
    expect(await totals('')).toEqual([
      ['2026-02', 0, 0, null],
      ['2026-03', 2, 0, 0],
      ['2026-04', 1, 1, 1],
      ['2026-05', 0, 0, null],
    ]);
    // Berlin (from the payments): Mar pi_tz2 · Apr pi_tz1 (00:30 CEST Apr 1) · May pi_tz3 (01:30 CEST May 1)
    expect(await totals('&tz=Europe/Berlin')).toEqual([
      ['2026-02', 0, 0, null],
      ['2026-03', 1, 0, 0],
      ['2026-04', 1, 0, 0],
      ['2026-05', 1, 1, 1],
    ]);
    const may = months(await json(`/api/admin/reports/payment-failures?${RANGE}&tz=Europe/Berlin`))[3];
    expect(may).toMatchObject({ byDeclineCode: [{ key: 'insufficient_funds', failures: 1 }] });
  });

  it('signups: by local sign-up month; MRR by provider at the local end of the range', async () => {
    const signups = (q: string) => json(`/api/admin/reports/signups?from=2026-03&to=2026-04${q}`);
    const table = (body: { series: Array<{ provider: string; months: Array<Record<string, unknown>> }> }) =>
      body.series.flatMap((s) =>
        s.months.map((m) => [s.provider, m.month, m.signups, m.paidConversions, m.conversionRate]),
      );
    // UTC: email Mar U1 (Mar 31 22:30Z) + U2, both paid; google Mar U4 (not paid); U3 (Feb 28 23:30Z) before the range
    const utc = await signups('');
    expect(table(utc)).toEqual([
      ['email', '2026-03', 2, 2, 1],
      ['email', '2026-04', 0, 0, null],
      ['google', '2026-03', 1, 0, 0],
      ['google', '2026-04', 0, 0, null],
    ]);
    // Berlin: email Mar U2, Apr U1; google Mar U3 (00:30 CET Mar 1, paid) + U4 → 2 sign-ups, 1 paid = 0.5
    const berlin = await signups('&tz=Europe/Berlin');
    expect(table(berlin)).toEqual([
      ['email', '2026-03', 1, 1, 1],
      ['email', '2026-04', 1, 1, 1],
      ['google', '2026-03', 2, 1, 0.5],
      ['google', '2026-04', 0, 0, null],
    ]);
    // MRR at the end of April: UTC May 1 00:00Z: email C1 2000 + C2 3000, google C3 1000 + C4 1000;
    // New York May 1 04:00Z: C2 churned at 03:00Z → email C1 2000 only
    expect(utc.mrrAt).toBe('2026-05-01T00:00:00.000Z');
    expect(utc.mrrByProvider).toEqual([
      { currency: 'usd', provider: 'email', mrr: 5000, payingCustomers: 2 },
      { currency: 'usd', provider: 'google', mrr: 2000, payingCustomers: 2 },
    ]);
    const newYork = await signups('&tz=America/New_York');
    expect(newYork.mrrAt).toBe('2026-05-01T04:00:00.000Z');
    expect(newYork.mrrByProvider).toEqual([
      { currency: 'usd', provider: 'email', mrr: 2000, payingCustomers: 1 },
      { currency: 'usd', provider: 'google', mrr: 2000, payingCustomers: 2 },
    ]);
  });

  it('recovery: cases opened, recovered and lost in the local month', async () => {
    const recovery = async (tz: string) =>
      months(await json(`/api/admin/reports/recovery?from=2026-03&to=2026-05&currency=usd&tz=${tz}`)).map(
        (m) => {
          const { month, opened, recovered, lost, openAtEnd } = m as Record<string, unknown>;
          return [month, opened, recovered, lost, openAtEnd];
        },
      );
    // UTC: Mar C1 opened and recovered · Apr C2 opened, open at the end (lost May 1 03:00Z) · May C2 lost
    expect(await recovery('UTC')).toEqual([
      ['2026-03', 1, 1, 0, 0],
      ['2026-04', 1, 0, 0, 1],
      ['2026-05', 0, 0, 1, 0],
    ]);
    // Berlin: Apr C1 opened and recovered (00:45, 01:00 CEST Apr 1) and C2 opened (23:00 Apr 30), open at the end ·
    //         May C2 lost
    expect(await recovery('Europe/Berlin')).toEqual([
      ['2026-03', 0, 0, 0, 0],
      ['2026-04', 2, 1, 0, 1],
      ['2026-05', 0, 0, 1, 0],
    ]);
    // New York: Mar C1 · Apr C2 opened (17:00) and lost (23:00 EDT Apr 30) · May nothing
    expect(await recovery('America/New_York')).toEqual([
      ['2026-03', 1, 1, 0, 0],
      ['2026-04', 1, 0, 1, 0],
      ['2026-05', 0, 0, 0, 0],
    ]);
  });

  it('billing-errors: raised and resolved in the local month', async () => {
    const errors = async (tz: string) =>
      (await json(`/api/admin/reports/billing-errors?from=2026-03&to=2026-05&tz=${tz}`)).months.map(
        (m: Record<string, unknown>) => [m.month, m.raised, m.resolved, m.openAtEnd],
      );
    expect(await errors('UTC')).toEqual([
      ['2026-03', 1, 0, 1],
      ['2026-04', 0, 1, 0],
      ['2026-05', 0, 0, 0],
    ]);
    expect(await errors('Europe/Berlin')).toEqual([
      ['2026-03', 0, 0, 0],
      ['2026-04', 1, 0, 1],
      ['2026-05', 0, 1, 0],
    ]);
  });

  it('summary: a date-only at is 00:00 in tz', async () => {
    // UTC Apr 1 00:00Z: C1 2000 + C2 3000 + C3 1000 + C4 1000 = 7000; Berlin Apr 1 00:00 CEST = Mar 31 22:00Z,
    // before C1's 22:30Z: C2 3000 + C3 1000 + C4 1000 = 5000, 3 paying
    const utc = await json('/api/admin/reports/summary?at=2026-04-01&currency=usd');
    expect([utc.at, utc.tz, utc.series[0].mrr]).toEqual(['2026-04-01T00:00:00.000Z', 'UTC', 7000]);
    const berlin = await json('/api/admin/reports/summary?at=2026-04-01&currency=usd&tz=Europe/Berlin');
    expect([berlin.at, berlin.tz, berlin.series[0].mrr, berlin.series[0].payingCustomers]).toEqual([
      '2026-03-31T22:00:00.000Z',
      'Europe/Berlin',
      5000,
      3,
    ]);
  });

  it('CSV rows are led by the zone when it is not UTC', async () => {
    const res = await get(
      `/api/admin/reports/revenue?from=2026-04&to=2026-04&currency=usd&tz=Europe/Berlin&format=csv`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(
      'tz,currency,month,invoices_paid,collected,refunded,net,disputes_opened,disputes_lost\r\n' +
        'Europe/Berlin,usd,2026-04,1,2000,0,2000,0,0\r\n',
    );
  });

  it('an unknown zone is 400 invalid_tz naming the parameter, on reports and drill-downs', async () => {
    for (const url of [
      '/api/admin/reports/mrr?tz=Mars/Olympus_Mons',
      '/api/admin/reports/revenue?tz=%2B01:00',
      '/api/admin/reports/mrr/rows?metric=new&month=2026-03&currency=usd&tz=Europe/Atlantis',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: { code: 'invalid_tz', details: { parameter: 'tz' } } });
    }
  });

  it('the months periods.ts bounds are the months PostgreSQL truncates to, zone by zone', async () => {
    // including zones whose DST change falls at midnight (Santiago, Havana), 30- and 45-minute offsets
    const zones = [
      'Europe/Berlin', 'America/New_York', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe',
      'Asia/Kathmandu', 'Pacific/Chatham', 'Asia/Tehran', 'Africa/Casablanca', 'Pacific/Apia',
    ]; // prettier-ignore
    for (const tz of zones) {
      const bounds = monthsBetween({ year: 2019, month: 1 }, { year: 2027, month: 12 }, tz);
      const { rows } = await h.deps.db.execute<{ month: string }>(sql`
        SELECT b.label AS month FROM unnest(${sql.param(bounds.map((m) => m.start.toISOString()))}::timestamptz[],
                                           ${sql.param(bounds.map((m) => m.month))}::text[]) AS b(start, label)
        WHERE date_trunc('month', b.start, ${tz}::text) <> b.start
           OR to_char(b.start AT TIME ZONE ${tz}::text, 'YYYY-MM') <> b.label`);
      expect(rows, tz).toEqual([]);
    }
  });
});
