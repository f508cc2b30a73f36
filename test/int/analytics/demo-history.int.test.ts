/**
 * The demo history (issue 14; src/billing/seed/seed-history.ts) through the whole stack: the sandbox's test clocks
 * make a year of customers, the app learns it only from the signed webhooks, and then MRR recomputed straight from
 * the Stripe objects equals ours to the cent (per subscription, and per currency in the summary and the mrr report),
 * and every report has a year of shape: both currencies, several providers, every kind of movement, failed payments
 * recovered and lost. HISTORY_CUSTOMERS raises the size (200 = what `npm start` seeds; the time is logged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHistory, type HistoryReport } from '../../../src/billing/seed/seed-history.js';
import { billingStack, type BillingStack } from '../../helpers/billing-stack.js';
import { mrrFromStripe } from '../../helpers/stripe-mrr.js';

const CUSTOMERS = Number(process.env.HISTORY_CUSTOMERS ?? 45);
const ADMIN_KEY = 'analytics-history-key-0123456789abcdefghi';
let s: BillingStack;
let report: HistoryReport;

beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'demo-history', env: { ADMIN_API_KEYS: ADMIN_KEY } });
  // as Stripe does (and `npm start`'s sandbox): many deliveries in flight, in no promised order
  await s.sandbox.control.settings({ webhookConcurrency: 8 });
  const started = performance.now();
  report = await seedHistory(s.h.deps, { customers: CUSTOMERS, months: 12 });
  const seeded = performance.now();
  await s.settle();
  const { rows } = await s.h.t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM stripe_events`);
  console.log(
    `demo history: ${CUSTOMERS} customers, 12 months, ${rows[0]!.n} events: seeded in ${Math.round(seeded - started)} ms, ` +
      `all applied after ${Math.round(performance.now() - started)} ms`,
    JSON.stringify(report),
  );
}, 600_000);
afterAll(() => s?.close());

const get = async (url: string) => {
  const res = await s.h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('demo history', () => {
  it('one subscription per customer, on test clocks of 3 customers each', () => {
    expect(report.subscriptions).toBe(CUSTOMERS);
    expect(report.clocks).toBe(Math.ceil(CUSTOMERS / 3));
  });

  it('every event was applied (or had nothing to do: test clock events, versions older than the one applied)', async () => {
    const { rows } = await s.h.t.pool.query<{ status: string }>(
      `SELECT DISTINCT status FROM stripe_events WHERE status NOT IN ('processed', 'skipped', 'stale')`,
    );
    expect(rows).toEqual([]);
  });

  it('MRR from the Stripe objects equals the mirror’s, per subscription, to the cent', async () => {
    const stripeMrr = await mrrFromStripe(s.h.deps.stripe);
    expect(stripeMrr.size).toBe(CUSTOMERS);
    const { rows } = await s.h.t.pool.query<{ id: string; currency: string; mrr: number }>(
      `SELECT stripe_subscription_id AS id, currency, mrr_minor::int AS mrr FROM subscriptions`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.currency, r.mrr]]))).toEqual(
      Object.fromEntries(stripeMrr),
    );
    const sums: Record<string, number> = {};
    for (const [currency, mrr] of stripeMrr.values()) sums[currency] = (sums[currency] ?? 0) + mrr;
    const summary = await get('/api/admin/reports/summary');
    expect(
      Object.fromEntries(summary.series.map((x: { currency: string; mrr: number }) => [x.currency, x.mrr])),
    ).toEqual(Object.fromEntries(Object.entries(sums).filter(([, v]) => v > 0)));
    const month = s.clock.now().toISOString().slice(0, 7);
    const mrr = await get(`/api/admin/reports/mrr?from=${month}&to=${month}`);
    for (const x of mrr.series as Array<{ currency: string; months: Array<{ endMrr: number }> }>) {
      expect(x.months[0]!.endMrr, x.currency).toBe(sums[x.currency]);
    }
  });

  it('a year of shape: both currencies, every kind of movement, failures recovered and lost, many providers', async () => {
    const mrr = await get('/api/admin/reports/mrr?from=2025-02&to=2026-01');
    expect(mrr.series.map((x: { currency: string }) => x.currency)).toEqual(['eur', 'usd']);
    const total = (field: string) =>
      (mrr.series as Array<{ months: Array<Record<string, number>> }>)
        .flatMap((x) => x.months)
        .reduce((a, m) => a + m[field]!, 0);
    for (const field of ['new', 'expansion', 'contraction', 'churn'])
      expect(total(field), field).toBeGreaterThan(0);
    const recovery = await get('/api/admin/reports/recovery?from=2025-02&to=2026-01');
    const cases = (field: string) =>
      (recovery.series as Array<{ months: Array<Record<string, number>> }>)
        .flatMap((x) => x.months)
        .reduce((a, m) => a + m[field]!, 0);
    expect(cases('opened')).toBeGreaterThan(0);
    expect(cases('recovered')).toBeGreaterThan(0);
    expect(cases('lost')).toBeGreaterThan(0);
    const signups = await get('/api/admin/reports/signups?from=2025-02&to=2026-01');
    const withSignups = (
      signups.series as Array<{ provider: string; months: Array<{ signups: number }> }>
    ).filter((x) => x.months.some((m) => m.signups > 0));
    expect(withSignups.length).toBeGreaterThanOrEqual(5);
  });
});
