/**
 * Issue 13 / RELIABILITY 23 as a chaos family: webhooks missed for days. Each run subscribes a few new users
 * through the app (webhooks flowing), then the endpoint goes dark — the sandbox drops every delivery, so Stripe's
 * retries are exhausted as far as we are concerned — while things happen in Stripe that only webhooks would tell
 * us: renames, cancellations now and at period end, plan changes, a card that starts failing (past_due, then
 * Stripe's retries run out), a customer and subscription made in the dashboard for a known user; and the test
 * clock moves 3 to 40 days (renewals, period ends). Then the endpoint comes back and reconciliation
 * (`runSync`, what `sertantai sync` and the daily job run) repairs the mirror.
 *
 * Counted before and after the sync, against the Stripe objects themselves: mirrored subscriptions and customers
 * that are missing or differ (status, cancel at period end, period end, price, quantity; name, email), and users
 * whose stored role the sync changed (wrong before) or that still differs from their entitlement (wrong after).
 * A second sync must find nothing. CHAOS_RUNS runs (default 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { billingStack, type BillingStack } from '../../helpers/billing-stack.js';
import { recordChaos } from '../../helpers/chaos-record.js';
import { prng } from '../../helpers/prng.js';
import { ensureCustomer } from '../../../src/billing/customers/ensure-customer.js';
import { createSubscription } from '../../../src/billing/subscriptions/create-subscription.js';
import { listPlans } from '../../../src/billing/plans/plan-views.js';
import { seedDemo } from '../../../src/billing/seed/seed-demo.js';
import { handlers } from '../../../src/inbox/webhooks/handlers/index.js';
import { runSync } from '../../../src/inbox/reconcile/run-sync.js';
import { findRoleMismatches } from '../../../src/accounts/roles/find-role-mismatches.js';
import { sql } from 'drizzle-orm';
import { createSubscriptionRoles, ensureCustomerRoles } from '../../../src/accounts/roles/operation-roles.js';

const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
const USERS = 4;

let s: BillingStack;
let stripe: Stripe;
let starter: string;
let pro: string;
beforeAll(async () => {
  s = await billingStack({ webhooks: true, label: 'missed-webhooks' });
  stripe = s.h.deps.stripe;
  await seedDemo(s.h.deps, { customers: false });
  const plans = await listPlans(s.h.deps.db);
  const monthly = (key: string) =>
    plans.find((p) => p.key === key)!.prices.find((p) => p.interval === 'month')!.stripePriceId;
  starter = monthly('starter');
  pro = monthly('professional');
}, 120_000);
afterAll(() => s?.close());

async function withCard(customer: string, card = 'pm_card_visa') {
  const pm = await stripe.paymentMethods.attach(card, { customer });
  await stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
}

/** Mirrored rows that are missing or differ from the Stripe objects of `customerIds`. */
async function drift(customerIds: string[]): Promise<string[]> {
  const wrong: string[] = [];
  const q = async <T>(text: string, values: unknown[]) => (await s.h.t.pool.query(text, values)).rows as T[];
  for (const id of customerIds) {
    const c = await stripe.customers.retrieve(id);
    const [row] = await q<{ name: string | null; email: string | null }>(
      `SELECT name, email FROM customers WHERE stripe_customer_id = $1`,
      [id],
    );
    if (!row) wrong.push(`${id} missing`);
    else if (!c.deleted && (row.name !== c.name || row.email !== c.email)) wrong.push(`${id} differs`);
    for (const sub of (await stripe.subscriptions.list({ customer: id, status: 'all' })).data) {
      const [r] = await q<{
        status: string;
        cancel_at_period_end: boolean;
        current_period_end: Date | null;
        price: string | null;
        quantity: number | null;
      }>(
        `SELECT s.status, s.cancel_at_period_end, s.current_period_end,
                (SELECT i.stripe_price_id FROM subscription_items i WHERE i.subscription_id = s.id LIMIT 1) AS price,
                (SELECT i.quantity FROM subscription_items i WHERE i.subscription_id = s.id LIMIT 1) AS quantity
         FROM subscriptions s WHERE s.stripe_subscription_id = $1`,
        [sub.id],
      );
      const item = sub.items.data[0]!;
      const end =
        item.current_period_end ?? (sub as unknown as { current_period_end?: number }).current_period_end;
      if (!r) wrong.push(`${sub.id} missing`);
      else if (
        r.status !== sub.status ||
        r.cancel_at_period_end !== sub.cancel_at_period_end ||
        (end !== undefined && r.current_period_end?.getTime() !== end * 1000) ||
        r.price !== item.price.id ||
        r.quantity !== item.quantity
      )
        wrong.push(`${sub.id} differs`);
    }
  }
  return wrong;
}

async function mismatches(userIds: string[]) {
  const all = await findRoleMismatches(s.h.deps.db, s.clock.now(), {
    defaultGraceDays: s.h.config.graceDays,
    where: sql`"users"."id" = ANY(${`{${userIds.join(',')}}`}::text[])`,
  });
  return all.filter((m) => userIds.includes(m.userId));
}

describe('webhooks missed for days, then reconciliation', () => {
  it(
    'the sync repairs every mirrored row and role it can see drift in; a second sync finds nothing',
    async () => {
      const rnd = prng(RUNS * 31 + 7);
      for (let run = 0; run < RUNS; run++) {
        const since = s.clock.now();
        // Through the app, webhooks flowing.
        const users = Array.from({ length: USERS }, (_, i) => `u_mw_${run}_${i}`);
        const stripeCustomers: string[] = [];
        const subs: string[] = [];
        for (const id of users) {
          await s.h.t.pool.query(
            `INSERT INTO users (id, name, email, email_verified) VALUES ($1, $1, $1 || '@example.com', true)`,
            [id],
          );
          const c = await ensureCustomer(
            s.h.deps,
            { id, email: `${id}@example.com`, name: id },
            ensureCustomerRoles(s.h.deps),
          );
          await withCard(c.stripeCustomerId);
          const sub = await createSubscription(
            s.h.deps,
            { type: 'system', id: null, requestId: `mw-${id}`, operationId: `mw-${id}` },
            { customerId: c.id, priceId: rnd() < 0.5 ? starter : pro, quantity: 1, trialDays: 0 },
            createSubscriptionRoles(s.h.deps),
          );
          stripeCustomers.push(c.stripeCustomerId);
          subs.push(sub.stripeSubscriptionId);
          await s.advance({ seconds: 1 });
        }
        // One more user, who will subscribe in the dashboard while we are dark.
        const outside = `u_mw_${run}_out`;
        await s.h.t.pool.query(
          `INSERT INTO users (id, name, email, email_verified) VALUES ($1, $1, $1 || '@example.com', true)`,
          [outside],
        );
        await s.settle();
        expect(await drift(stripeCustomers)).toEqual([]);

        // Dark: every delivery dropped.
        await s.sandbox.control.webhookFaults([{ mode: 'drop', count: 100_000 }]);
        const actions: string[] = [];
        for (const [i, id] of stripeCustomers.entries()) {
          const sub = subs[i]!;
          const r = rnd();
          if (r < 0.2) {
            await stripe.customers.update(id, { name: `Renamed ${run}.${i}` });
            actions.push('rename');
          } else if (r < 0.4) {
            await stripe.subscriptions.update(sub, { cancel_at_period_end: true });
            actions.push('cancel at period end');
          } else if (r < 0.55) {
            await stripe.subscriptions.cancel(sub);
            actions.push('cancel now');
          } else if (r < 0.75) {
            const current = await stripe.subscriptions.retrieve(sub);
            await stripe.subscriptions.update(sub, {
              items: [
                {
                  id: current.items.data[0]!.id,
                  price: current.items.data[0]!.price.id === pro ? starter : pro,
                  quantity: 2,
                },
              ],
            });
            actions.push('plan change');
          } else {
            await withCard(id, 'pm_card_chargeCustomerFail');
            actions.push('card starts failing');
          }
          await s.sandbox.control.advanceClock({ by: 1 });
        }
        const out = await stripe.customers.create({
          email: `${outside}@example.com`,
          name: outside,
          metadata: { user_id: outside },
        });
        await withCard(out.id);
        await stripe.subscriptions.create({ customer: out.id, items: [{ price: pro }] });
        stripeCustomers.push(out.id);
        users.push(outside);
        const days = 3 + Math.floor(rnd() * 38);
        const { now } = await s.sandbox.control.advanceClock({ by: days * 86_400 });
        s.clock.set(now * 1000);
        await s.sandbox.control.flush();
        await s.sandbox.control.webhookFaults([]);

        const before = await drift(stripeCustomers);
        const rolesBefore = new Map(
          (
            await s.h.t.pool.query<{ id: string; role: string }>(
              `SELECT id, role FROM users WHERE id = ANY($1)`,
              [users],
            )
          ).rows.map((r) => [r.id, r.role]),
        );
        const report = await runSync(s.h.deps, { since, handlers, trigger: 'test', resume: false });
        const after = await drift(stripeCustomers);
        const rolesAfter = (
          await s.h.t.pool.query<{ id: string; role: string }>(
            `SELECT id, role FROM users WHERE id = ANY($1)`,
            [users],
          )
        ).rows;
        const rolesRepaired = rolesAfter.filter((r) => rolesBefore.get(r.id) !== r.role).length;
        const wrongRoles = (await mismatches(users)).length;
        const again = await runSync(s.h.deps, { since, handlers, trigger: 'test', resume: false });
        recordChaos('missed-webhooks', {
          runs: 1,
          lost: after.length + again.corrections.length,
          wrongRoles,
        });
        console.log(
          `missed webhooks run ${run}: ${days} days dark (${actions.join(', ')}, a dashboard signup); before the ` +
            `sync ${before.length} rows wrong, ${rolesRepaired} roles wrong; the sync reported ` +
            `${report.corrections.length} corrections; after: ${after.length} rows and ${wrongRoles} roles wrong`,
        );
        expect(report.finished).toBe(true);
        expect(before.length).toBeGreaterThan(0);
        expect(after).toEqual([]);
        expect(wrongRoles).toBe(0);
        expect(again.corrections).toEqual([]);
      }
    },
    Math.max(180_000, RUNS * 120_000),
  );
});
