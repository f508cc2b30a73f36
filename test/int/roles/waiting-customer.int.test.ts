/**
 * Issue 13: a Stripe customer that no user can take yet (created outside the app: no `metadata.user_id`, an email
 * nobody has verified). It is NOT parked: each of its events applies once — the customer mirrored unlinked, its
 * subscription and invoices mirrored and counted — and nobody's role changes. When its user appears (here: after the
 * process that applied the events stopped and another started on the same database), linkWaitingCustomer links it
 * and the role follows at once, without an operator, the link in the role change's cause chain.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { linkWaitingCustomer } from '../../../src/billing/customers/link-waiting-customer.js';
import { waitingCustomerRoles } from '../../../src/accounts/roles/operation-roles.js';
import { DAY, event, fixture, subscriptionObject } from '../../story/index.js';
import { seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';
import { testDeps, type TestDeps } from '../../helpers/app.js';

let h: StoryWorld;
beforeAll(async () => {
  h = await storyWorld({ label: 'waiting-customer' });
  await seedFixtureCatalogue(h.deps.db);
});
/** The last test stops h's process (its queue and pool) to restart on the same database: then only the database
 *  is left to drop. */
let restarted = false;
afterAll(() => (restarted ? h.t.drop() : h.close()));

/** 2026-11-01T00:00:00Z, the harness clock's start. */
const T = 1_793_491_200;

function outsideCustomer(id: string, email: string, metadata: Record<string, string> = {}) {
  const c = fixture<Stripe.Customer>('object.customer');
  Object.assign(c, { id, email, created: T, metadata });
  c.invoice_settings.default_payment_method = null;
  return c;
}

const roleOf = async (userId: string) =>
  (await h.q<{ role: string }>(`SELECT role FROM users WHERE id = $1`, [userId]))[0]!.role;

describe('a customer whose user does not exist yet', () => {
  it('prefers the customer whose metadata names the user, and never links a second customer to a user', async () => {
    await h.q(
      `INSERT INTO users (id, name, email, email_verified, role) VALUES ('user_pick', 'P', 'pick@example.com', true, 'member')`,
    );
    // Two waiting customers: one by email only, one naming the user (mirrored before the user existed).
    for (const [id, c] of [
      ['evt_pick_1', outsideCustomer('cus_pick_email', 'pick@example.com')],
      ['evt_pick_2', outsideCustomer('cus_pick_meta', 'other@example.com', { user_id: 'user_pick2' })],
    ] as const) {
      await h.deliver(event('customer.created', c, T, { id: id }));
    }
    // Neither links yet: the email one is linked to user_pick by the upsert itself (verified email) — so the
    // metadata one is the waiting one, for a user that does not exist yet.
    await h.drain({ maxAttempts: 100 });
    expect(
      await h.q(
        `SELECT stripe_customer_id, user_id FROM customers WHERE stripe_customer_id LIKE 'cus_pick_%' ORDER BY 1`,
      ),
    ).toEqual([
      { stripe_customer_id: 'cus_pick_email', user_id: 'user_pick' },
      { stripe_customer_id: 'cus_pick_meta', user_id: null },
    ]);
    // user_pick already has a customer: the waiting one is not theirs to take.
    expect(
      await linkWaitingCustomer(
        h.deps,
        { id: 'user_pick', email: 'other@example.com', emailVerified: true },
        'user.email_verified',
        waitingCustomerRoles(h.deps, 'user.email_verified'),
      ),
    ).toBeNull();
    // The user the metadata names appears, with another email: linked by the metadata.
    await h.q(
      `INSERT INTO users (id, name, email, email_verified, role) VALUES ('user_pick2', 'P2', 'p2@example.com', false, 'member')`,
    );
    const link = await linkWaitingCustomer(
      h.deps,
      { id: 'user_pick2', email: 'p2@example.com', emailVerified: false },
      'user.created',
      waitingCustomerRoles(h.deps, 'user.created'),
    );
    expect(link).toMatchObject({ stripeCustomerId: 'cus_pick_meta', toUserId: 'user_pick2' });
  });

  it('applies each event once, unlinked; the user appearing after a restart gets the role with the link as cause', async () => {
    const cus = outsideCustomer('cus_wait1', 'Later@Example.com');
    const events = [
      event(
        'customer.subscription.created',
        subscriptionObject({
          id: 'sub_wait1',
          customer: 'cus_wait1',
          status: 'active',
          periodStart: T + 1,
          periodEnd: T + 1 + 30 * DAY,
        }),
        T + 1,
        { id: 'evt_wait_s' },
      ),
      event('customer.created', cus, T, { id: 'evt_wait_c' }),
    ];
    // Subscription first, then the customer, each twice: the subscription's event parks only until the customer
    // row exists, then applies in the next batch (no backoff waited for: the clock does not move).
    for (const e of [...events, ...events]) {
      await h.deliver(e);
      await h.drain({ maxAttempts: 100 });
    }
    await h.drain({ maxAttempts: 100 });
    expect(await h.q(`SELECT id, status FROM stripe_events WHERE id LIKE 'evt_wait_%' ORDER BY id`)).toEqual([
      { id: 'evt_wait_c', status: 'processed' },
      { id: 'evt_wait_s', status: 'processed' },
    ]);
    expect(await h.q(`SELECT user_id, email FROM customers WHERE stripe_customer_id = 'cus_wait1'`)).toEqual([
      { user_id: null, email: 'Later@Example.com' },
    ]);
    // The fixture's monthly price: 2000 minor units a month.
    expect(
      await h.q(`SELECT status, mrr_minor FROM subscriptions WHERE stripe_subscription_id = 'sub_wait1'`),
    ).toEqual([{ status: 'active', mrr_minor: 2000 }]);
    expect(await h.q(`SELECT kind FROM billing_errors`)).toEqual([]);

    // The process stops; another starts on the same database; a user signs up with an unverified email first.
    await h.deps.queue.stop();
    await h.deps.database.close();
    restarted = true;
    const next: TestDeps<FakeClock> = await testDeps({
      database: h.t,
      clock: new FakeClock('2026-11-03T00:00:00Z'),
      label: 'waiting-customer-2',
    });
    try {
      await h.q(
        `INSERT INTO users (id, name, email, email_verified, role) VALUES ('user_later', 'L', 'later@example.com', false, 'member')`,
      );
      const unverified = { id: 'user_later', email: 'later@example.com', emailVerified: false };
      expect(
        await linkWaitingCustomer(
          next.deps,
          unverified,
          'user.created',
          waitingCustomerRoles(next.deps, 'user.created'),
        ),
      ).toBeNull();
      expect(await roleOf('user_later')).toBe('member');

      // The email verified: the customer is linked, the role follows in the same transaction.
      const verified = { ...unverified, emailVerified: true };
      const link = await linkWaitingCustomer(
        next.deps,
        verified,
        'user.email_verified',
        waitingCustomerRoles(next.deps, 'user.email_verified'),
      );
      expect(link).toMatchObject({ stripeCustomerId: 'cus_wait1', fromUserId: null, toUserId: 'user_later' });
      expect(await roleOf('user_later')).toBe('professional');
      const [change] = await h.q<{ before: unknown; after: unknown; cause: Array<Record<string, unknown>> }>(
        `SELECT before, after, cause FROM audit_log WHERE action = 'user.role_changed' AND subject_id = 'user_later'`,
      );
      expect(change).toMatchObject({ before: { role: 'member' }, after: { role: 'professional' } });
      expect(JSON.stringify(change!.cause)).toContain('customer_link');
      expect(JSON.stringify(change!.cause)).toContain('cus_wait1');
      expect(
        await h.q(
          `SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.linked' AND after->>'userId' = 'user_later'`,
        ),
      ).toEqual([{ n: 1 }]);

      // Idempotent: a second appearance links nothing and changes nothing.
      expect(
        await linkWaitingCustomer(
          next.deps,
          verified,
          'user.email_verified',
          waitingCustomerRoles(next.deps, 'user.email_verified'),
        ),
      ).toBeNull();
      expect(
        await h.q(
          `SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.role_changed' AND subject_id = 'user_later'`,
        ),
      ).toEqual([{ n: 1 }]);
    } finally {
      await next.deps.queue.stop();
      await next.deps.database.close();
    }
  });
});
