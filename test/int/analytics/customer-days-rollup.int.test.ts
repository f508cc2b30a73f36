/**
 * Property: the maintained rollups equal their definitions, whatever order the rows arrive in.
 * - `mrr_customer_days` (kept by triggers on mrr_movements and subscriptions) == customer-days.ts recomputed from
 *   `mrr_movements`, for every plan and for each plan: random histories whose movements are inserted shuffled (so
 *   most arrive after later days were rolled up), some from two connections at once for one customer, then a
 *   subscription moved to another plan and a movement deleted — compared after every step.
 * - `customer_first_payments` (kept by triggers on invoices) == min(paid_at) of the paid invoices.
 * - `revenue_months` and `payment_attempt_months` (append-only deltas, folded by rollups_compact) sum to the paid
 *   invoices and the decided payments, before and after a fold, with a writer committing across the fold.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { compactRollups } from '../../../src/analytics/compact-rollups.js';
import { customerDays, windowedDays } from '../../../src/analytics/customer-days.js';
import { testDatabase, type TestDatabase } from '../../helpers/db.js';
import { prng } from '../../helpers/prng.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(async () => {
  await t.drop();
});

const FAR = new Date('2100-01-01T00:00:00Z');

/** The rollup's rows minus the definition's, and the other way round, for one scope (null = every plan). */
async function differences(plan: string | null): Promise<unknown[]> {
  const scope =
    plan === null ? sql`r.plan_id IS NULL` : sql`r.plan_id = (SELECT id FROM plans WHERE key = ${plan})`;
  const result = await t.db.execute(sql`
    WITH ref AS (
      SELECT d.customer_id, d.currency, d.day, d.delta::bigint AS delta, d.before::bigint AS before,
             d.after::bigint AS after, d.kind, d.excluded AS same_window,
             lead(d.day) OVER (PARTITION BY d.customer_id, d.currency ORDER BY d.day) AS next_day,
             min(d.month) FILTER (WHERE d.kind = 'new') OVER (PARTITION BY d.customer_id, d.currency) AS cohort,
             min(d.month) FILTER (WHERE d.kind = 'new' AND NOT d.excluded)
               OVER (PARTITION BY d.customer_id, d.currency) AS cohort_excl
      FROM (${windowedDays({ currency: null, plan, until: FAR }, true)}) d
    ),
    roll AS (
      SELECT r.customer_id, r.currency, r.day, r.delta_minor AS delta, r.mrr_before_minor AS before,
             r.mrr_after_minor AS after, r.kind, r.same_window, r.next_day, r.cohort,
             r.cohort_excluding_same_window AS cohort_excl
      FROM mrr_customer_days r WHERE ${scope}
    )
    SELECT 'missing' AS side, * FROM (SELECT * FROM ref EXCEPT ALL SELECT * FROM roll) a
    UNION ALL
    SELECT 'extra', * FROM (SELECT * FROM roll EXCEPT ALL SELECT * FROM ref) b`);
  return result.rows;
}

async function expectRollupEqualsDefinition(): Promise<void> {
  for (const plan of [null, 'basic', 'premium']) expect(await differences(plan), `plan ${plan}`).toEqual([]);
  // and the reference is not trivially empty
  const ref = await t.db.execute(
    sql`SELECT count(*)::int AS n FROM (${customerDays({ currency: null, plan: null, until: FAR })}) d`,
  );
  expect(Number(ref.rows[0]!.n)).toBeGreaterThan(0);
}

interface Movement {
  customer: string;
  subscription: string;
  currency: string;
  at: Date;
  before: number;
  after: number;
  event: string;
}

describe('maintained rollups', () => {
  it('mrr_customer_days equals customer-days recomputed from mrr_movements, for shuffled and concurrent deliveries', async () => {
    const random = prng(1414);
    await t.db.execute(sql`
      INSERT INTO plans (key, name, grants_role, stripe_product_id) VALUES
        ('basic', 'Basic', 'professional', 'prod_r_basic'), ('premium', 'Premium', 'enterprise', 'prod_r_premium')`);
    const customers = 12;
    const movements: Movement[] = [];
    for (let c = 1; c <= customers; c++) {
      await t.db.execute(sql`
        INSERT INTO customers (stripe_customer_id, email, name, created_at, stripe_version_at)
        VALUES (${`cus_r${c}`}, ${`r${c}@example.com`}, ${`R ${c}`}, '2026-01-01', '2026-01-01')`);
      for (let s = 1; s <= 1 + Math.floor(random() * 3); s++) {
        const currency = random() < 0.25 ? 'eur' : 'usd';
        const plan = random() < 0.5 ? 'basic' : 'premium';
        const sid = `sub_r${c}_${s}`;
        const row = await t.db.execute<{ id: string; customer_id: string }>(sql`
          INSERT INTO subscriptions (stripe_subscription_id, customer_id, plan_id, status, currency, created_at,
                                     stripe_version_at)
          SELECT ${sid}, c.id, p.id, 'active', ${currency}, '2026-01-01', '2026-01-01'
          FROM customers c, plans p WHERE c.stripe_customer_id = ${`cus_r${c}`} AND p.key = ${plan}
          RETURNING id, customer_id`);
        // A walk of the subscription's MRR through time: starts, changes, churns, comes back; several on one day.
        let mrr = 0;
        let at = Date.UTC(2026, 0, 1) + Math.floor(random() * 40) * 86_400_000;
        for (let k = 0; k < 3 + Math.floor(random() * 6); k++) {
          const next =
            mrr === 0
              ? 1000 * (1 + Math.floor(random() * 5))
              : random() < 0.3
                ? 0
                : Math.max(0, mrr + 500 * Math.floor(random() * 5 - 2));
          if (next !== mrr) {
            movements.push({
              customer: row.rows[0]!.customer_id,
              subscription: row.rows[0]!.id,
              currency,
              at: new Date(at),
              before: mrr,
              after: next,
              event: `evt_${sid}_${k}`,
            });
          }
          mrr = next;
          at +=
            (random() < 0.3 ? 0 : 1 + Math.floor(random() * 45)) * 86_400_000 +
            Math.floor(random() * 3600) * 1000;
        }
      }
    }
    expect(movements.length).toBeGreaterThan(40);
    // Shuffled: most movements arrive after days later than theirs were rolled up.
    for (let i = movements.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [movements[i], movements[j]] = [movements[j]!, movements[i]!];
    }
    const insert = (m: Movement) => sql`
      INSERT INTO mrr_movements (customer_id, subscription_id, at, currency, mrr_before_minor, mrr_after_minor,
                                 delta_minor, kind, cause_event_id)
      VALUES (${m.customer}, ${m.subscription}, ${m.at}, ${m.currency}, ${m.before}, ${m.after},
              ${m.after - m.before}, 'new', ${m.event})`;
    let i = 0;
    while (i < movements.length) {
      // One at a time, or two transactions at once (often one customer's): the second must see the first.
      if (random() < 0.6) {
        // pair this movement with the customer's next one still to come
        const j = movements.findIndex((m, k) => k > i && m.customer === movements[i]!.customer);
        if (j > i + 1) [movements[i + 1], movements[j]] = [movements[j]!, movements[i + 1]!];
      }
      const pair = movements[i + 1]?.customer === movements[i]!.customer;
      const batch = movements.slice(i, i + (pair ? 2 : 1));
      i += batch.length;
      await Promise.all(
        batch.map((m) =>
          t.db.transaction(async (tx) => {
            await tx.execute(insert(m));
            await tx.execute(sql`SELECT pg_sleep(0.01)`);
          }),
        ),
      );
      if (i % 10 < batch.length || i === movements.length) await expectRollupEqualsDefinition();
    }

    // A subscription moves to the other plan: its movements now count for that one.
    await t.db.execute(sql`
      UPDATE subscriptions SET plan_id = (SELECT id FROM plans WHERE key = 'premium')
      WHERE id = (SELECT s.id FROM subscriptions s JOIN plans p ON p.id = s.plan_id
                  WHERE p.key = 'basic' AND EXISTS (SELECT 1 FROM mrr_movements m WHERE m.subscription_id = s.id)
                  ORDER BY s.stripe_subscription_id LIMIT 1)`);
    await expectRollupEqualsDefinition();
    // A movement removed (and one changed): the customer's later days follow.
    await t.db.execute(sql`DELETE FROM mrr_movements WHERE id = (SELECT min(id) FROM mrr_movements)`);
    await t.db.execute(
      sql`UPDATE mrr_movements SET at = at - interval '20 days' WHERE id = (SELECT max(id) FROM mrr_movements)`,
    );
    await expectRollupEqualsDefinition();
  });

  it('customer_first_payments equals the first paid invoice with money in it, per customer', async () => {
    const customer = (
      await t.db.execute<{ id: string }>(sql`SELECT id FROM customers ORDER BY stripe_customer_id LIMIT 1`)
    ).rows[0]!.id;
    const invoice = (id: string, status: string, paidAt: string | null, paid: number) => sql`
      INSERT INTO invoices (stripe_invoice_id, customer_id, status, currency, amount_due_minor, amount_paid_minor,
                            amount_remaining_minor, subtotal_minor, total_minor, attempt_count, paid_at, created_at,
                            stripe_version_at)
      VALUES (${id}, ${customer}, ${status}, 'usd', 1000, ${paid}, ${1000 - paid}, 1000, 1000, 1, ${paidAt},
              '2026-01-01', '2026-01-01')`;
    const expected = async () =>
      (
        await t.db.execute(sql`
          SELECT c.id, f.first_paid_at AS kept,
                 (SELECT min(i.paid_at) FROM invoices i WHERE i.customer_id = c.id AND i.status = 'paid'
                    AND i.amount_paid_minor > 0) AS derived
          FROM customers c LEFT JOIN customer_first_payments f ON f.customer_id = c.id`)
      ).rows.filter((r) => String(r.kept) !== String(r.derived));
    await t.db.execute(invoice('in_r1', 'paid', '2026-03-05T10:00:00Z', 1000));
    await t.db.execute(invoice('in_r2', 'paid', '2026-02-01T10:00:00Z', 0)); // nothing paid: not a payment
    await t.db.execute(invoice('in_r3', 'open', null, 0));
    expect(await expected()).toEqual([]);
    const kept = async () =>
      (
        await t.db.execute(
          sql`SELECT first_paid_at FROM customer_first_payments WHERE customer_id = ${customer}`,
        )
      ).rows[0]?.first_paid_at;
    expect(new Date(String(await kept())).toISOString()).toBe('2026-03-05T10:00:00.000Z');
    // A later-arriving earlier payment, then that invoice voided (as a repair would): the first payment follows.
    await t.db
      .execute(sql`UPDATE invoices SET status = 'paid', paid_at = '2026-01-20T08:00:00Z', amount_paid_minor = 1000,
                                               amount_remaining_minor = 0 WHERE stripe_invoice_id = 'in_r3'`);
    expect(new Date(String(await kept())).toISOString()).toBe('2026-01-20T08:00:00.000Z');
    await t.db.execute(sql`UPDATE invoices SET status = 'void' WHERE stripe_invoice_id = 'in_r3'`);
    expect(new Date(String(await kept())).toISOString()).toBe('2026-03-05T10:00:00.000Z');
    await t.db.execute(sql`DELETE FROM invoices WHERE stripe_invoice_id = 'in_r1'`);
    expect(await kept()).toBeUndefined();
    expect(await expected()).toEqual([]);
  });
  it('customer_first_payments: a later payment leaves it, a payment moved to another customer moves it', async () => {
    const ids = (
      await t.db.execute<{ id: string }>(
        sql`SELECT id FROM customers ORDER BY stripe_customer_id LIMIT 2 OFFSET 2`,
      )
    ).rows.map((r) => r.id);
    const [a, b] = [ids[0]!, ids[1]!];
    const pay = (id: string, customer: string, paidAt: string) => sql`
      INSERT INTO invoices (stripe_invoice_id, customer_id, status, currency, amount_due_minor, amount_paid_minor,
                            amount_remaining_minor, subtotal_minor, total_minor, attempt_count, paid_at, created_at,
                            stripe_version_at)
      VALUES (${id}, ${customer}, 'paid', 'usd', 500, 500, 0, 500, 500, 1, ${paidAt}, '2026-01-01', '2026-01-01')`;
    const first = async (customer: string) => {
      const r = await t.db.execute(
        sql`SELECT first_paid_at FROM customer_first_payments WHERE customer_id = ${customer}`,
      );
      return r.rows[0] ? new Date(String(r.rows[0].first_paid_at)).toISOString() : null;
    };
    await t.db.execute(pay('in_m1', a, '2026-04-02T00:00:00Z'));
    await t.db.execute(pay('in_m2', a, '2026-05-09T00:00:00Z'));
    expect(await first(a)).toBe('2026-04-02T00:00:00.000Z');
    // the later one voided: the first stays; the first one moved to customer b: a's first is the later one
    await t.db.execute(sql`UPDATE invoices SET status = 'void' WHERE stripe_invoice_id = 'in_m2'`);
    expect(await first(a)).toBe('2026-04-02T00:00:00.000Z');
    await t.db.execute(sql`UPDATE invoices SET status = 'paid' WHERE stripe_invoice_id = 'in_m2'`);
    await t.db.execute(sql`UPDATE invoices SET customer_id = ${b} WHERE stripe_invoice_id = 'in_m1'`);
    expect(await first(a)).toBe('2026-05-09T00:00:00.000Z');
    expect(await first(b)).toBe('2026-04-02T00:00:00.000Z');
    // paid earlier than it said (a correction): both follow in one statement
    await t.db.execute(sql`UPDATE invoices SET paid_at = paid_at - interval '40 days'
                           WHERE stripe_invoice_id IN ('in_m1', 'in_m2')`);
    expect(await first(a)).toBe('2026-03-30T00:00:00.000Z');
    expect(await first(b)).toBe('2026-02-21T00:00:00.000Z');
  });

  it('revenue_months and payment_attempt_months sum to their rows before and after a fold, a writer committing across it', async () => {
    // gbp only here, so the figures below are this test's own
    const sub = async (stripeId: string) =>
      (
        await t.db.execute<{ id: string; customer_id: string }>(sql`
        SELECT id, customer_id FROM subscriptions WHERE stripe_subscription_id = ${stripeId}`)
      ).rows[0]!;
    const s1 = await sub('sub_r1_1');
    const s2 = await sub('sub_r2_1');
    await t.db.execute(sql`UPDATE subscriptions SET plan_id = (SELECT id FROM plans WHERE key = 'basic')
                           WHERE id IN (${s1.id}, ${s2.id})`);
    let n = 0;
    const invoice = (
      s: { id: string; customer_id: string },
      status: string,
      paidAt: string | null,
      paid: number,
    ) => {
      n += 1;
      return sql`
        INSERT INTO invoices (stripe_invoice_id, customer_id, subscription_id, status, currency, amount_due_minor,
                              amount_paid_minor, amount_remaining_minor, subtotal_minor, total_minor, attempt_count,
                              paid_at, created_at, stripe_version_at)
        VALUES (${`in_g${n}`}, ${s.customer_id}, ${s.id}, ${status}, 'gbp', ${paid}, ${paid}, 0, ${paid}, ${paid}, 1,
                ${paidAt}, '2026-01-01', '2026-01-01')`;
    };
    const payment = (inv: string, status: string, at: string, decline: string | null) => {
      n += 1;
      return sql`
        INSERT INTO payments (stripe_payment_intent_id, invoice_id, amount_minor, currency, status, decline_code,
                              card_brand, card_country, created_at, stripe_version_at)
        SELECT ${`pi_g${n}`}, id, 1000, 'gbp', ${status}, ${decline}, 'visa', 'GB', ${at}, '2026-01-01'
        FROM invoices WHERE stripe_invoice_id = ${inv}`;
    };
    await t.db.execute(invoice(s1, 'paid', '2026-02-03T00:00:00Z', 1000)); // in_g1
    await t.db.execute(invoice(s1, 'paid', '2026-02-20T00:00:00Z', 1500)); // in_g2
    await t.db.execute(invoice(s2, 'paid', '2026-03-01T00:00:00Z', 700)); // in_g3
    await t.db.execute(invoice(s2, 'open', null, 900)); // in_g4
    await t.db.execute(payment('in_g1', 'succeeded', '2026-02-03T00:00:00Z', null));
    await t.db.execute(payment('in_g2', 'failed', '2026-02-19T00:00:00Z', 'insufficient_funds'));
    await t.db.execute(payment('in_g2', 'succeeded', '2026-02-20T00:00:00Z', null));
    await t.db.execute(payment('in_g3', 'requires_action', '2026-03-01T00:00:00Z', null)); // not decided: no attempt
    // in_g2 refunded in full as a correction (not paid any more), s2 moved to premium
    await t.db.execute(sql`UPDATE invoices SET status = 'void' WHERE stripe_invoice_id = 'in_g2'`);
    await t.db.execute(sql`UPDATE subscriptions SET plan_id = (SELECT id FROM plans WHERE key = 'premium')
                           WHERE id = ${s2.id}`);

    const revenue = async () =>
      (
        await t.db.execute(sql`
          SELECT p.key AS plan, to_char(r.month, 'YYYY-MM') AS month, sum(r.invoices_paid)::int AS paid,
                 sum(r.collected_minor)::int AS collected
          FROM revenue_months r JOIN plans p ON p.id = r.plan_id WHERE r.currency = 'gbp'
          GROUP BY 1, 2 HAVING sum(r.invoices_paid) <> 0 OR sum(r.collected_minor) <> 0 ORDER BY 1, 2`)
      ).rows;
    const attempts = async () =>
      (
        await t.db.execute(sql`
          SELECT p.key AS plan, to_char(r.month, 'YYYY-MM') AS month, r.decline_code AS decline,
                 sum(r.attempts)::int AS attempts, sum(r.failures)::int AS failures
          FROM payment_attempt_months r JOIN plans p ON p.id = r.plan_id WHERE r.currency = 'gbp'
          GROUP BY 1, 2, 3 HAVING sum(r.attempts) <> 0 ORDER BY 1, 2, 3 NULLS FIRST`)
      ).rows;
    const rows = async () =>
      Number(
        (
          await t.db.execute(sql`SELECT (SELECT count(*) FROM revenue_months WHERE currency = 'gbp')
                                       + (SELECT count(*) FROM payment_attempt_months WHERE currency = 'gbp') AS n`)
        ).rows[0]!.n,
      );
    const revenueByHand = [
      { plan: 'basic', month: '2026-02', paid: 1, collected: 1000 },
      { plan: 'premium', month: '2026-03', paid: 1, collected: 700 },
    ];
    const attemptsByHand = [
      { plan: 'basic', month: '2026-02', decline: null, attempts: 2, failures: 0 },
      { plan: 'basic', month: '2026-02', decline: 'insufficient_funds', attempts: 1, failures: 1 },
    ];
    expect(await revenue()).toEqual(revenueByHand);
    expect(await attempts()).toEqual(attemptsByHand);
    const before = await rows();
    expect(before).toBeGreaterThan(4); // deltas: one per writing statement and key

    // A writer's transaction open across the fold: its rows are neither lost nor counted twice.
    const writer = new pg.Client({ connectionString: t.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE invoices SET status = 'paid', paid_at = '2026-03-15T00:00:00Z', amount_paid_minor = 900
                          WHERE stripe_invoice_id = 'in_g4'`);
      expect(await compactRollups(t.db)).toBeGreaterThan(0);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    expect(await revenue()).toEqual([
      { plan: 'basic', month: '2026-02', paid: 1, collected: 1000 },
      { plan: 'premium', month: '2026-03', paid: 2, collected: 1600 },
    ]);
    expect(await attempts()).toEqual(attemptsByHand);
    // folded to one row per key (basic 2026-02, premium 2026-03; three attempt keys: the uncommitted writer's row
    // came after), then again: one row per key, nothing left to fold
    await compactRollups(t.db);
    expect(await rows()).toBe(2 + 2);
    expect(await compactRollups(t.db)).toBe(0);
    expect(await revenue()).toEqual([
      { plan: 'basic', month: '2026-02', paid: 1, collected: 1000 },
      { plan: 'premium', month: '2026-03', paid: 2, collected: 1600 },
    ]);
  });
});
