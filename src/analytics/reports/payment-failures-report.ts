/**
 * `GET /api/admin/reports/payment-failures?from=&to=`: how often payments fail, and where (docs/METRICS.md
 * §payment-failures), per currency and calendar month of the payment's Stripe `created` (never its arrival), from
 * `payments` (one row per PaymentIntent, or per Charge without one):
 * - attempts: payments with an outcome — succeeded, or failed (a failed charge, or a failure code on the intent);
 *   payments still processing, awaiting action or cancelled without a failure are not attempts yet;
 * - failures: the failed ones; failureRate = failures ÷ attempts (null when there was no attempt);
 * - breakdowns of the month: by decline code (failures only; null = Stripe gave none), and by card brand, card
 *   issuing country and plan (attempts, failures, rate each; null = unknown / no plan), keys in order, nulls last.
 * The plan is the one the invoice's subscription is (currently) on; `plan=` keeps only such payments. One row per
 * PaymentIntent means Stripe's retries of one invoice are one attempt with the latest outcome: the schema keeps no
 * per-charge history. Conventions do not change it; all are echoed.
 * `provider=` and `country=` keep the payments of the customers matching (customer-filter.ts): the payment's customer,
 * else its invoice's. The rollup has no customer column, so with either filter the attempts are counted from
 * `payments` itself (the rows the rollup's triggers count) — and with a `tz` other than UTC too, by the local month
 * of `created`: the rollup's months are UTC months.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { customerMatch, filtersCustomers } from '../customer-filter.js';
import { ratio } from '../rates.js';
import type { ReportParams } from '../report-params.js';
import { answerHead, type CsvValue, type Report, type ReportAnswer } from '../report.js';
import { byCurrency } from '../by-currency.js';
import { UTC } from '../periods.js';
import { truncIn } from '../zone-sql.js';

export interface FailureSlice {
  key: string | null;
  attempts: number;
  failures: number;
  failureRate: number | null;
}

export interface PaymentFailuresMonth {
  month: string;
  attempts: number;
  failures: number;
  failureRate: number | null;
  byDeclineCode: Array<{ key: string | null; failures: number }>;
  byCardBrand: FailureSlice[];
  byCardCountry: FailureSlice[];
  byPlan: FailureSlice[];
}

type Dimension = 'decline_code' | 'card_brand' | 'card_country' | 'plan';

/**
 * The decided payments of the range (alias `a`) from their maintained monthly counts (payment_attempt_months, one row
 * per currency, month, plan, decline code, card brand and card country, as delta rows until folded): `attempts` and
 * `failures` per key, summed over its rows. Joining two million payments to their invoices per request took seconds
 * at 100k customers.
 */
function attemptsCte(p: ReportParams, first: Date, last: Date): SQL {
  if (filtersCustomers(p) || p.tz !== UTC) {
    return sql`
      SELECT pm.currency, ${truncIn('month', sql`pm.created_at`, p.tz)} AS month, pm.decline_code, pm.card_brand,
             pm.card_country, pl.key AS plan, count(*)::bigint AS attempts,
             (count(*) FILTER (WHERE payment_failed(pm.status, pm.charge_status, pm.failure_code)))::bigint AS failures
      FROM payments pm
      LEFT JOIN invoices i ON i.id = pm.invoice_id
      LEFT JOIN subscriptions s ON s.id = i.subscription_id
      LEFT JOIN plans pl ON pl.id = s.plan_id
      WHERE pm.created_at >= ${first} AND pm.created_at < ${last}
        AND (pm.status = 'succeeded' OR payment_failed(pm.status, pm.charge_status, pm.failure_code))
        AND ${p.currency === null ? sql`true` : sql`pm.currency = ${p.currency}`}
        AND ${p.plan === null ? sql`true` : sql`pl.key = ${p.plan}`}
        AND ${customerMatch(p, sql`coalesce(pm.customer_id, i.customer_id)`)}
      GROUP BY 1, 2, 3, 4, 5, 6`;
  }
  return sql`
    SELECT r.currency, r.month, r.decline_code, r.card_brand, r.card_country, pl.key AS plan,
           sum(r.attempts)::bigint AS attempts, sum(r.failures)::bigint AS failures
    FROM payment_attempt_months r LEFT JOIN plans pl ON pl.id = r.plan_id
    WHERE r.month >= ${first} AND r.month < ${last}
      AND ${p.currency === null ? sql`true` : sql`r.currency = ${p.currency}`}
      AND ${p.plan === null ? sql`true` : sql`pl.key = ${p.plan}`}
    GROUP BY r.currency, r.month, r.decline_code, r.card_brand, r.card_country, pl.key
    HAVING sum(r.attempts) <> 0`;
}

async function paymentFailures(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const first = p.months[0];
  const last = p.months.at(-1);
  if (!first || !last) return { body: { ...answerHead('payment-failures', p), series: [] }, rows: [] };
  const starts = p.months.map((m) => m.start.toISOString());
  const ends = p.months.map((m) => m.end.toISOString());
  const labels = p.months.map((m) => m.month);
  const months = sql`
    SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[],
                         ${sql.param(labels)}::text[]) AS mo(start, "end", label)`;
  const currencies =
    p.currency === null
      ? sql`SELECT DISTINCT currency FROM attempts`
      : sql`SELECT ${p.currency}::text AS currency`;
  const totals = await db.execute<Record<string, string | number>>(sql`
    WITH attempts AS (${attemptsCte(p, first.start, last.end)}), months AS (${months}),
         currencies AS (${currencies}),
         -- months matched by equality (2M payments × 36 months compared by range took 133 s at 100k customers)
         per_month AS (
           SELECT currency, month, sum(attempts) AS attempts, sum(failures) AS failures
           FROM attempts GROUP BY currency, month
         )
    SELECT cur.currency, mo.label AS month, coalesce(a.attempts, 0)::int AS attempts,
           coalesce(a.failures, 0)::int AS failures
    FROM currencies cur CROSS JOIN months mo
    LEFT JOIN per_month a ON a.currency = cur.currency AND a.month = mo.start
    ORDER BY cur.currency, mo.start`);
  const slices = await db.execute<Record<string, string | number | null>>(sql`
    WITH attempts AS (${attemptsCte(p, first.start, last.end)}), months AS (${months})
    SELECT a.currency, mo.label AS month,
           CASE WHEN GROUPING(a.decline_code) = 0 THEN 'decline_code'
                WHEN GROUPING(a.card_brand) = 0 THEN 'card_brand'
                WHEN GROUPING(a.card_country) = 0 THEN 'card_country'
                ELSE 'plan' END AS dimension,
           coalesce(a.decline_code, a.card_brand, a.card_country, a.plan) AS key,
           sum(a.attempts)::int AS attempts, sum(a.failures)::int AS failures
    FROM attempts a JOIN months mo ON mo.start = a.month
    GROUP BY a.currency, mo.label, GROUPING SETS ((a.decline_code), (a.card_brand), (a.card_country), (a.plan))
    HAVING sum(a.attempts) <> 0
    ORDER BY 1, 2, 3, 4 NULLS LAST`);

  const sliced = new Map<string, Map<Dimension, FailureSlice[]>>();
  for (const r of slices.rows) {
    const at = `${String(r.currency)} ${String(r.month)}`;
    const dims = sliced.get(at) ?? new Map<Dimension, FailureSlice[]>();
    sliced.set(at, dims);
    const dimension = String(r.dimension) as Dimension;
    const attempts = Number(r.attempts);
    const failures = Number(r.failures);
    const list = dims.get(dimension) ?? [];
    dims.set(dimension, list);
    list.push({
      key: r.key === null ? null : String(r.key),
      attempts,
      failures,
      failureRate: ratio(failures, attempts),
    });
  }

  const rows = totals.rows.map((r) => {
    const attempts = Number(r.attempts);
    const failures = Number(r.failures);
    const dims = sliced.get(`${String(r.currency)} ${String(r.month)}`);
    const of = (d: Dimension) => dims?.get(d) ?? [];
    return {
      currency: String(r.currency),
      month: String(r.month),
      attempts,
      failures,
      failureRate: ratio(failures, attempts),
      byDeclineCode: of('decline_code')
        .filter((s) => s.failures > 0)
        .map((s) => ({ key: s.key, failures: s.failures })),
      byCardBrand: of('card_brand'),
      byCardCountry: of('card_country'),
      byPlan: of('plan'),
    };
  });
  const series = byCurrency(rows).map((s) => ({
    currency: s.currency,
    months: s.rows.map(({ currency: _currency, ...m }): PaymentFailuresMonth => m),
  }));

  // CSV: one row per month (dimension "total"), then one per slice of each breakdown.
  const csv: Record<string, CsvValue>[] = [];
  for (const m of rows) {
    const row = (dimension: string, key: string | null, a: number | null, f: number, rate: number | null) =>
      csv.push({
        currency: m.currency,
        month: m.month,
        dimension,
        key,
        attempts: a,
        failures: f,
        failure_rate: rate,
      });
    row('total', null, m.attempts, m.failures, m.failureRate);
    for (const s of m.byDeclineCode) row('decline_code', s.key, null, s.failures, null);
    for (const s of m.byCardBrand) row('card_brand', s.key, s.attempts, s.failures, s.failureRate);
    for (const s of m.byCardCountry) row('card_country', s.key, s.attempts, s.failures, s.failureRate);
    for (const s of m.byPlan) row('plan', s.key, s.attempts, s.failures, s.failureRate);
  }
  return { body: { ...answerHead('payment-failures', p), series }, rows: csv };
}

export const paymentFailuresReport: Report = {
  name: 'payment-failures',
  honours: {
    pastDue: ['count', 'exclude'],
    trials: ['zero', 'list'],
    churnAt: ['period_end', 'cancel_request'],
    sameWindow: ['include', 'exclude'],
  },
  run: paymentFailures,
};
