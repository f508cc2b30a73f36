/**
 * A generated billing history for the report and console benchmarks (docs/DESIGN.md §9: 100k customers, 150k
 * subscriptions, ~2M invoices over 36 months), loaded with raw set-based SQL (no ORM, no per-row round trips).
 * Deterministic: every choice is a hash of the row's number, so two loads of the same size are the same history.
 *
 * Shape, per subscription k (customer 1 + (k − 1) mod N: the first N subscriptions give every customer one, the
 * rest a second one):
 * - currency eur for one in four, else usd; plan starter / pro / team; yearly for one in five; quantity 1-3 on team;
 * - starts on a day of one of the last M months (a trial of 14 days first for one in five);
 * - one in six changes quantity once (up two times in three, else down); about a third churn some months later;
 * - of those still live at the end: one in thirty past_due (its last invoice open), the rest active (or trialing
 *   when the trial has not ended yet);
 * - an invoice per billing period while live (paid when issued — `paid_at` set —, but the past_due one's last), an MRR movement at each change
 *   (time = the change), and the `customer.subscription.*` events the inbox would hold for each change (the
 *   reports rebuild a subscription's status at an instant from them).
 */
import type pg from 'pg';

export interface HistorySize {
  customers: number;
  months: number;
}

export interface LoadedHistory {
  customers: number;
  subscriptions: number;
  invoices: number;
  movements: number;
  events: number;
  /** The first instant of the history and its end (the 1st of the current month, 00:00 UTC). */
  from: Date;
  to: Date;
}

/**
 * Loads the history, or, when `reuse` (a kept BENCH_DATABASE) and customers are already there, only counts it
 * (the loaded history must be of the same size and loaded in the same month).
 */
export async function loadReportHistory(
  pool: pg.Pool,
  size: HistorySize,
  reuse = false,
): Promise<LoadedHistory> {
  const n = size.customers;
  const subs = Math.round(n * 1.5);
  const now = new Date();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - size.months, 1));
  if (reuse && (await pool.query('SELECT 1 FROM customers LIMIT 1')).rowCount) {
    return { ...(await counts((text) => pool.query(text))), from, to };
  }
  // One connection for the whole load: the plan lives in a temporary table.
  const client = await pool.connect();
  try {
    return await load(client, n, subs, size.months, from, to);
  } finally {
    client.release();
  }
}

async function load(
  client: pg.PoolClient,
  n: number,
  subs: number,
  months: number,
  from: Date,
  to: Date,
): Promise<LoadedHistory> {
  const q = (text: string, params: unknown[] = []) => client.query(text, params);

  await q(`
    INSERT INTO plans (key, name, grants_role, stripe_product_id) VALUES
      ('starter', 'Starter', 'professional', 'prod_h_starter'),
      ('pro', 'Pro', 'professional', 'prod_h_pro'),
      ('team', 'Team', 'enterprise', 'prod_h_team')`);
  await q(`
    INSERT INTO plan_prices (plan_id, stripe_price_id, currency, unit_amount_minor, interval)
    SELECT p.id, 'price_h_' || p.key || '_' || c.cur || '_' || i.iv, c.cur,
           (CASE p.key WHEN 'starter' THEN 1000 WHEN 'pro' THEN 2500 ELSE 9900 END) * (CASE i.iv WHEN 'year' THEN 10 ELSE 1 END),
           i.iv
    FROM plans p, (VALUES ('usd'), ('eur')) c(cur), (VALUES ('month'), ('year')) i(iv)`);

  await q(
    `INSERT INTO users (id, name, email, email_verified, role, signup_provider, created_at)
     SELECT 'user_h' || i, 'Customer ' || i, 'h' || i || '@example.com', true, 'member',
            (ARRAY['email','google','github','microsoft','linkedin','okta','airtable'])[1 + i % 7],
            $2::timestamptz + (abs(hashtext('u' || i)) % (extract(epoch FROM $3::timestamptz - $2::timestamptz))::int) * interval '1 second'
     FROM generate_series(1, $1::int) i`,
    [n, from, to],
  );
  await q(
    `INSERT INTO customers (user_id, stripe_customer_id, email, name, country, created_at, stripe_version_at)
     SELECT 'user_h' || i, 'cus_h' || i, 'h' || i || '@example.com', 'Customer ' || i,
            (ARRAY['US','DE','FR','GB','NL','ES'])[1 + i % 6], u.created_at, u.created_at
     FROM generate_series(1, $1::int) i JOIN users u ON u.id = 'user_h' || i`,
    [n],
  );

  // The plan of each subscription, as a temporary table every later statement reads.
  await q(
    `CREATE TEMP TABLE gen_subs AS
     WITH base AS (
       SELECT k, 1 + (k - 1) % $1::int AS cust,
              abs(hashtext('s' || k)) AS h1, abs(hashtext('t' || k)) AS h2, abs(hashtext('v' || k)) AS h3
       FROM generate_series(1, $2::int) k
       WHERE $4::timestamptz IS NOT NULL
     ), shaped AS (
       SELECT k, cust,
              CASE WHEN h1 % 4 = 0 THEN 'eur' ELSE 'usd' END AS currency,
              (ARRAY['starter','pro','team'])[1 + h1 % 3] AS plan,
              CASE WHEN h2 % 5 = 0 THEN 'year' ELSE 'month' END AS iv,
              CASE WHEN h1 % 3 = 2 THEN 1 + (h2 / 3) % 3 ELSE 1 END AS qty,
              $3::timestamptz + ((h2 / 7) % ($5::int * 30 - 1)) * interval '1 day' + (h3 % 86400) * interval '1 second' AS started,
              h1 % 5 = 1 AS trial,
              h3 % 6 = 0 AS changes, h3 % 9 < 6 AS up,
              h2 % 3 = 0 AS churns,
              h1 % 30 = 7 AS late
       FROM base
     )
     SELECT s.*, 'sub_h' || k AS sid, 'cus_h' || cust AS cid,
            s.started + CASE WHEN trial THEN interval '14 days' ELSE interval '0' END AS paying_from,
            s.started + ((abs(hashtext('c' || k)) % 400) + 20) * interval '1 day' AS change_at,
            s.started + ((abs(hashtext('x' || k)) % 700) + 45) * interval '1 day' AS churn_at
     FROM shaped s`,
    [n, subs, from, to, months],
  );
  // Clip the plan to the history's end: no change or churn after it.
  await q(
    `UPDATE gen_subs SET
       changes = changes AND change_at < $1 AND change_at > paying_from,
       churns = churns AND churn_at < $1 AND churn_at > paying_from`,
    [to],
  );
  await q(`UPDATE gen_subs SET changes = false WHERE churns AND change_at >= churn_at`);
  await q(`ALTER TABLE gen_subs ADD COLUMN unit bigint, ADD COLUMN q2 int, ADD COLUMN status text`);
  await q(`
    UPDATE gen_subs g SET unit = pp.unit_amount_minor,
      q2 = CASE WHEN NOT changes THEN qty WHEN up THEN qty + 1 ELSE greatest(qty - 1, 1) END
    FROM plan_prices pp WHERE pp.stripe_price_id = 'price_h_' || g.plan || '_' || g.currency || '_' || g.iv`);
  // A down-change at quantity 1 changes nothing: not a change.
  await q(`UPDATE gen_subs SET changes = false WHERE changes AND q2 = qty`);
  await q(
    `UPDATE gen_subs SET status = CASE
       WHEN churns THEN 'canceled'
       WHEN paying_from > $1 THEN 'trialing'
       WHEN late THEN 'past_due'
       ELSE 'active' END`,
    [to],
  );

  // MRR of a quantity: a month's price, or a year's / 12 rounded to the minor unit.
  const mrr = (qty: string) =>
    `CASE g.iv WHEN 'year' THEN round(g.unit * ${qty} / 12.0)::bigint ELSE g.unit * ${qty} END`;
  await q(`
    INSERT INTO subscriptions (stripe_subscription_id, customer_id, plan_id, stripe_price_id, status, quantity,
                               currency, current_period_start, current_period_end, trial_start, trial_end,
                               canceled_at, ended_at, mrr_minor, created_at, stripe_version_at, stripe_event_id)
    SELECT g.sid, c.id, p.id, 'price_h_' || g.plan || '_' || g.currency || '_' || g.iv, g.status,
           CASE WHEN g.changes THEN g.q2 ELSE g.qty END, g.currency,
           g.paying_from, g.paying_from + CASE g.iv WHEN 'year' THEN interval '1 year' ELSE interval '1 month' END,
           CASE WHEN g.trial THEN g.started END, CASE WHEN g.trial THEN g.paying_from END,
           CASE WHEN g.churns THEN g.churn_at END, CASE WHEN g.churns THEN g.churn_at END,
           CASE WHEN g.status IN ('active', 'past_due') THEN ${mrr('CASE WHEN g.changes THEN g.q2 ELSE g.qty END')} ELSE 0 END,
           g.started,
           greatest(g.started, CASE WHEN g.changes THEN g.change_at END, CASE WHEN g.churns THEN g.churn_at END),
           'evt_h' || g.k || '_last'
    FROM gen_subs g JOIN customers c ON c.stripe_customer_id = g.cid JOIN plans p ON p.key = g.plan`);

  // Movements: new when paying starts (the report reclassifies per customer and day), the change, the churn.
  await q(
    `INSERT INTO mrr_movements (customer_id, subscription_id, at, currency, mrr_before_minor, mrr_after_minor,
                                delta_minor, kind, cause_event_id)
     SELECT s.customer_id, s.id, m.at, g.currency, m.before, m.after, m.after - m.before, m.kind, m.evt
     FROM gen_subs g JOIN subscriptions s ON s.stripe_subscription_id = g.sid
     CROSS JOIN LATERAL (VALUES
       (g.paying_from, 0::bigint, ${mrr('g.qty')}, 'new', 'evt_h' || g.k || '_paid', g.paying_from <= $1),
       (g.change_at, ${mrr('g.qty')}, ${mrr('g.q2')}, CASE WHEN g.up THEN 'expansion' ELSE 'contraction' END,
        'evt_h' || g.k || '_change', g.changes),
       (g.churn_at, ${mrr('CASE WHEN g.changes THEN g.q2 ELSE g.qty END')}, 0::bigint, 'churn',
        'evt_h' || g.k || '_churn', g.churns)
     ) AS m(at, before, after, kind, evt, happened)
     WHERE m.happened`,
    [to],
  );

  // The inbox: the subscription events behind each change (status at an instant is rebuilt from them).
  await q(
    `INSERT INTO stripe_events (id, type, api_version, livemode, created_at, ordering_key, object_id, payload,
                                received_at, status, available_at, processed_at)
     SELECT e.id, e.type, '2026-10-28.endive', false, e.at, g.cid, g.sid,
            json_build_object('id', e.id, 'object', 'event', 'type', e.type, 'created', extract(epoch FROM e.at)::bigint,
              'data', json_build_object('object', json_build_object('id', g.sid, 'object', 'subscription',
                'customer', g.cid, 'status', e.status, 'cancel_at_period_end', false, 'currency', g.currency))),
            e.at, 'processed', e.at, e.at
     FROM gen_subs g
     CROSS JOIN LATERAL (VALUES
       ('evt_h' || g.k || '_created', 'customer.subscription.created', g.started,
        CASE WHEN g.trial THEN 'trialing' ELSE 'active' END, true),
       ('evt_h' || g.k || '_paid', 'customer.subscription.updated', g.paying_from, 'active', g.trial AND g.paying_from <= $1),
       ('evt_h' || g.k || '_change', 'customer.subscription.updated', g.change_at, 'active', g.changes),
       ('evt_h' || g.k || '_late', 'customer.subscription.updated', $1::timestamptz - interval '5 days', 'past_due',
        g.status = 'past_due'),
       ('evt_h' || g.k || '_churn', 'customer.subscription.deleted', g.churn_at, 'canceled', g.churns)
     ) AS e(id, type, at, status, happened)
     WHERE e.happened`,
    [to],
  );

  // Invoices: one per billing period while paying (monthly or yearly), paid but for a past_due one's last.
  await q(
    `INSERT INTO invoices (stripe_invoice_id, customer_id, subscription_id, status, currency, amount_due_minor,
                           amount_paid_minor, amount_remaining_minor, subtotal_minor, total_minor, attempt_count,
                           paid_at, created_at, stripe_version_at)
     SELECT 'in_h' || g.k || '_' || i, s.customer_id, s.id, st.status, g.currency, amt.a,
            CASE WHEN st.status = 'paid' THEN amt.a ELSE 0 END, CASE WHEN st.status = 'paid' THEN 0 ELSE amt.a END,
            amt.a, amt.a, 1, CASE WHEN st.status = 'paid' THEN p.at END, p.at, p.at
     FROM gen_subs g JOIN subscriptions s ON s.stripe_subscription_id = g.sid
     CROSS JOIN LATERAL generate_series(0, 1000) i
     CROSS JOIN LATERAL (SELECT g.paying_from + i * CASE g.iv WHEN 'year' THEN interval '1 year' ELSE interval '1 month' END AS at) p
     CROSS JOIN LATERAL (SELECT g.unit * CASE WHEN g.changes AND p.at >= g.change_at THEN g.q2 ELSE g.qty END AS a) amt
     CROSS JOIN LATERAL (SELECT CASE WHEN g.status = 'past_due'
                                      AND p.at + CASE g.iv WHEN 'year' THEN interval '1 year' ELSE interval '1 month' END > $1
                                 THEN 'open' ELSE 'paid' END AS status) st
     WHERE p.at < $1 AND (NOT g.churns OR p.at < g.churn_at)`,
    [to],
  );
  await q(`DROP TABLE gen_subs`);
  // VACUUM too: tables loaded in one go have no visibility map until autovacuum reaches them (on the shared VM it had
  // not after an hour), so every index-only scan fetched the heap — production tables are vacuumed.
  await q(`VACUUM (ANALYZE)`);

  return { ...(await counts(q)), from, to };
}

async function counts(q: (text: string) => Promise<pg.QueryResult>) {
  const count = async (table: string) =>
    Number((await q(`SELECT count(*)::bigint AS n FROM ${table}`)).rows[0].n);
  return {
    customers: await count('customers'),
    subscriptions: await count('subscriptions'),
    invoices: await count('invoices'),
    movements: await count('mrr_movements'),
    events: await count('stripe_events'),
  };
}
