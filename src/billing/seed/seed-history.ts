/**
 * seedHistory: a demo business with a past (issue 14) — `customers` customers signing up over the last `months`
 * months, made in Stripe (the local sandbox by default) on test clocks, so that every row reaches the app by the
 * webhooks Stripe sends as the clocks move: usd and eur, monthly and yearly prices, quantities, a percent and an
 * amount coupon, trials, upgrades, downgrades, cancellations (at period end and at once), renewals that fail and
 * are recovered by a card update and renewals that fail until Stripe gives up; sign-ups across providers.
 *
 * Stripe allows 3 customers per test clock: each clock carries 3 customers, is created at its first sign-up and
 * advanced to each of its customers' next action, then to now. Deterministic for a given `seed`. Not idempotent:
 * each run adds another N customers (`sertantai db seed --customers N --months M`). The app must be receiving the
 * webhooks while it runs: nothing else carries the history to the database.
 */
import { and, eq } from 'drizzle-orm';
import { users } from '../../accounts/accounts.tables.js';
import { SIGNUP_PROVIDERS } from '../../accounts/signup-providers.js';
import type { Deps } from '../../deps.js';
import { planPrices, plans } from '../billing.tables.js';
import { systemActor } from '../operations/actor.js';
import { addPlanPrice } from '../plans/add-plan-price.js';
import { seedDemo } from './seed-demo.js';

export { SIGNUP_PROVIDERS };

/** The demo catalogue's euro prices (the usd ones are in demo-catalogue.ts). */
const EUR_PRICES: Record<string, Array<{ unitAmount: number; interval: 'month' | 'year' }>> = {
  starter: [
    { unitAmount: 800, interval: 'month' },
    { unitAmount: 8000, interval: 'year' },
  ],
  professional: [
    { unitAmount: 2700, interval: 'month' },
    { unitAmount: 27000, interval: 'year' },
  ],
  enterprise: [{ unitAmount: 8900, interval: 'month' }],
};
const LADDER = ['starter', 'professional', 'enterprise'] as const;
type PlanKey = (typeof LADDER)[number];
type Currency = 'usd' | 'eur';

export interface HistoryReport {
  customers: number;
  months: number;
  subscriptions: number;
  clocks: number;
  actions: Record<string, number>;
}

type ActionKind = 'upgrade' | 'downgrade' | 'cancel_at_period_end' | 'cancel_now' | 'fail' | 'recover';

interface Story {
  n: number;
  signupAt: number;
  provider: (typeof SIGNUP_PROVIDERS)[number];
  currency: Currency;
  plan: PlanKey;
  interval: 'month' | 'year';
  quantity: number;
  coupon: 'percent' | 'amount' | null;
  trial: boolean;
  actions: Array<{ at: number; kind: ActionKind }>;
}

/** A small deterministic PRNG (mulberry32): the same history for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400;
const addMonths = (t: number, months: number) => {
  const d = new Date(t * 1000);
  d.setUTCMonth(d.getUTCMonth() + months);
  return Math.floor(d.getTime() / 1000);
};

/** Each customer's story, drawn from `seed`: when, how and what they buy, and what happens next. */
export function drawStories(opts: { customers: number; start: number; end: number; seed: number }): Story[] {
  const rnd = random(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const span = opts.end - opts.start;
  const stories: Story[] = [];
  let failures = 0;
  for (let n = 0; n < opts.customers; n++) {
    // sign-ups grow over the window (more recent months have more), at a working hour
    const signupAt =
      opts.start +
      Math.floor((Math.sqrt(rnd()) * (span - 2 * DAY)) / DAY) * DAY +
      (8 + Math.floor(rnd() * 10)) * 3600;
    const plan = pick([
      'starter',
      'starter',
      'professional',
      'professional',
      'professional',
      'enterprise',
    ] as const);
    const interval = plan !== 'enterprise' && rnd() < 0.2 ? 'year' : 'month';
    const r = rnd();
    const coupon = r < 0.1 ? 'percent' : r < 0.16 ? 'amount' : null;
    const story: Story = {
      n,
      signupAt,
      provider: pick(SIGNUP_PROVIDERS),
      currency: rnd() < 0.7 ? 'usd' : 'eur',
      plan,
      interval,
      quantity: rnd() < 0.15 ? 2 + Math.floor(rnd() * 4) : 1,
      coupon,
      trial: plan === 'professional' && rnd() < 0.4,
      actions: [],
    };
    const later = (minDays: number, maxDays: number) =>
      signupAt + (minDays + Math.floor(rnd() * (maxDays - minDays))) * DAY + 3600;
    const fate = rnd();
    const step = LADDER.indexOf(plan);
    if (interval === 'month' && fate < 0.12 && step < 2)
      story.actions.push({ at: later(20, 150), kind: 'upgrade' });
    else if (interval === 'month' && fate < 0.2 && step > 0)
      story.actions.push({ at: later(20, 150), kind: 'downgrade' });
    else if (fate < 0.3) story.actions.push({ at: later(10, 200), kind: 'cancel_at_period_end' });
    else if (fate < 0.35) story.actions.push({ at: later(5, 120), kind: 'cancel_now' });
    else if (fate < 0.55 && interval === 'month' && !story.trial) {
      // the card starts failing the day after a renewal, so the next renewal fails; every other one updates its card
      // 3-8 days into Stripe's retries (recovered), the others are lost when the retries run out
      const m = 1 + Math.floor(rnd() * 4);
      const failAt = addMonths(signupAt, m) + DAY;
      story.actions.push({ at: failAt, kind: 'fail' });
      if (failures++ % 2 === 0) {
        story.actions.push({
          at: addMonths(signupAt, m + 1) + (3 + Math.floor(rnd() * 6)) * DAY,
          kind: 'recover',
        });
      }
    }
    story.actions = story.actions.filter((a) => a.at < opts.end - DAY);
    stories.push(story);
  }
  return stories;
}

async function ensureEuroPrices(deps: Pick<Deps, 'db' | 'stripe'>): Promise<void> {
  for (const [key, prices] of Object.entries(EUR_PRICES)) {
    const [plan] = await deps.db.select().from(plans).where(eq(plans.key, key));
    if (!plan) continue;
    for (const p of prices) {
      const [existing] = await deps.db
        .select({ id: planPrices.id })
        .from(planPrices)
        .where(
          and(
            eq(planPrices.planId, plan.id),
            eq(planPrices.currency, 'eur'),
            eq(planPrices.interval, p.interval),
          ),
        );
      if (existing) continue;
      await addPlanPrice(deps, systemActor(`seed:price:${key}:eur:${p.interval}`), plan.id, {
        currency: 'eur',
        unitAmount: p.unitAmount,
        interval: p.interval,
        intervalCount: 1,
      });
    }
  }
}

const CLOCK_NAME = 'demo history';

/** Seeds the history; the app learns it from the webhooks (wait for them to be applied before reading reports). */
export async function seedHistory(
  deps: Pick<Deps, 'db' | 'stripe' | 'logger' | 'clock' | 'config'>,
  opts: {
    customers: number;
    months: number;
    seed?: number;
    /** Test clocks moved at once (default 6). */
    concurrency?: number;
    /** Stops between steps when aborted (a shutdown during `npm start`'s background seed); the report says how far it got. */
    signal?: AbortSignal;
  },
): Promise<HistoryReport> {
  const { db, stripe } = deps;
  await seedDemo(deps, { customers: false });
  await ensureEuroPrices(deps);
  const priceRows = await db
    .select({
      key: plans.key,
      currency: planPrices.currency,
      interval: planPrices.interval,
      id: planPrices.stripePriceId,
    })
    .from(planPrices)
    .innerJoin(plans, eq(plans.id, planPrices.planId))
    .where(eq(planPrices.active, true));
  const priceOf = (plan: PlanKey, currency: Currency, interval: 'month' | 'year') => {
    const row = priceRows.find((p) => p.key === plan && p.currency === currency && p.interval === interval);
    if (!row) throw new Error(`demo catalogue has no ${plan} ${currency} ${interval}ly price`);
    return row.id;
  };
  const coupons = {
    percent: await stripe.coupons.create({ percent_off: 20, duration: 'forever', name: 'Demo 20 % off' }),
    amount: {
      usd: await stripe.coupons.create({
        amount_off: 500,
        currency: 'usd',
        duration: 'forever',
        name: 'Demo $5 off',
      }),
      eur: await stripe.coupons.create({
        amount_off: 500,
        currency: 'eur',
        duration: 'forever',
        name: 'Demo €5 off',
      }),
    },
  };

  const end = Math.floor(deps.clock.now().getTime() / 1000);
  const startDate = new Date(deps.clock.now());
  startDate.setUTCMonth(startDate.getUTCMonth() - opts.months);
  const start = Math.floor(startDate.getTime() / 1000);
  const stories = drawStories({ customers: opts.customers, start, end, seed: opts.seed ?? 14 }).sort(
    (a, b) => a.signupAt - b.signupAt,
  );
  const report: HistoryReport = {
    customers: stories.length,
    months: opts.months,
    subscriptions: 0,
    clocks: 0,
    actions: {},
  };
  const run = `${end.toString(36)}`;

  const setCard = async (customer: string, card: string) => {
    const pm = await stripe.paymentMethods.attach(card, { customer });
    await stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
  };

  // Stripe's limit: 3 customers per test clock; the clocks are independent, so several move at once
  const groups: Story[][] = [];
  for (let g = 0; g < stories.length; g += 3) groups.push(stories.slice(g, g + 3));
  let nextGroup = 0;
  const playGroups = async () => {
    while (nextGroup < groups.length && !opts.signal?.aborted) {
      const g = nextGroup++;
      await playGroup(g, groups[g]!);
    }
  };
  const playGroup = async (g: number, group: Story[]) => {
    const clock = await stripe.testHelpers.testClocks.create({
      frozen_time: group[0]!.signupAt,
      name: `${CLOCK_NAME} ${run} ${g + 1}`,
    });
    report.clocks += 1;
    let now = group[0]!.signupAt;
    const advance = async (to: number) => {
      if (to <= now) return;
      await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
      now = to;
    };
    const ids = new Map<number, { customer: string; subscription: string }>();
    const steps = group
      .flatMap((s) => [
        { at: s.signupAt, story: s, kind: 'signup' as const },
        ...s.actions.map((a) => ({ ...a, story: s })),
      ])
      .sort((a, b) => a.at - b.at);
    for (const step of steps) {
      if (opts.signal?.aborted) return;
      await advance(step.at);
      const s = step.story;
      report.actions[step.kind] = (report.actions[step.kind] ?? 0) + 1;
      if (step.kind === 'signup') {
        const userId = `demo_history_${run}_${s.n}`;
        const email = `customer${s.n + 1}.${run}@history.demo.sertantai.test`;
        await db.insert(users).values({
          id: userId,
          name: `Demo Customer ${s.n + 1}`,
          email,
          emailVerified: true,
          signupProvider: s.provider,
          createdAt: new Date((s.signupAt - 3600) * 1000),
        });
        const customer = await stripe.customers.create({
          email,
          name: `Demo Customer ${s.n + 1}`,
          metadata: { user_id: userId },
          test_clock: clock.id,
        });
        await setCard(customer.id, 'pm_card_visa');
        const coupon =
          s.coupon === 'percent'
            ? coupons.percent.id
            : s.coupon === 'amount'
              ? coupons.amount[s.currency].id
              : null;
        const sub = await stripe.subscriptions.create({
          customer: customer.id,
          items: [{ price: priceOf(s.plan, s.currency, s.interval), quantity: s.quantity }],
          ...(s.trial ? { trial_period_days: 14 } : {}),
          ...(coupon ? { discounts: [{ coupon }] } : {}),
          metadata: { plan_key: s.plan, created_by: 'seed:history' },
        });
        ids.set(s.n, { customer: customer.id, subscription: sub.id });
        report.subscriptions += 1;
        continue;
      }
      const id = ids.get(s.n)!;
      const sub = await stripe.subscriptions.retrieve(id.subscription);
      if (sub.status === 'canceled' || sub.status === 'incomplete_expired') continue;
      switch (step.kind) {
        case 'upgrade':
        case 'downgrade': {
          const plan = LADDER[LADDER.indexOf(s.plan) + (step.kind === 'upgrade' ? 1 : -1)]!;
          await stripe.subscriptions.update(id.subscription, {
            items: [{ id: sub.items.data[0]!.id, price: priceOf(plan, s.currency, 'month') }],
            metadata: { plan_key: plan },
          });
          break;
        }
        case 'cancel_at_period_end':
          await stripe.subscriptions.update(id.subscription, { cancel_at_period_end: true });
          break;
        case 'cancel_now':
          await stripe.subscriptions.cancel(id.subscription);
          break;
        case 'fail':
          await setCard(id.customer, 'pm_card_chargeCustomerFail');
          break;
        case 'recover': {
          await setCard(id.customer, 'pm_card_visa');
          for await (const inv of stripe.invoices.list({ customer: id.customer, status: 'open' })) {
            await stripe.invoices.pay(inv.id);
          }
          break;
        }
      }
    }
    await advance(end);
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 6, groups.length) }, playGroups));
  deps.logger.info(report, 'demo history seeded');
  return report;
}
