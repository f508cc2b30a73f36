/**
 * Issue 14: a movement's time is the Stripe event's `created`, never its arrival, and its kind is judged against
 * history, not against the rows as they were when it was applied. The story (test/fixtures/analytics/story.ts)
 * arrives in two waves, each drained before the next: first everything except customer C's first subscription,
 * then, weeks "late", C's first subscription (Feb 3 – Apr 28). When C's June subscription was applied, C had never
 * paid, so billing stored it as `new`; C's late February sign-up was then stored as an `expansion` and its April
 * cancellation as a `contraction`. The reports must still tell the story in Stripe's order — February new 6000,
 * April churn 6000, June reactivation 5000 — the same figures as when the events arrive together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { FakeClock } from '../../../src/clock.js';
import { drainEvents } from '../../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../../src/inbox/webhooks/handlers/index.js';
import { testApp, type TestApp } from '../../helpers/app.js';
import { postWebhook, WEBHOOK_SECRET } from '../../story/index.js';
import { seedStoryWorld, storyEvents, withDuplicates } from '../../fixtures/analytics/story.js';

const ADMIN_KEY = 'analytics-late-key-0123456789abcdefghijkl';

let h: TestApp;
const clock = new FakeClock('2026-07-01T00:00:00Z');

/** C's first subscription and its invoices: the late wave. */
const isLate = (e: Stripe.Event) => {
  const o = e.data.object as { id?: string };
  return o.id === 'sub_an_c1' || o.id === 'in_an_c3';
};

beforeAll(async () => {
  h = await testApp({
    env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ADMIN_API_KEYS: ADMIN_KEY },
    clock,
    label: 'analytics-late',
  });
  await seedStoryWorld(h.deps.db);
  const events = storyEvents();
  for (const wave of [events.filter((e) => !isLate(e)), events.filter(isLate)]) {
    for (const e of withDuplicates(wave, 7)) {
      expect((await postWebhook(h.app, e, { at: h.clock.now() })).statusCode).toBe(200);
    }
    await drainEvents(h.deps, { handlers, maxAttempts: 3 });
    clock.advance(3 * 86_400_000);
  }
});
afterAll(() => h?.close());

describe('late delivery', () => {
  it('billing stored kinds as of arrival (the reason the reports recompute them)', async () => {
    const { rows } = await h.t.pool.query<{ at: Date; kind: string; delta: number }>(
      `SELECT m.at, m.kind, m.delta_minor::int AS delta FROM mrr_movements m
       JOIN customers c ON c.id = m.customer_id WHERE c.stripe_customer_id = 'cus_an_c' ORDER BY m.at`,
    );
    expect(rows.map((r) => [r.at.toISOString(), r.kind, r.delta])).toEqual([
      ['2026-02-03T09:00:00.000Z', 'expansion', 6000],
      ['2026-04-28T09:00:00.000Z', 'contraction', -6000],
      ['2026-06-02T09:00:00.000Z', 'new', 5000],
    ]);
  });

  it('the mrr report tells it in Stripe’s order: the same figures as the in-order delivery', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/admin/reports/mrr?from=2026-01&to=2026-06&currency=usd',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(res.statusCode).toBe(200);
    // usd (the table in reports.int.test.ts): C is new 6000 in Feb, churns 6000 in Apr, reactivates 5000 in Jun
    const row = (month: string, start: number, n: number, exp: number, con: number, churn: number, re: number, net: number, end: number) => ({
      month, startMrr: start, new: n, expansion: exp, contraction: con, churn, reactivation: re, netNew: net, endMrr: end,
    }); // prettier-ignore
    expect(res.json().series).toEqual([
      {
        currency: 'usd',
        months: [
          row('2026-01', 0, 6000, 0, 0, 0, 0, 6000, 6000),
          row('2026-02', 6000, 11000, 0, 0, 0, 0, 11000, 17000),
          row('2026-03', 17000, 4000, 3000, 0, 2000, 0, 5000, 22000),
          row('2026-04', 22000, 5000, 0, 2000, 6000, 0, -3000, 19000),
          row('2026-05', 19000, 0, 0, 0, 0, 0, 0, 19000),
          row('2026-06', 19000, 0, 0, 0, 2000, 5000, 3000, 22000),
        ],
      },
    ]);
  });
});
