/**
 * A realistic Stripe event stream for several customers, in the order Stripe would emit it: customer created,
 * subscription created (incomplete) → first invoice finalized and paid with its payment intent and charge →
 * active; the customer renamed; then per customer (i mod 3):
 *   0: renewal fails (invoice, charge, intent; past_due, dunning) → recovered (paid, active) → upgrade to
 *      enterprise → canceled now (churn, member);
 *   1: renewal fails and stays past_due (grace running) → cancel at period end;
 *   2: upgrade to enterprise → cancel at period end.
 * Objects are the shared fixtures with explicit overrides (the story factory, test/story). Times start at
 * `t0` (unix seconds) and span two days: callers pass a `t0` a few days before now, so every grace period and billing
 * period is still running whatever second the events are applied in. Event ids sort as the stream does (created,
 * then stream position), so the dispatcher's per-customer order (created, id) is the stream's order.
 */
import type Stripe from 'stripe';
import type pg from 'pg';
import {
  AMOUNTS,
  chargeObject,
  customerObject,
  DAY,
  event,
  invoiceObject,
  paymentIntentObject,
  PRICES,
  subscriptionObject,
} from './index.js';

export interface LifecycleStream {
  /** In emission order. */
  events: Stripe.Event[];
  /** One per customer: the users the customers link to by metadata.user_id. */
  users: Array<{ id: string; email: string }>;
  /** The Stripe customer ids (the dispatcher's ordering keys). */
  customers: string[];
}

/** Start of the stream for a run now: midnight UTC three days ago (every grace and period still runs). */
export function streamStart(nowMs: number): number {
  return Math.floor(nowMs / 1000 / DAY) * DAY - 3 * DAY;
}

export function lifecycleStream(opts: { label: string; customers: number; t0: number }): LifecycleStream {
  const { label, t0 } = opts;
  const drafts: Array<{ type: Stripe.Event.Type; object: object; created: number; previous?: object }> = [];
  const emit = (type: Stripe.Event.Type, object: object, created: number, previous?: object) =>
    drafts.push({ type, object: structuredClone(object), created, ...(previous ? { previous } : {}) });
  const users: LifecycleStream['users'] = [];
  const customers: string[] = [];

  for (let i = 0; i < opts.customers; i++) {
    const variant = i % 3;
    const cus = `cus_${label}${i}`;
    const user = `user_${label}${i}`;
    users.push({ id: user, email: `${user}@example.com` });
    customers.push(cus);
    const base = t0 + i * 37;
    const customer = customerObject(cus, user, { created: base });
    customer.name = `Customer ${i}`;
    emit('customer.created', customer, base);

    // latest_invoice follows the invoices as Stripe sets it (the first one from creation, the renewal's once issued).
    const sub = {
      id: `sub_${label}${i}`,
      customer: cus,
      price: PRICES.pro as string,
      periodStart: base + 5,
      latestInvoice: `in_${label}${i}a`,
    };
    const subObj = (
      status: Stripe.Subscription.Status,
      o: { cancelAtPeriodEnd?: boolean; endedAt?: number } = {},
    ) =>
      subscriptionObject({
        ...sub,
        latestInvoice: sub.latestInvoice,
        status,
        periodEnd: sub.periodStart + 30 * DAY,
        created: base + 5,
        ...(o.cancelAtPeriodEnd ? { cancelAtPeriodEnd: true } : {}),
        ...(o.endedAt ? { canceledAt: o.endedAt, endedAt: o.endedAt } : {}),
      });
    emit('customer.subscription.created', subObj('incomplete'), base + 5);

    // First invoice, paid with its intent and charge; the subscription becomes active in the same second.
    const in1 = {
      id: `in_${label}${i}a`,
      customer: cus,
      subscription: sub.id,
      amountDue: AMOUNTS[PRICES.pro]!,
    };
    emit(
      'invoice.finalized',
      invoiceObject({ ...in1, status: 'open', attempt: 0, created: base + 6 }),
      base + 6,
    );
    emit(
      'invoice.paid',
      invoiceObject({ ...in1, status: 'paid', created: base + 6, paidAt: base + 20 }),
      base + 20,
    );
    emit(
      'payment_intent.succeeded',
      paymentIntentObject(`pi_${label}${i}a`, cus, in1.amountDue, 'succeeded', base + 19),
      base + 20,
    );
    emit(
      'charge.succeeded',
      chargeObject(`ch_${label}${i}a`, `pi_${label}${i}a`, cus, in1.amountDue, 'succeeded', base + 20),
      base + 20,
    );
    emit('customer.subscription.updated', subObj('active'), base + 21, { status: 'incomplete' });

    customer.name = `Customer ${i} (renamed)`;
    emit('customer.updated', customer, base + 3600, { name: `Customer ${i}` });

    if (variant !== 2) {
      // Renewal attempt 1 fails: past_due, a dunning case, the grace period starts.
      const fail = base + DAY;
      sub.latestInvoice = `in_${label}${i}b`;
      const in2 = {
        id: `in_${label}${i}b`,
        customer: cus,
        subscription: sub.id,
        amountDue: AMOUNTS[PRICES.pro]!,
      };
      emit(
        'invoice.payment_failed',
        invoiceObject({ ...in2, status: 'open', attempt: 1, created: fail - 3600 }),
        fail,
      );
      emit(
        'charge.failed',
        chargeObject(`ch_${label}${i}b`, `pi_${label}${i}b`, cus, in2.amountDue, 'failed', fail),
        fail,
      );
      emit(
        'payment_intent.payment_failed',
        paymentIntentObject(`pi_${label}${i}b`, cus, in2.amountDue, 'requires_payment_method', fail - 1),
        fail + 1,
      );
      emit('customer.subscription.updated', subObj('past_due'), fail + 2, { status: 'active' });
      if (variant === 0) {
        const paid = fail + 7200;
        emit(
          'invoice.paid',
          invoiceObject({ ...in2, status: 'paid', attempt: 2, created: fail - 3600, paidAt: paid }),
          paid,
        );
        emit('customer.subscription.updated', subObj('active'), paid + 1, { status: 'past_due' });
      }
    }
    if (variant !== 1) {
      sub.price = PRICES.enterprise;
      emit('customer.subscription.updated', subObj('active'), base + DAY + 4 * 3600);
    }
    const end = base + 2 * DAY;
    if (variant === 0) emit('customer.subscription.deleted', subObj('canceled', { endedAt: end }), end);
    else
      emit(
        'customer.subscription.updated',
        subObj(variant === 1 ? 'past_due' : 'active', { cancelAtPeriodEnd: true }),
        end,
        { cancel_at_period_end: false },
      );
  }

  const ordered = drafts.map((d, n) => ({ ...d, n })).sort((a, b) => a.created - b.created || a.n - b.n);
  const events = ordered.map((d, k) =>
    event(d.type, d.object, d.created, {
      id: `evt_${label}_${String(k).padStart(4, '0')}`,
      ...(d.previous ? { previous_attributes: d.previous } : {}),
    }),
  );
  return { events, users, customers };
}

/**
 * The stream's users (verified, linked by metadata) and the roles catalogue (as test/story/world.ts's
 * seedRolesCatalogue: `pro` professional 2900/month, `enterprise` 9900/month with 3 days of grace), in a database the
 * app processes use.
 */
export async function seedLifecycle(pool: pg.Pool, stream: LifecycleStream): Promise<void> {
  await pool.query(
    `INSERT INTO users (id, name, email, email_verified) SELECT u.id, u.id, u.email, true
     FROM jsonb_to_recordset($1::jsonb) AS u(id text, email text)`,
    [JSON.stringify(stream.users)],
  );
  await pool.query(`
    INSERT INTO plans (key, name, grants_role, grace_days) VALUES
      ('pro', 'Pro', 'professional', NULL), ('enterprise', 'Enterprise', 'enterprise', 3);
    INSERT INTO plan_prices (plan_id, stripe_price_id, currency, unit_amount_minor, interval)
      SELECT id, CASE key WHEN 'pro' THEN '${PRICES.pro}' ELSE '${PRICES.enterprise}' END, 'usd',
             CASE key WHEN 'pro' THEN ${AMOUNTS[PRICES.pro]} ELSE ${AMOUNTS[PRICES.enterprise]} END, 'month'
      FROM plans;`);
}
