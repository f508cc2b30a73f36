import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { customers, mrrMovements, subscriptions } from './billing.tables.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.drop());

describe('billing tables', () => {
  it('enforces unique Stripe ids, the status list and one movement per (subscription, event)', async () => {
    const at = new Date('2026-08-03T09:00:00Z');
    const [c] = await t.db
      .insert(customers)
      .values({ stripeCustomerId: 'cus_1', createdAt: at, stripeVersionAt: at })
      .returning();
    await expect(
      t.db.insert(customers).values({ stripeCustomerId: 'cus_1', createdAt: at, stripeVersionAt: at }),
    ).rejects.toMatchObject({ cause: { constraint: 'customers_stripe_customer_id_unique' } });
    await expect(
      t.db.insert(subscriptions).values({
        stripeSubscriptionId: 'sub_x',
        customerId: c!.id,
        status: 'weird' as never,
        currency: 'usd',
        createdAt: at,
        stripeVersionAt: at,
      }),
    ).rejects.toMatchObject({ cause: { constraint: 'subscriptions_status_check' } });
    const [s] = await t.db
      .insert(subscriptions)
      .values({
        stripeSubscriptionId: 'sub_1',
        customerId: c!.id,
        status: 'active',
        currency: 'usd',
        createdAt: at,
        stripeVersionAt: at,
      })
      .returning();
    const mv = {
      customerId: c!.id,
      subscriptionId: s!.id,
      at,
      currency: 'usd',
      mrrBeforeMinor: 0,
      mrrAfterMinor: 2900,
      deltaMinor: 2900,
      kind: 'new' as const,
      causeEventId: 'evt_1',
    };
    await t.db.insert(mrrMovements).values(mv);
    await expect(t.db.insert(mrrMovements).values(mv)).rejects.toMatchObject({
      cause: { constraint: 'mrr_movements_subscription_event_uq' },
    });
    await expect(
      t.db.insert(mrrMovements).values({ ...mv, causeEventId: 'evt_2', deltaMinor: 1 }),
    ).rejects.toMatchObject({ cause: { constraint: 'mrr_movements_delta_check' } });
    const r = await t.db.execute<{ n: string }>(sql`select count(*)::text as n from mrr_movements`);
    expect(r.rows[0]!.n).toBe('1');
  });
});
