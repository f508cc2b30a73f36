/**
 * The billing state of a database as comparable data, for tests that run one event stream two ways (crashed vs
 * uninterrupted, two processes vs one) and require the same result: every mirrored row, mrr_movements, users'
 * roles, the audit rows (role changes included), dunning cases and their steps, the outbox, billing errors and every
 * stored event's status. Only what the database or our clock generates locally is normalised away: surrogate ids
 * (foreign keys are shown as the Stripe id or key of the row they point to), `updated_at`/`received_at`/
 * `processed_at`/`available_at`/`created_at` defaults, the audit row's time and hash chain. Everything Stripe said
 * (its ids, amounts, statuses, its `created` times and every `stripe_version_at`) is compared as is.
 * Rows are sorted by content, so the order in which concurrent workers inserted them does not matter.
 */
import type pg from 'pg';

export type BillingSnapshot = Record<string, unknown[]> & {
  users: unknown[];
  mrr_movements: unknown[];
  audit_log: unknown[];
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/**
 * Keys inside JSON (audit before/after/cause) set from our clock: a row's `updatedAt`, and the `at` of a role
 * change's cause (the instant entitlement was evaluated: the later of the event time and now).
 */
const CLOCK_JSON_KEYS = new Set(['updatedAt', 'at']);

/** What each local surrogate id stands for (its Stripe id or key), so a reference by id compares by meaning. */
const LABELS = `
  SELECT id::text, 'customer:' || stripe_customer_id AS label FROM customers
  UNION ALL SELECT id::text, 'subscription:' || stripe_subscription_id FROM subscriptions
  UNION ALL SELECT id::text, 'item:' || stripe_subscription_item_id FROM subscription_items
  UNION ALL SELECT id::text, 'invoice:' || stripe_invoice_id FROM invoices
  UNION ALL SELECT id::text, 'payment:' || coalesce(stripe_payment_intent_id, stripe_charge_id) FROM payments
  UNION ALL SELECT id::text, 'refund:' || stripe_refund_id FROM refunds
  UNION ALL SELECT id::text, 'dispute:' || stripe_dispute_id FROM disputes
  UNION ALL SELECT id::text, 'payment_method:' || stripe_payment_method_id FROM payment_methods
  UNION ALL SELECT id::text, 'plan:' || key FROM plans
  UNION ALL SELECT id::text, 'price:' || stripe_price_id FROM plan_prices
  UNION ALL SELECT id::text, 'dunning:' || coalesce(stripe_invoice_id, subscription_id::text) || '@' || opened_at FROM dunning_cases
  UNION ALL SELECT id::text, 'billing_error:' || kind || ':' || subject FROM billing_errors`;

const QUERIES: Record<string, string> = {
  users: `SELECT id AS user_id, email, role FROM users`,
  customers: `SELECT * FROM customers`,
  subscriptions: `SELECT s.*, c.stripe_customer_id AS customer, p.key AS plan
                  FROM subscriptions s JOIN customers c ON c.id = s.customer_id LEFT JOIN plans p ON p.id = s.plan_id`,
  subscription_items: `SELECT i.*, s.stripe_subscription_id AS subscription, pp.stripe_price_id AS plan_price
                       FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
                       LEFT JOIN plan_prices pp ON pp.id = i.plan_price_id`,
  invoices: `SELECT i.*, c.stripe_customer_id AS customer, s.stripe_subscription_id AS subscription
             FROM invoices i JOIN customers c ON c.id = i.customer_id LEFT JOIN subscriptions s ON s.id = i.subscription_id`,
  payments: `SELECT p.*, c.stripe_customer_id AS customer, i.stripe_invoice_id AS invoice
             FROM payments p LEFT JOIN customers c ON c.id = p.customer_id LEFT JOIN invoices i ON i.id = p.invoice_id`,
  refunds: `SELECT r.*, p.stripe_charge_id AS payment FROM refunds r LEFT JOIN payments p ON p.id = r.payment_id`,
  disputes: `SELECT d.*, p.stripe_charge_id AS payment FROM disputes d LEFT JOIN payments p ON p.id = d.payment_id`,
  payment_methods: `SELECT * FROM payment_methods`,
  mrr_movements: `SELECT m.*, c.stripe_customer_id AS customer, s.stripe_subscription_id AS subscription
                  FROM mrr_movements m JOIN customers c ON c.id = m.customer_id
                  JOIN subscriptions s ON s.id = m.subscription_id`,
  audit_log: `SELECT actor_type, actor_id, action, subject_type, subject_id, before, after, reason, cause FROM audit_log`,
  dunning_cases: `SELECT d.*, s.stripe_subscription_id AS subscription, c.stripe_customer_id AS customer
                  FROM dunning_cases d JOIN subscriptions s ON s.id = d.subscription_id
                  JOIN customers c ON c.id = d.customer_id`,
  dunning_case_events: `SELECT e.*, d.stripe_invoice_id AS case_invoice, d.opened_at AS case_opened_at
                        FROM dunning_case_events e JOIN dunning_cases d ON d.id = e.case_id`,
  outbox: `SELECT * FROM outbox`,
  billing_errors: `SELECT kind, subject, event_id, message, occurrences, status FROM billing_errors`,
  role_overrides: `SELECT user_id, role, reason, set_by_type, set_by, cleared_by_type, clear_kind FROM role_overrides`,
  stripe_events: `SELECT id AS event_id, type, ordering_key, status, note, attempts, last_error, billing_error_id IS NOT NULL AS failed
                  FROM stripe_events`,
};

/** Columns generated locally (ids, foreign ids replaced by the joined natural key, defaults from now()). */
const LOCAL_COLUMNS = new Set([
  'id',
  'customer_id',
  'subscription_id',
  'plan_id',
  'plan_price_id',
  'invoice_id',
  'payment_id',
  'case_id',
  'updated_at',
]);
/** Per table: `created_at` set by the database (not Stripe's created). */
const LOCAL_CREATED_AT = new Set(['mrr_movements', 'dunning_cases']);

function normalise(value: unknown, labels: Map<string, string>, inJson: boolean): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => normalise(v, labels, true));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      out[k] = inJson && CLOCK_JSON_KEYS.has(k) ? '<clock>' : normalise(v, labels, true);
    }
    return out;
  }
  if (typeof value === 'string') return value.replace(UUID, (id) => `<${labels.get(id) ?? 'unknown id'}>`);
  return value;
}

export async function billingSnapshot(pool: pg.Pool): Promise<BillingSnapshot> {
  const out: Record<string, unknown[]> = {};
  const labels = new Map(
    (await pool.query<{ id: string; label: string }>(LABELS)).rows.map((r) => [r.id, r.label] as const),
  );
  for (const [table, query] of Object.entries(QUERIES)) {
    const { rows } = await pool.query<Record<string, unknown>>(query);
    const shaped = rows.map((row) => {
      const r: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        if (LOCAL_COLUMNS.has(k)) continue;
        if (k === 'created_at' && LOCAL_CREATED_AT.has(table)) continue;
        r[k] = v;
      }
      return normalise(r, labels, false) as Record<string, unknown>;
    });
    out[table] = shaped
      .map((r) => [JSON.stringify(r), r] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r);
  }
  return out as BillingSnapshot;
}
