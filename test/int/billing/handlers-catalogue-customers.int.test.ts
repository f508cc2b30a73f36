/**
 * Customer linking (metadata, verified email only), deletion, cards, catalogue edits from Stripe's dashboard and
 * checkout completion, through the real dispatcher and handlers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { event, eventId, fixture, IDS } from '../../story/index.js';
import { count, seedFixtureCatalogue, storyWorld, type StoryWorld } from '../../story/world.js';

let h: StoryWorld;
beforeEach(async () => {
  h = await storyWorld({ label: 'handlers-catalogue-customers' });
});
afterEach(() => h.close());

const T = 1_790_000_000;
const status = async (id: string) =>
  (await h.q<{ status: string }>(`SELECT status FROM stripe_events WHERE id = $1`, [id]))[0]?.status;

function outsideCustomer(email: string): Stripe.Customer {
  const c = fixture<Stripe.Customer>('object.customer');
  c.id = 'cus_outside';
  c.email = email;
  c.metadata = {};
  return c;
}

describe('linking a customer created outside the app', () => {
  it('links by a verified email (case-insensitive)', async () => {
    await h.q(
      `INSERT INTO users (id, name, email, email_verified) VALUES ('user_v', 'V', 'verified@example.com', true)`,
    );
    await h.apply(
      event('customer.created', outsideCustomer('Verified@Example.com'), T, {
        id: eventId('customer.created'),
      }),
    );
    expect(await h.q(`SELECT user_id FROM customers WHERE stripe_customer_id = 'cus_outside'`)).toEqual([
      { user_id: 'user_v' },
    ]);
  });

  it('never by an unverified email: mirrored unlinked, applied once, no billing error (it waits for its user)', async () => {
    await h.q(
      `INSERT INTO users (id, name, email, email_verified) VALUES ('user_u', 'U', 'unverified@example.com', false)`,
    );
    const e = event('customer.created', outsideCustomer('unverified@example.com'), T, {
      id: eventId('customer.created'),
    });
    await h.deliver(e);
    await h.deliver(e);
    await h.drain({ maxAttempts: 2 });
    expect(await status(e.id)).toBe('processed');
    expect(await h.q(`SELECT stripe_customer_id, user_id FROM customers`)).toEqual([
      { stripe_customer_id: 'cus_outside', user_id: null },
    ]);
    expect(await h.q(`SELECT kind FROM billing_errors`)).toEqual([]);
  });
});

describe('customer deletion and cards', () => {
  beforeEach(async () => {
    await seedFixtureCatalogue(h.deps.db);
    await h.apply(fixture<Stripe.Event>('event.customer.created'));
  });

  it('customer.deleted marks it deleted; an older customer.updated arriving later does not undelete it', async () => {
    const c = fixture<Stripe.Customer>('object.customer');
    await h.apply(event('customer.deleted', c, T, { id: eventId('customer.deleted') }));
    await h.apply(
      event('customer.updated', { ...c, name: 'Old name' }, T - 10, { id: eventId('customer.updated') }),
    );
    expect(await h.q(`SELECT name, deleted_at FROM customers`)).toEqual([
      { name: 'Jenny Rosen', deleted_at: new Date(T * 1000) },
    ]);
  });

  it('detaching the default card falls back to the newest attached card, and to none', async () => {
    const visa = fixture<Stripe.PaymentMethod>('object.payment_method');
    const amex: Stripe.PaymentMethod = {
      ...visa,
      id: 'pm_amex',
      created: visa.created + 100,
      card: { ...visa.card!, brand: 'amex', last4: '0005', exp_month: 3, exp_year: 2031 },
    };
    const withDefault = { ...fixture<Stripe.Customer>('object.customer') };
    withDefault.invoice_settings = { ...withDefault.invoice_settings, default_payment_method: visa.id };
    await h.apply(
      event('payment_method.attached', visa, T, { id: eventId('payment_method.attached') }),
      event('payment_method.attached', amex, T + 1, { id: eventId('payment_method.attached') }),
      event('customer.updated', withDefault, T + 2, { id: eventId('customer.updated') }),
    );
    const card = () =>
      h.q(
        `SELECT default_pm_brand, default_pm_last4, default_pm_exp_month, default_pm_exp_year FROM customers`,
      );
    expect(await card()).toEqual([
      {
        default_pm_brand: 'visa',
        default_pm_last4: '4242',
        default_pm_exp_month: 12,
        default_pm_exp_year: 2030,
      },
    ]);
    await h.apply(
      event('payment_method.detached', { ...visa, customer: null }, T + 3, {
        id: eventId('payment_method.detached'),
      }),
    );
    expect(await card()).toEqual([
      {
        default_pm_brand: 'amex',
        default_pm_last4: '0005',
        default_pm_exp_month: 3,
        default_pm_exp_year: 2031,
      },
    ]);
    await h.apply(
      event('payment_method.detached', { ...amex, customer: null }, T + 4, {
        id: eventId('payment_method.detached'),
      }),
    );
    expect(await card()).toEqual([
      {
        default_pm_brand: null,
        default_pm_last4: null,
        default_pm_exp_month: null,
        default_pm_exp_year: null,
      },
    ]);
    // A duplicate attach older than the detach does not bring the card back.
    await h.apply(event('payment_method.attached', visa, T + 1, { id: 'evt_old_attach' }));
    expect(await card()).toEqual([
      {
        default_pm_brand: null,
        default_pm_last4: null,
        default_pm_exp_month: null,
        default_pm_exp_year: null,
      },
    ]);
  });

  it('checkout.session.completed with customer and subscription already mirrored changes nothing', async () => {
    await h.apply(
      event('customer.subscription.created', fixture('object.subscription.active'), T, {
        id: eventId('customer.subscription.created'),
      }),
    );
    const session = fixture<Stripe.Checkout.Session>('object.checkout.session.subscription_complete');
    session.customer = IDS.customer;
    session.subscription = IDS.subscription;
    const e = event('checkout.session.completed', session, T + 5, {
      id: eventId('checkout.session.completed'),
    });
    await h.apply(e);
    expect(await status(e.id)).toBe('ignored');
    expect(await count(h, 'audit_log', `actor_id = $1`, [e.id])).toBe(0);
  });
});

describe('catalogue edits made in Stripe', () => {
  const product = (o: Partial<Stripe.Product> = {}): Stripe.Product => ({
    ...fixture<Stripe.Product>('object.product'),
    id: 'prod_dash',
    name: 'Team',
    metadata: { plan_key: 'team', grants_role: 'enterprise', trial_days: '7' },
    ...o,
  });
  const price = (o: Partial<Stripe.Price> = {}): Stripe.Price => ({
    ...fixture<Stripe.Price>('object.price.recurring_monthly'),
    id: 'price_team_m',
    product: 'prod_dash',
    unit_amount: 4900,
    lookup_key: 'team_monthly',
    ...o,
  });

  it('a product with metadata.plan_key becomes a plan; its prices become plan prices; edits and archiving follow', async () => {
    await h.apply(
      event('product.created', product(), T, { id: eventId('product.created') }),
      event('price.created', price(), T + 1, { id: eventId('price.created') }),
    );
    const planRow = () =>
      h.q(
        `SELECT key, name, grants_role, trial_days, active FROM plans WHERE stripe_product_id = 'prod_dash'`,
      );
    expect(await planRow()).toEqual([
      { key: 'team', name: 'Team', grants_role: 'enterprise', trial_days: 7, active: true },
    ]);
    const priceRow = () =>
      h.q(
        `SELECT currency, unit_amount_minor, interval, interval_count, active, lookup_key FROM plan_prices WHERE stripe_price_id = 'price_team_m'`,
      );
    expect(await priceRow()).toEqual([
      {
        currency: 'usd',
        unit_amount_minor: 4900,
        interval: 'month',
        interval_count: 1,
        active: true,
        lookup_key: 'team_monthly',
      },
    ]);

    await h.apply(
      event('product.updated', product({ name: 'Team Plus' }), T + 10, { id: eventId('product.updated') }),
    );
    await h.apply(event('price.updated', price({ active: false }), T + 11, { id: eventId('price.updated') }));
    expect((await planRow())[0]).toMatchObject({ name: 'Team Plus' });
    expect((await priceRow())[0]).toMatchObject({ active: false });

    // An older edit arriving late changes nothing.
    const late = event('product.updated', product({ name: 'Stale name' }), T + 5, {
      id: eventId('product.updated'),
    });
    await h.apply(late);
    expect((await planRow())[0]).toMatchObject({ name: 'Team Plus' });
    expect(await status(late.id)).toBe('stale');

    await h.apply(
      event('product.deleted', product({ name: 'Team Plus' }), T + 20, { id: eventId('product.deleted') }),
    );
    expect((await planRow())[0]).toMatchObject({ active: false });
    expect(await count(h, 'audit_log', `subject_type IN ('plan', 'plan_price')`)).toBe(5);
  });

  it('a product without metadata.plan_key is not a plan', async () => {
    const e = event('product.created', product({ metadata: {} }), T, { id: eventId('product.created') });
    await h.apply(e);
    expect(await status(e.id)).toBe('ignored');
    expect(await count(h, 'plans')).toBe(0);
  });
});
