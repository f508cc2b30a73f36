/**
 * The report tests' app: the analytics story's world (test/fixtures/analytics/story.ts) seeded, `events` delivered
 * as signed webhooks — each two or three times, shuffled by `seed` — to /webhooks/stripe, drained, and every one
 * checked applied. Admin requests carry `adminKey`. The clock stands at 2026-07-01, after the story.
 */
import { expect } from 'vitest';
import type Stripe from 'stripe';
import { FakeClock } from '../../src/clock.js';
import { drainEvents } from '../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../src/inbox/webhooks/handlers/index.js';
import { testApp, type TestApp } from './app.js';
import { postWebhook, WEBHOOK_SECRET } from '../story/index.js';
import { seedStoryWorld, withDuplicates } from '../fixtures/analytics/story.js';

/** The app with its clock as the FakeClock it is (tests move it). */
export type AnalyticsApp = TestApp & { clock: FakeClock };

export async function analyticsApp(opts: {
  label: string;
  adminKey: string;
  events: Stripe.Event[];
  seed: number;
}): Promise<AnalyticsApp> {
  const clock = new FakeClock('2026-07-01T00:00:00Z');
  const h = {
    ...(await testApp({
      env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ADMIN_API_KEYS: opts.adminKey },
      clock,
      label: opts.label,
    })),
    clock,
  };
  await seedStoryWorld(h.deps.db);
  for (const e of withDuplicates(opts.events, opts.seed)) {
    const res = await postWebhook(h.app, e, { at: h.clock.now() });
    expect(res.statusCode).toBe(200);
  }
  await drainEvents(h.deps, { handlers, maxAttempts: 3 });
  const { rows } = await h.t.pool.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM stripe_events GROUP BY status ORDER BY status`,
  );
  expect(rows).toEqual([{ status: 'processed', n: opts.events.length }]);
  return h;
}
