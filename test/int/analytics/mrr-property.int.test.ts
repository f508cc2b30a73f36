/**
 * Issue 14's property: for random subscription histories (the story's customers and prices — monthly and yearly,
 * usd and eur, quantities 1-3, a 25 % coupon or none, trials, past_due, price and quantity changes, cancellations,
 * a customer's second subscription after a first), delivered as signed webhooks two or three times each in random
 * order through the real ingest and handlers:
 *  - first only the events up to a random instant T: then the mirrored subscriptions' MRR (`subscriptions.mrr_minor`
 *    summed per currency), the sum of the MRR movements up to T and the summary report at T all equal the model's
 *    MRR at T (what Stripe's objects say at T: price × quantity per month, less the coupon, while active or past_due);
 *  - then the rest, and the first wave again (late duplicates): the summary at T has not moved, and at every month
 *    boundary and at instants of the history the summary, the movements and the model agree; the mirror equals the
 *    model at the end; the mrr report's ending MRR is the model's at the month's end and start + net new = end;
 *  - NRR = 1 − net MRR churn rate in every month of the churn report (null together);
 *  - for a random month, the drill-down rows of every mrr and churn figure sum (or count) to the figure.
 * The model is the history itself read at an instant, not the reports' SQL. Runs: 5 by default (seconds),
 * PROPERTY_RUNS to raise it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type Stripe from 'stripe';
import { FakeClock } from '../../../src/clock.js';
import { drainEvents } from '../../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../../src/inbox/webhooks/handlers/index.js';
import { testApp, type TestApp } from '../../helpers/app.js';
import { event, postWebhook, WEBHOOK_SECRET } from '../../story/index.js';
import {
  CUSTOMERS,
  customerCreated,
  PRICES,
  seedStoryWorld,
  subscriptionObject,
  withDuplicates,
  type CustomerKey,
  type StoryPrice,
  type SubVersion,
} from '../../fixtures/analytics/story.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 5);
const ADMIN_KEY = 'analytics-property-key-0123456789abcdefgh';
type Currency = 'eur' | 'usd';

let h: TestApp;
beforeAll(async () => {
  h = await testApp({
    env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ADMIN_API_KEYS: ADMIN_KEY },
    clock: new FakeClock('2026-07-01T00:00:00Z'),
    label: 'analytics-property',
  });
  await seedStoryWorld(h.deps.db);
});
afterAll(() => h?.close());

// ---------------------------------------------------------------------------------------------------------------
// The model: each subscription's versions, read at an instant.

const JAN_1 = Date.UTC(2026, 0, 1) / 1000;
const JUL_1 = Date.UTC(2026, 6, 1) / 1000;
/** First instants of February … July 2026 (unix seconds). */
const MONTH_ENDS = [1, 2, 3, 4, 5, 6].map((m) => Date.UTC(2026, m, 1) / 1000);
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];

/** A customer's currency: Stripe keeps one per customer. */
const currencyOf = (c: CustomerKey): Currency => (CUSTOMERS.indexOf(c) < 6 ? 'usd' : 'eur');
const PRICES_IN: Record<Currency, StoryPrice[]> = {
  usd: [PRICES.proUsdMonthly, PRICES.proUsdYearly, PRICES.teamUsdMonthly],
  eur: [PRICES.proEurMonthly, PRICES.proEurYearly, PRICES.teamEurMonthly],
};
/** Each price's amount a month, written out (a yearly 24000 is 2000 a month, 18000 is 1500). */
const PER_MONTH: Record<string, number> = {
  [PRICES.proUsdMonthly.id]: 2000,
  [PRICES.proUsdYearly.id]: 2000,
  [PRICES.teamUsdMonthly.id]: 5000,
  [PRICES.proEurMonthly.id]: 1800,
  [PRICES.proEurYearly.id]: 1500,
  [PRICES.teamEurMonthly.id]: 4500,
};

interface Version extends SubVersion {
  at: number;
}
type History = Version[][];

const step = fc.record({
  hours: fc.integer({ min: 1, max: 40 * 24 }),
  change: fc.constantFrom('price', 'quantity', 'past_due', 'active', 'cancel'),
});
const subscription = fc.record({
  customer: fc.constantFrom(...CUSTOMERS),
  day: fc.integer({ min: 0, max: 170 }),
  // seconds past midnight end in :07, so no version lands on a month's first instant
  minute: fc.integer({ min: 0, max: 1439 }),
  price: fc.nat({ max: 2 }),
  quantity: fc.integer({ min: 1, max: 3 }),
  trial: fc.boolean(),
  coupon: fc.boolean(),
  steps: fc.array(step, { maxLength: 5 }),
});

type SubscriptionDraw = typeof subscription extends fc.Arbitrary<infer T> ? T : never;

function build(subs: Array<SubscriptionDraw>, run: number): History {
  return subs.map((g, n) => {
    const currency = currencyOf(g.customer);
    const at0 = JAN_1 + g.day * 86400 + g.minute * 60 + 7;
    let v: Version = {
      id: `sub_pp${run}_${n}`,
      customer: g.customer,
      price: PRICES_IN[currency][g.price]!,
      quantity: g.quantity,
      status: g.trial ? 'trialing' : 'active',
      created: new Date(at0 * 1000).toISOString(),
      at: at0,
      ...(g.coupon ? { coupon: { percentOff: 25 } } : {}),
    };
    const versions = [v];
    for (const s of g.steps) {
      const at = v.at + s.hours * 3600;
      if (at >= JUL_1 || v.status === 'canceled') break;
      const prices = PRICES_IN[currency];
      v = {
        ...v,
        at,
        ...(s.change === 'price' ? { price: prices[(prices.indexOf(v.price) + 1) % prices.length]! } : {}),
        ...(s.change === 'quantity' ? { quantity: (v.quantity % 3) + 1 } : {}),
        ...(s.change === 'past_due' ? { status: 'past_due' as const } : {}),
        ...(s.change === 'active' ? { status: 'active' as const } : {}),
        ...(s.change === 'cancel' ? { status: 'canceled' as const } : {}),
      };
      versions.push(v);
    }
    return versions;
  });
}

/** The model's MRR at `t` (unix seconds) per currency: each subscription's last version at or before `t`. */
function modelMrr(history: History, t: number): Record<Currency, number> {
  const out: Record<Currency, number> = { eur: 0, usd: 0 };
  for (const versions of history) {
    const v = versions.filter((x) => x.at <= t).at(-1);
    if (!v || (v.status !== 'active' && v.status !== 'past_due')) continue;
    const full = PER_MONTH[v.price.id]! * v.quantity;
    out[v.price.currency] += v.coupon ? (full * 3) / 4 : full;
  }
  return out;
}

function eventsOf(history: History, run: number): Stripe.Event[] {
  let n = 0;
  const id = () => `evt_pp${run}_${String(++n).padStart(3, '0')}`;
  const customers = [...new Set(history.map((versions) => versions[0]!.customer))];
  const events = customers.map((c, i) => customerCreated(c, JAN_1 + i, id()));
  for (const versions of history) {
    for (const [i, v] of versions.entries()) {
      const type =
        v.status === 'canceled'
          ? 'customer.subscription.deleted'
          : i === 0
            ? 'customer.subscription.created'
            : 'customer.subscription.updated';
      events.push(event(type, subscriptionObject(v, v.at), v.at, { id: id() }));
    }
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------
// What the app says.

const iso = (t: number) => new Date(t * 1000).toISOString();

/** The parts of a report's answer this test reads. */
interface Answer {
  series: Array<{ currency: Currency; mrr?: number; months: Array<Record<string, number | string | null>> }>;
  sum?: number;
}

async function report(url: string): Promise<Answer> {
  const res = await h.app.inject({
    method: 'GET',
    url: `/api/admin/reports/${url}`,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function summaryMrr(t: number): Promise<Record<Currency, number>> {
  const body = await report(`summary?at=${iso(t)}`);
  const out: Record<Currency, number> = { eur: 0, usd: 0 };
  for (const s of body.series) out[s.currency] = s.mrr!;
  return out;
}

async function movementsMrr(t: number): Promise<Record<Currency, number>> {
  const { rows } = await h.t.pool.query<{ currency: Currency; mrr: number }>(
    `SELECT currency, sum(delta_minor)::int AS mrr FROM mrr_movements WHERE at <= $1 GROUP BY currency`,
    [iso(t)],
  );
  return { eur: 0, usd: 0, ...Object.fromEntries(rows.map((r) => [r.currency, r.mrr])) };
}

async function mirrorMrr(): Promise<Record<Currency, number>> {
  const { rows } = await h.t.pool.query<{ currency: Currency; mrr: number }>(
    `SELECT currency, sum(mrr_minor)::int AS mrr FROM subscriptions GROUP BY currency`,
  );
  return { eur: 0, usd: 0, ...Object.fromEntries(rows.map((r) => [r.currency, r.mrr])) };
}

async function deliver(events: Stripe.Event[], seed: number): Promise<void> {
  for (const e of withDuplicates(events, seed)) {
    expect((await postWebhook(h.app, e, { at: h.clock.now() })).statusCode).toBe(200);
  }
  await drainEvents(h.deps, { handlers, maxAttempts: 3 });
}

const MRR_METRICS = [
  'startMrr',
  'new',
  'expansion',
  'contraction',
  'churn',
  'reactivation',
  'netNew',
  'endMrr',
];
const CHURN_METRICS = ['customersAtStart', 'churnedCustomers', 'startMrr', 'churnedMrr', 'contractionMrr', 'expansionMrr', 'reactivationMrr', 'newMrr']; // prettier-ignore

describe('MRR: the model, the movements, the mirror and the reports agree', () => {
  it('for random histories delivered in random order', { timeout: 120_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(subscription, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: JAN_1 + 1, max: JUL_1 - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.nat({ max: 5 }),
        async (subs, cut, seed, drillMonth) => {
          run += 1;
          await h.t.pool.query(`TRUNCATE stripe_events, customers CASCADE`);
          const history = build(subs, run);
          const events = eventsOf(history, run);
          const early = events.filter((e) => e.created <= cut);
          const late = events.filter((e) => e.created > cut);

          await deliver(early, seed);
          const atCut = modelMrr(history, cut);
          expect(await mirrorMrr(), 'mirror after the first wave').toEqual(atCut);
          expect(await movementsMrr(cut), 'movements up to the cut').toEqual(atCut);
          expect(await summaryMrr(cut), 'summary at the cut').toEqual(atCut);

          await deliver([...late, ...early], seed + 1);
          const { rows } = await h.t.pool.query<{ status: string; n: number }>(
            `SELECT status, count(*)::int AS n FROM stripe_events GROUP BY status`,
          );
          expect(rows).toEqual([{ status: 'processed', n: events.length }]);
          expect(await mirrorMrr(), 'mirror at the end').toEqual(modelMrr(history, JUL_1));
          const instants = [cut, ...MONTH_ENDS, ...history.flat().flatMap((v) => [v.at - 1, v.at])];
          for (const t of instants) {
            const model = modelMrr(history, t);
            expect(await summaryMrr(t), `summary at ${iso(t)}`).toEqual(model);
            expect(await movementsMrr(t), `movements up to ${iso(t)}`).toEqual(model);
          }

          const mrr = await report('mrr?from=2026-01&to=2026-06');
          for (const s of mrr.series) {
            const currency = s.currency as Currency;
            for (const [i, m] of (s.months as Array<Record<string, number>>).entries()) {
              expect(m.endMrr, `${currency} ${MONTHS[i]} end`).toBe(
                modelMrr(history, MONTH_ENDS[i]! - 1)[currency],
              );
              expect(m.startMrr! + m.netNew!).toBe(m.endMrr);
            }
          }

          const churn = await report('churn?from=2026-01&to=2026-06');
          for (const s of churn.series) {
            for (const m of s.months as Array<{ nrr: number | null; netMrrChurnRate: number | null }>) {
              if (m.netMrrChurnRate === null) expect(m.nrr).toBeNull();
              else expect(Math.round(m.nrr! * 10000)).toBe(10000 - Math.round(m.netMrrChurnRate * 10000));
            }
          }

          const month = MONTHS[drillMonth]!;
          for (const [name, body, metrics] of [
            ['mrr', mrr, MRR_METRICS],
            ['churn', churn, CHURN_METRICS],
          ] as const) {
            for (const s of body.series) {
              const m = s.months.find((x) => x.month === month)!;
              for (const metric of metrics) {
                const drill = await report(
                  `${name}/rows?metric=${metric}&month=${month}&currency=${s.currency}&limit=1000`,
                );
                expect(drill.sum, `${name} ${s.currency} ${month} ${metric}`).toBe(m[metric]);
              }
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
