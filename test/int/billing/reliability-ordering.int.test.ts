/**
 * docs/RELIABILITY.md 10-17 for the billing handlers: unknown prices, duplicates (sequential and concurrent), disorder,
 * same-second ties, stale failures after payment, events before their customer, and the app's own write racing
 * its webhook. Real ingest, dispatcher and handlers on a real PostgreSQL.
 * With roles (issue 5): after each, the user's final role and the number of role-change audit rows — one per real
 * transition, none for a duplicate, a replay or a stale event. The harness clock (2026-11-01) is past these
 * events (2026-09), so a past_due judged "now" is already out of its grace.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { applyEvent } from '../../../src/inbox/webhooks/dispatch-event.js';
import { handlers } from '../../../src/inbox/webhooks/handlers/index.js';
import { upsertSubscription } from '../../../src/billing/subscriptions/subscriptions.repo.js';
import { subscriptionContext } from '../../../src/dunning/dunning.repo.js';
import { createSubscription } from '../../../src/billing/subscriptions/create-subscription.js';
import { fromUnix } from '../../../src/clock.js';
import { event, eventId, fixture, IDS } from '../../story/index.js';
import { count, seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';
import { createSubscriptionRoles } from '../../../src/accounts/roles/operation-roles.js';

let h: StoryWorld;
beforeEach(async () => {
  h = await storyWorld({ label: 'reliability-ordering' });
  await seedFixtureCatalogue(h.deps.db);
  await h.apply(fixture<Stripe.Event>('event.customer.created'));
});
afterEach(() => h.close());

const T = 1_790_000_000;

/** The fixture subscription with overrides (status, id, quantity, price). */
function subscription(
  o: { id?: string; status?: string; quantity?: number; price?: string } = {},
): Stripe.Subscription {
  const s = fixture<Stripe.Subscription>('object.subscription.active');
  if (o.id) s.id = o.id;
  if (o.status) s.status = o.status as Stripe.Subscription.Status;
  const item = s.items.data[0]!;
  if (o.quantity !== undefined) item.quantity = o.quantity;
  if (o.price) item.price = { ...item.price, id: o.price };
  if (o.id) item.id = `si_${o.id.slice(4)}`;
  return s;
}

const subRow = async (id = IDS.subscription) =>
  (
    await h.q<{ status: string; mrr_minor: number; quantity: number; plan_id: string | null }>(
      `SELECT status, mrr_minor, quantity, plan_id FROM subscriptions WHERE stripe_subscription_id = $1`,
      [id],
    )
  )[0];
/** Issue 5: the user's role and how many role-change audit rows it has. */
const roleOf = async (userId = 'user_42') => ({
  role: (await h.q<{ role: string }>(`SELECT role FROM users WHERE id = $1`, [userId]))[0]?.role,
  changes: await count(h, 'audit_log', `action = 'user.role_changed' AND subject_id = $1`, [userId]),
});
const eventStatus = async (id: string) =>
  (await h.q<{ status: string }>(`SELECT status FROM stripe_events WHERE id = $1`, [id]))[0]?.status;

describe('R10 event for a price not in our catalogue', () => {
  it('R10 mirrors the subscription without a plan (no role can come from it) and raises one open billing error', async () => {
    const e = event('customer.subscription.created', subscription({ price: 'price_not_ours' }), T, {
      id: eventId('customer.subscription.created'),
    });
    await h.apply(e);
    expect(await subRow()).toEqual({ status: 'active', mrr_minor: 2000, quantity: 1, plan_id: null });
    expect(await eventStatus(e.id)).toBe('processed');
    const errors = await h.q(`SELECT kind, subject, status, occurrences, event_id FROM billing_errors`);
    expect(errors).toEqual([
      { kind: 'unknown_price', subject: 'price_not_ours', status: 'open', occurrences: 1, event_id: e.id },
    ]);

    // The price enters the catalogue later (a dashboard edit): the subscription gets its plan.
    const price = { ...fixture<Stripe.Price>('object.price.recurring_monthly'), id: 'price_not_ours' };
    await h.apply(event('price.created', price, T + 10, { id: eventId('price.created') }));
    const [linked] = await h.q<{ key: string }>(
      `SELECT p.key FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.stripe_subscription_id = $1`,
      [IDS.subscription],
    );
    expect(linked).toEqual({ key: 'pro' });
  });
});

describe('R11 the same event twice', () => {
  it('R11 sequentially: one effect, one audit row, the second delivery is a duplicate', async () => {
    const e = event('customer.subscription.created', subscription(), T, {
      id: eventId('customer.subscription.created'),
    });
    const first = await h.deliver(e);
    const second = await h.deliver(e);
    expect([first.duplicate, second.duplicate]).toEqual([false, true]);
    await h.drain();
    // And the handler itself applied twice (a replay): stale, nothing written.
    const replay = await h.deps.db.transaction((tx) => applyEvent(h.deps, handlers, tx, e));
    expect(replay.status).toBe('stale');
    expect(await count(h, 'subscriptions')).toBe(1);
    expect(await count(h, 'mrr_movements')).toBe(1);
    expect(await count(h, 'audit_log', `actor_id = $1`, [e.id])).toBe(1);
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });

  it('R11 concurrently (two workers applying it at once): one effect, one audit row, no error', async () => {
    const e = event('customer.subscription.created', subscription(), T, {
      id: eventId('customer.subscription.created'),
    });
    const results = await Promise.all(
      [1, 2, 3].map(() => h.deps.db.transaction((tx) => applyEvent(h.deps, handlers, tx, e))),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['processed', 'stale', 'stale']);
    expect(await count(h, 'subscriptions')).toBe(1);
    expect(await count(h, 'subscription_items')).toBe(1);
    expect(await count(h, 'mrr_movements')).toBe(1);
    expect(await count(h, 'audit_log', `actor_id = $1`, [e.id])).toBe(1);
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });

  it('R11 concurrently through two ingests and two dispatchers: one effect', async () => {
    const e = event('customer.subscription.created', subscription(), T, {
      id: eventId('customer.subscription.created'),
    });
    await Promise.all([h.deliver(e), h.deliver(e)]);
    await Promise.all([h.drain(), h.drain()]);
    expect(await count(h, 'stripe_events')).toBe(2); // customer.created + this one
    expect(await count(h, 'mrr_movements')).toBe(1);
    expect(await count(h, 'audit_log', `actor_id = $1`, [e.id])).toBe(1);
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });
});

describe('R12 updated(active) before created(incomplete)', () => {
  it('R12 ends active with MRR 2000 and one movement', async () => {
    const updated = event('customer.subscription.updated', subscription({ status: 'active' }), T + 60, {
      id: eventId('customer.subscription.updated'),
    });
    const created = event('customer.subscription.created', subscription({ status: 'incomplete' }), T, {
      id: eventId('customer.subscription.created'),
    });
    await h.apply(updated);
    await h.apply(created);
    expect(await subRow()).toMatchObject({ status: 'active', mrr_minor: 2000 });
    expect(await eventStatus(created.id)).toBe('stale');
    expect(await h.q(`SELECT kind, delta_minor FROM mrr_movements`)).toEqual([
      { kind: 'new', delta_minor: 2000 },
    ]);
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });

  it('R12 in the same second too (status rank: active beats incomplete)', async () => {
    const updated = event('customer.subscription.updated', subscription({ status: 'active' }), T, {
      id: 'evt_a_updated',
    });
    const created = event('customer.subscription.created', subscription({ status: 'incomplete' }), T, {
      id: 'evt_z_created',
    });
    await h.apply(updated);
    await h.apply(created);
    expect(await subRow()).toMatchObject({ status: 'active', mrr_minor: 2000 });
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });
});

describe('R13 a stale updated after deleted', () => {
  it('R13 stays canceled; MRR 0; the old event never resurrects it', async () => {
    const created = event('customer.subscription.created', subscription(), T, {
      id: eventId('customer.subscription.created'),
    });
    const deleted = event('customer.subscription.deleted', fixture('object.subscription.canceled'), T + 200, {
      id: eventId('customer.subscription.deleted'),
    });
    const stale = event('customer.subscription.updated', subscription({ quantity: 3 }), T + 100, {
      id: eventId('customer.subscription.updated'),
    });
    await h.apply(created, deleted);
    await h.apply(stale);
    expect(await subRow()).toMatchObject({ status: 'canceled', mrr_minor: 0, quantity: 1 });
    expect(await eventStatus(stale.id)).toBe('stale');
    expect(await h.q(`SELECT kind, delta_minor FROM mrr_movements ORDER BY id`)).toEqual([
      { kind: 'new', delta_minor: 2000 },
      { kind: 'churn', delta_minor: -2000 },
    ]);
    // member → professional (created) → member (deleted); the stale update adds nothing.
    expect(await roleOf()).toEqual({ role: 'member', changes: 2 });
  });

  it('R13 an updated(active) in the same second as deleted loses to it', async () => {
    const deleted = event('customer.subscription.deleted', fixture('object.subscription.canceled'), T, {
      id: 'evt_a_deleted',
    });
    const updated = event('customer.subscription.updated', subscription(), T, { id: 'evt_z_updated' });
    await h.apply(deleted);
    await h.apply(updated);
    expect(await subRow()).toMatchObject({ status: 'canceled', mrr_minor: 0 });
    // Canceled from its first row: the user was never professional.
    expect(await roleOf()).toEqual({ role: 'member', changes: 0 });
  });
});

describe('R14 two events with the same whole-second created', () => {
  it('R14 different statuses: the later lifecycle state wins in both arrival orders', async () => {
    await h.apply(
      event(
        'customer.subscription.created',
        subscription({ id: 'sub_order1', status: 'trialing' }),
        T - 100,
        { id: eventId('customer.subscription.created') },
      ),
    );
    await h.apply(
      event(
        'customer.subscription.created',
        subscription({ id: 'sub_order2', status: 'trialing' }),
        T - 100,
        { id: eventId('customer.subscription.created') },
      ),
    );
    const pastDue = (id: string) =>
      event('customer.subscription.updated', subscription({ id, status: 'past_due' }), T, {
        id: `evt_a_${id}`,
      });
    const active = (id: string) =>
      event('customer.subscription.updated', subscription({ id, status: 'active' }), T, {
        id: `evt_b_${id}`,
      });
    await h.apply(pastDue('sub_order1'));
    await h.apply(active('sub_order1'));
    await h.apply(active('sub_order2'));
    await h.apply(pastDue('sub_order2'));
    expect(await subRow('sub_order1')).toMatchObject({ status: 'past_due' });
    expect(await subRow('sub_order2')).toMatchObject({ status: 'past_due' });
    // Trialing → professional; both past_due since T, whose grace ended before the clock's now → member.
    expect(await roleOf()).toEqual({ role: 'member', changes: 2 });
  });

  it('R14 same status: the greater event id wins in both arrival orders', async () => {
    const q2 = (id: string) =>
      event('customer.subscription.updated', subscription({ id, quantity: 2 }), T, { id: `evt_2_${id}` });
    const q5 = (id: string) =>
      event('customer.subscription.updated', subscription({ id, quantity: 5 }), T, { id: `evt_5_${id}` });
    await h.apply(q2('sub_tie1'));
    await h.apply(q5('sub_tie1'));
    await h.apply(q5('sub_tie2'));
    await h.apply(q2('sub_tie2'));
    expect(await subRow('sub_tie1')).toMatchObject({ quantity: 5, mrr_minor: 10000 });
    expect(await subRow('sub_tie2')).toMatchObject({ quantity: 5, mrr_minor: 10000 });
    // Both orders leave the same movements total: the final MRR.
    const sums = await h.q(
      `SELECT s.stripe_subscription_id AS id, sum(m.delta_minor)::int AS total FROM mrr_movements m JOIN subscriptions s ON s.id = m.subscription_id
       WHERE s.stripe_subscription_id LIKE 'sub_tie%' GROUP BY 1 ORDER BY 1`,
    );
    expect(sums).toEqual([
      { id: 'sub_tie1', total: 10000 },
      { id: 'sub_tie2', total: 10000 },
    ]);
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });
});

describe('R14 same-second succession from previous_attributes (a card update in the portal)', () => {
  /** past_due → (default payment method changed) → active, both at T; event ids chosen so the id rule alone
   *  would keep past_due. */
  async function portalCardUpdate(id: string) {
    await h.apply(
      event('customer.subscription.created', subscription({ id, status: 'past_due' }), T - 100, {
        id: eventId('customer.subscription.created'),
      }),
    );
    const cardChanged = subscription({ id, status: 'past_due' });
    (cardChanged as { default_payment_method: string | null }).default_payment_method = 'pm_new';
    const recovered = subscription({ id, status: 'active' });
    (recovered as { default_payment_method: string | null }).default_payment_method = 'pm_new';
    return {
      cardChanged: event('customer.subscription.updated', cardChanged, T, {
        id: `evt_z_card_${id}`,
        previous_attributes: { default_payment_method: 'pm_old' },
      }),
      recovered: event('customer.subscription.updated', recovered, T, {
        id: `evt_a_recovered_${id}`,
        previous_attributes: { status: 'past_due' },
      }),
    };
  }

  it('R14 past_due → active in the same second ends active in both delivery orders', async () => {
    const one = await portalCardUpdate('sub_card1');
    await h.apply(one.cardChanged);
    await h.apply(one.recovered);
    const two = await portalCardUpdate('sub_card2');
    await h.apply(two.recovered);
    await h.apply(two.cardChanged);
    expect(await subRow('sub_card1')).toMatchObject({ status: 'active', mrr_minor: 2000 });
    expect(await subRow('sub_card2')).toMatchObject({ status: 'active', mrr_minor: 2000 });
    expect(await eventStatus(one.recovered.id)).toBe('processed');
    expect(await eventStatus(two.cardChanged.id)).toBe('stale');
    // Created past_due (grace long over by the clock's now): member; the first recovery → professional, once.
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });

  it('R14 customer.created and customer.updated (default card set) in the same second: both orders keep the card', async () => {
    const ids = ['cus_tie1', 'cus_tie2'];
    for (const id of ids) {
      await h.q(`INSERT INTO users (id, name, email, email_verified) VALUES ($1, 'Tie', $2, true)`, [
        `user_${id}`,
        `${id}@example.com`,
      ]);
      const pm = fixture<Stripe.PaymentMethod>('object.payment_method');
      pm.id = `pm_${id}`;
      pm.customer = id;
      await h.apply(
        event('payment_method.attached', pm, T - 100, { id: eventId('payment_method.attached') }),
      );
    }
    const events = (id: string) => {
      const c = fixture<Stripe.Customer>('object.customer');
      c.id = id;
      c.email = `${id}@example.com`;
      c.metadata = { user_id: `user_${id}` };
      c.invoice_settings.default_payment_method = null;
      const withCard = structuredClone(c);
      withCard.invoice_settings.default_payment_method = `pm_${id}`;
      return {
        created: event('customer.created', c, T, { id: `evt_z_created_${id}` }),
        updated: event('customer.updated', withCard, T, {
          id: `evt_a_updated_${id}`,
          previous_attributes: { invoice_settings: { default_payment_method: null } },
        }),
      };
    };
    const one = events('cus_tie1');
    await h.apply(one.created);
    await h.apply(one.updated);
    const two = events('cus_tie2');
    await h.apply(two.updated);
    await h.apply(two.created);
    const rows = await h.q(
      `SELECT stripe_customer_id, default_payment_method_id, default_pm_brand, default_pm_last4 FROM customers
       WHERE stripe_customer_id LIKE 'cus_tie%' ORDER BY 1`,
    );
    expect(rows).toEqual([
      {
        stripe_customer_id: 'cus_tie1',
        default_payment_method_id: 'pm_cus_tie1',
        default_pm_brand: 'visa',
        default_pm_last4: '4242',
      },
      {
        stripe_customer_id: 'cus_tie2',
        default_payment_method_id: 'pm_cus_tie2',
        default_pm_brand: 'visa',
        default_pm_last4: '4242',
      },
    ]);
    expect(await eventStatus(two.created.id)).toBe('stale');
    // A duplicate of the update is never its own successor.
    const replay = await h.deps.db.transaction((tx) => applyEvent(h.deps, handlers, tx, one.updated));
    expect(replay.status).toBe('stale');
    expect(await count(h, 'audit_log', `actor_id = $1`, [one.updated.id])).toBe(1);
    for (const id of ids) expect(await roleOf(`user_${id}`)).toEqual({ role: 'member', changes: 0 });
  });

  it('R14 a duplicate never counts as a successor: no second MRR movement or audit row', async () => {
    const { cardChanged, recovered } = await portalCardUpdate('sub_card3');
    await h.apply(cardChanged);
    await h.apply(recovered);
    const movements = () =>
      h.q(
        `SELECT m.kind, m.delta_minor FROM mrr_movements m JOIN subscriptions s ON s.id = m.subscription_id
         WHERE s.stripe_subscription_id = 'sub_card3' ORDER BY m.id`,
      );
    const before = await movements();
    for (const e of [recovered, cardChanged, recovered]) {
      const r = await h.deps.db.transaction((tx) => applyEvent(h.deps, handlers, tx, e));
      expect(r.status).toBe('stale');
    }
    expect(await movements()).toEqual(before);
    expect(await subRow('sub_card3')).toMatchObject({ status: 'active', mrr_minor: 2000 });
    expect(await count(h, 'audit_log', `actor_id = $1`, [recovered.id])).toBe(1);
    expect(await count(h, 'audit_log', `actor_id = $1`, [cardChanged.id])).toBe(0);
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });
});

describe('R15 payment_failed of an older attempt after invoice.paid', () => {
  function invoice2(status: 'open' | 'paid') {
    const inv = fixture<Stripe.Invoice>('object.invoice.open_payment_failed');
    if (status === 'paid') {
      inv.status = 'paid';
      inv.amount_paid = inv.amount_due;
      inv.amount_remaining = 0;
      inv.attempt_count = 2;
      inv.status_transitions.paid_at = 1789664824;
    }
    return inv;
  }

  it('R15 the invoice stays paid and the subscription is not touched', async () => {
    await h.apply(
      event('customer.subscription.created', subscription(), T, {
        id: eventId('customer.subscription.created'),
      }),
    );
    const paid = event('invoice.paid', invoice2('paid'), 1789664824, { id: eventId('invoice.paid') });
    const failed = event('invoice.payment_failed', invoice2('open'), 1789639444, {
      id: eventId('invoice.payment_failed'),
    });
    await h.apply(paid);
    await h.apply(failed);
    const [inv] = await h.q(
      `SELECT status, amount_paid_minor, attempt_count FROM invoices WHERE stripe_invoice_id = $1`,
      [IDS.invoice_2_failed],
    );
    expect(inv).toEqual({ status: 'paid', amount_paid_minor: 2000, attempt_count: 2 });
    expect(await eventStatus(failed.id)).toBe('stale');
    expect(await subRow()).toMatchObject({ status: 'active', mrr_minor: 2000 });
    expect(await count(h, 'audit_log', `actor_id = $1`, [failed.id])).toBe(0);
    expect(await count(h, 'billing_errors')).toBe(0);
    // The old failure opens no dunning case and revokes nothing.
    expect(await count(h, 'dunning_cases')).toBe(0);
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });

  it('R15 in the same second: paid wins over open', async () => {
    const paid = event('invoice.paid', invoice2('paid'), T, { id: 'evt_a_paid' });
    const failed = event('invoice.payment_failed', invoice2('open'), T, { id: 'evt_z_failed' });
    await h.apply(paid);
    await h.apply(failed);
    const [inv] = await h.q(`SELECT status FROM invoices`);
    expect(inv).toEqual({ status: 'paid' });
    // No subscription is mirrored: invoices alone grant nothing.
    expect(await roleOf()).toEqual({ role: 'member', changes: 0 });
  });
});

describe('R16 subscription and invoice events before the customer is known', () => {
  it('R16 are parked, retried, and converge once the customer arrives', async () => {
    const other = fixture<Stripe.Customer>('object.customer');
    other.id = 'cus_later';
    other.email = 'later@example.com';
    other.metadata = { user_id: 'user_later' };
    await h.q(
      `INSERT INTO users (id, name, email, email_verified) VALUES ('user_later', 'Later', 'later@example.com', true)`,
    );
    const sub = subscription({ id: 'sub_later' });
    sub.customer = 'cus_later';
    const inv = fixture<Stripe.Invoice>('object.invoice.paid');
    inv.id = 'in_later';
    inv.customer = 'cus_later';
    inv.parent!.subscription_details!.subscription = 'sub_later';
    const subEvent = event('customer.subscription.created', sub, T + 10, {
      id: eventId('customer.subscription.created'),
    });
    const invEvent = event('invoice.paid', inv, T + 20, { id: eventId('invoice.paid') });
    await h.apply(subEvent, invEvent);
    expect(await eventStatus(subEvent.id)).toBe('parked');
    expect(await eventStatus(invEvent.id)).toBe('parked');
    expect(await count(h, 'subscriptions', `stripe_subscription_id = 'sub_later'`)).toBe(0);
    expect(await roleOf('user_later')).toEqual({ role: 'member', changes: 0 });

    await h.apply(event('customer.created', other, T, { id: eventId('customer.created') }));
    h.clock.advance(3600_000);
    await h.drain();
    expect(await eventStatus(subEvent.id)).toBe('processed');
    expect(await eventStatus(invEvent.id)).toBe('processed');
    expect(await subRow('sub_later')).toMatchObject({ status: 'active', mrr_minor: 2000 });
    const [i] = await h.q(
      `SELECT i.status, s.stripe_subscription_id FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id WHERE i.stripe_invoice_id = 'in_later'`,
    );
    expect(i).toEqual({ status: 'paid', stripe_subscription_id: 'sub_later' });
    expect(await roleOf('user_later')).toEqual({ role: 'professional', changes: 1 });
  });

  it('R16 an invoice before its subscription is mirrored with the link made when the subscription arrives', async () => {
    const inv = fixture<Stripe.Invoice>('object.invoice.paid');
    const invEvent = event('invoice.paid', inv, T + 20, { id: eventId('invoice.paid') });
    await h.apply(invEvent);
    expect((await h.q(`SELECT subscription_id FROM invoices`))[0]).toEqual({ subscription_id: null });
    await h.apply(
      event('customer.subscription.created', subscription(), T, {
        id: eventId('customer.subscription.created'),
      }),
    );
    const [i] = await h.q(
      `SELECT s.stripe_subscription_id FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id`,
    );
    expect(i).toEqual({ stripe_subscription_id: IDS.subscription });
    expect(await roleOf()).toEqual({ role: 'professional', changes: 1 });
  });
});

describe('the context a subscription write carries', () => {
  it('equals what subscriptionContext reads back, on the first write and on an update', async () => {
    const id = 'sub_ctx1';
    const s = subscription({ id });
    for (const [n, version] of [s.created, s.created + 10].entries()) {
      const { write, read } = await h.deps.db.transaction(async (tx) => {
        const write = await upsertSubscription(
          tx,
          { ...s, status: n ? 'past_due' : 'active' },
          fromUnix(version),
          null,
        );
        return { write, read: await subscriptionContext(tx, { subscriptionId: write.row!.id }) };
      });
      expect(read).not.toBeNull();
      expect(write.context).toEqual(read);
    }
    // Stale: no context (nothing reacts to a stale write).
    const stale = await h.deps.db.transaction((tx) =>
      upsertSubscription(tx, s, fromUnix(s.created - 10), null),
    );
    expect(stale).toMatchObject({ outcome: 'stale', context: null });
  });
});

describe('R17 the app creates a subscription while its webhook races in', () => {
  it('R17 exactly one row and one movement, whichever commits first', async () => {
    for (let i = 0; i < 6; i++) {
      const id = `sub_race${i}`;
      const s = subscription({ id });
      const e = event('customer.subscription.created', s, s.created, {
        id: eventId('customer.subscription.created'),
      });
      const appWrite = h.deps.db.transaction((tx) => upsertSubscription(tx, s, fromUnix(s.created), null));
      const webhook = h.deps.db.transaction((tx) => applyEvent(h.deps, handlers, tx, e));
      await Promise.all(i % 2 ? [appWrite, webhook] : [webhook, appWrite]);
      expect(await count(h, 'subscriptions', `stripe_subscription_id = $1`, [id])).toBe(1);
      expect(
        await count(h, 'subscription_items', `stripe_subscription_item_id = $1`, [`si_${id.slice(4)}`]),
      ).toBe(1);
      expect(
        await count(
          h,
          'mrr_movements m JOIN subscriptions s ON s.id = m.subscription_id',
          `s.stripe_subscription_id = $1`,
          [id],
        ),
      ).toBe(1);
      expect(await subRow(id)).toMatchObject({ status: 'active', mrr_minor: 2000 });
    }
  });

  it("R17 with roles: the app's createSubscription racing its webhook → professional once, whichever commits first", async () => {
    for (let i = 0; i < 6; i++) {
      const user = `user_rrace${i}`;
      const customer = fixture<Stripe.Customer>('object.customer');
      customer.id = `cus_rrace${i}`;
      customer.email = `rrace${i}@example.com`;
      customer.metadata = { user_id: user };
      await h.q(`INSERT INTO users (id, name, email, email_verified) VALUES ($1, 'Race', $2, true)`, [
        user,
        customer.email,
      ]);
      await h.apply(event('customer.created', customer, T, { id: eventId('customer.created') }));
      const s = subscription({ id: `sub_rrace${i}` });
      s.customer = customer.id;
      // Only Stripe is substituted: it answers the create with the object its webhook also carries.
      const stripe = { subscriptions: { create: () => Promise.resolve(s) } } as unknown as Stripe;
      const actor = { type: 'user' as const, id: 'user_42', requestId: `req_${i}`, operationId: `op_${i}` };
      const appWrite = createSubscription(
        { ...h.deps, stripe },
        actor,
        {
          customerId: customer.id,
          priceId: IDS.price_monthly,
          quantity: 1,
        },
        createSubscriptionRoles(h.deps),
      );
      const e = event('customer.subscription.created', s, s.created, {
        id: eventId('customer.subscription.created'),
      });
      const webhook = h.deps.db.transaction((tx) => applyEvent(h.deps, handlers, tx, e));
      await Promise.all(i % 2 ? [appWrite, webhook] : [webhook, appWrite]);
      expect(await count(h, 'subscriptions', `stripe_subscription_id = $1`, [s.id])).toBe(1);
      expect(await roleOf(user)).toEqual({ role: 'professional', changes: 1 });
    }
  });
});
