/**
 * The summary rebuilds each subscription's status at an instant from the inbox's events. Stripe sends
 * `customer.subscription.created` (incomplete) and `.updated` (active) within one second, and their event ids
 * order them at random: the one the mirror applied (`processed`) must win over the one its version guard found
 * `stale`, whatever the ids. Found on the demo seed: 3 paying customers, 3 active subscriptions, summary said 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summaryReport } from '../../../src/analytics/reports/summary-report.js';
import { parseReportParams } from '../../../src/analytics/report-params.js';
import { DAY, event, fixture, subscriptionObject } from '../../story/index.js';
import { seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';
import type Stripe from 'stripe';

let h: StoryWorld;
beforeAll(async () => {
  h = await storyWorld({ label: 'same-second-status' });
  await seedFixtureCatalogue(h.deps.db);
  await h.apply(fixture<Stripe.Event>('event.customer.created'));
});
afterAll(() => h.close());

/** 2026-10-01T00:00:00Z */
const T = 1_790_812_800;

describe('summary: a subscription created and activated within one second', () => {
  it('counts it active whichever event id sorts last', async () => {
    const customer = (fixture<Stripe.Customer>('object.customer') as { id: string }).id;
    // The updated(active) event's id sorts BEFORE the created(incomplete) one's.
    await h.apply(
      event(
        'customer.subscription.updated',
        subscriptionObject({
          id: 'sub_same1',
          customer: customer,
          status: 'active',
          periodStart: T,
          periodEnd: T + 30 * DAY,
        }),
        T,
        { id: 'evt_same_a' },
      ),
      event(
        'customer.subscription.created',
        subscriptionObject({
          id: 'sub_same1',
          customer: customer,
          status: 'incomplete',
          periodStart: T,
          periodEnd: T + 30 * DAY,
        }),
        T,
        { id: 'evt_same_z' },
      ),
    );
    expect(await h.q(`SELECT id, status FROM stripe_events WHERE id LIKE 'evt_same_%' ORDER BY id`)).toEqual([
      { id: 'evt_same_a', status: 'processed' },
      { id: 'evt_same_z', status: 'stale' },
    ]);
    const p = parseReportParams({ at: '2026-10-15', currency: 'usd' }, h.clock.now());
    if (!p.ok) throw new Error(JSON.stringify(p.error));
    const answer = await summaryReport.run(h.deps.db, p.value);
    // One active subscription of the fixture's monthly price: 2000 a month.
    expect(answer.body).toMatchObject({
      series: [
        {
          currency: 'usd',
          mrr: 2000,
          payingCustomers: 1,
          subscriptions: { active: 1, trialing: 0, pastDue: 0 },
        },
      ],
    });
  });
});
