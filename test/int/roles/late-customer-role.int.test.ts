/**
 * Issue 13: a customer whose `customer.created` arrives AFTER its subscription's events must still end with the role
 * the final Stripe objects give it. The subscription events park (`unknown_customer`) until the customer is linked;
 * the link itself recomputes the user's role in the same transaction, with the customer event as cause, and the
 * parked events, retried, converge to the same role whatever order they come back in.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerObject, DAY, event as storyEvent, subscriptionObject } from '../../story/index.js';
import { seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';

let h: StoryWorld;
beforeAll(async () => {
  h = await storyWorld({ label: 'late-customer-role' });
  await seedFixtureCatalogue(h.deps.db);
});
afterAll(() => h.close());

/** 2026-11-01T00:00:00Z, the harness clock's start. */
const T = 1_793_491_200;
let n = 0;

async function addUser(id: string) {
  await h.q(`INSERT INTO users (id, name, email, email_verified, role) VALUES ($1, $1, $2, true, 'member')`, [
    id,
    `${id}@example.com`,
  ]);
}

const customerOf = (id: string, userId: string) => customerObject(id, userId, { created: T });

const event = <K extends Stripe.Event.Type>(type: K, object: object, offset: number) =>
  storyEvent(type, structuredClone(object), T + offset, { id: `evt_late${String(++n).padStart(4, '0')}` });

/** Each delivery is stored and drained before the next arrives, as a webhook stream is, on a clock that does not
 *  move: nothing may wait for a parked event's backoff (30 s and more) once its customer is known. */
async function deliverOneByOne(events: Stripe.Event[]) {
  for (const e of events) {
    await h.deliver(e);
    await h.drain({ maxAttempts: 100 });
  }
  const left = await h.q<{ id: string; status: string }>(
    `SELECT id, status FROM stripe_events WHERE status IN ('pending', 'parked') AND id LIKE 'evt_late%'`,
  );
  expect(left).toEqual([]);
}

const roleOf = async (userId: string) =>
  (await h.q<{ role: string }>(`SELECT role FROM users WHERE id = $1`, [userId]))[0]!.role;

describe('issue 13: the customer event arriving after its subscription events', () => {
  it('updated(trialing +2), created(incomplete +1), customer.created(+0) → professional', async () => {
    await addUser('user_late1');
    const cus = customerOf('cus_late1', 'user_late1');
    await deliverOneByOne([
      event(
        'customer.subscription.updated',
        subscriptionObject({
          id: 'sub_late1',
          customer: 'cus_late1',
          status: 'trialing',
          periodStart: T + 1,
          periodEnd: T + 1 + 30 * DAY,
          trial: { start: T + 1, end: T + 1 + 14 * DAY },
        }),
        2,
      ),
      event(
        'customer.subscription.created',
        subscriptionObject({
          id: 'sub_late1',
          customer: 'cus_late1',
          status: 'incomplete',
          periodStart: T + 1,
          periodEnd: T + 1 + 30 * DAY,
        }),
        1,
      ),
      event('customer.created', cus, 0),
    ]);
    expect(await roleOf('user_late1')).toBe('professional');
  });

  it('trialing +2, active +3, past_due +4, customer.created +0, created(incomplete) +1, past_due +4 again → professional', async () => {
    await addUser('user_late2');
    const sub = (s: Stripe.Subscription.Status) =>
      subscriptionObject({
        id: 'sub_late2',
        customer: 'cus_late2',
        status: s,
        periodStart: T + 1,
        periodEnd: T + 1 + 30 * DAY,
        trial: s === 'trialing' ? { start: T + 1, end: T + 1 + 14 * DAY } : null,
      });
    const pastDue = event('customer.subscription.updated', sub('past_due'), 4);
    await deliverOneByOne([
      event('customer.subscription.updated', sub('trialing'), 2),
      event('customer.subscription.updated', sub('active'), 3),
      pastDue,
      event('customer.created', customerOf('cus_late2', 'user_late2'), 0),
      event('customer.subscription.created', sub('incomplete'), 1),
      pastDue,
    ]);
    expect(await roleOf('user_late2')).toBe('professional');
  });
});
