/**
 * `GET /api/admin/reports/revenue?from=&to=`: cash, not run rate (docs/METRICS.md §revenue). Per currency and
 * calendar month: cash collected from paid invoices (by the invoice's `paid_at`, Stripe's time), refunds (by the
 * refund's `created`; failed and canceled refunds excluded), net = collected − refunded, and disputes shown apart —
 * amounts opened in the month and amounts lost in it (by the close) — never netted into collected. Refunds, credit
 * notes and disputes never change MRR; they live here.
 * `plan=` keeps the money of invoices whose subscription is (currently) on that plan; a refund or dispute counts
 * for a plan only when its payment is linked to such an invoice.
 * `provider=` and `country=` keep the money of the customers matching (customer-filter.ts): an invoice's customer,
 * a refund's or dispute's payment's customer (else its invoice's; one linked to neither is left out). The rollup
 * (revenue_months) has no customer, so with either filter the paid invoices are summed from `invoices` itself.
 * Its months are UTC months, so with a `tz` other than UTC they are summed from `invoices` too, by the local month
 * of `paid_at` (a local month is not a union of UTC months).
 * Conventions do not change cash; the report accepts and echoes them all.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { ReportParams } from '../report-params.js';
import { customerMatch, filtersCustomers } from '../customer-filter.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';
import { byCurrency } from '../by-currency.js';
import { UTC } from '../periods.js';
import { truncIn } from '../zone-sql.js';

export interface RevenueMonth {
  month: string;
  invoicesPaid: number;
  collected: number;
  refunded: number;
  net: number;
  disputesOpened: number;
  disputesLost: number;
}

/** The invoice (`i`) a money row belongs to, and its plan filter. */
const planOf = (plan: string | null): SQL =>
  plan === null
    ? sql`true`
    : sql`EXISTS (SELECT 1 FROM subscriptions s JOIN plans p ON p.id = s.plan_id
                  WHERE s.id = i.subscription_id AND p.key = ${plan})`;

/**
 * Paid invoices as cash rows (currency, at, collected, refunded, opened, lost, paid). Unfiltered by customer, in
 * UTC: from their maintained monthly sums (revenue_months: delta rows per currency, plan and month until folded,
 * summed here; a key summing to nothing is no row), not two million invoices per request. By customer, or in
 * another zone: from `invoices` (the rollup has no customer column, and its months are UTC ones), the rows the
 * rollup's triggers count — status paid with a `paid_at`.
 */
function paidInvoices(p: ReportParams, first: Date, last: Date): SQL {
  if (filtersCustomers(p) || p.tz !== UTC) {
    return sql`
        SELECT i.currency, i.paid_at AS at, i.amount_paid_minor::bigint AS collected, 0::bigint AS refunded,
               0::bigint AS opened, 0::bigint AS lost, 1::bigint AS paid
        FROM invoices i
        WHERE i.status = 'paid' AND i.paid_at >= ${first} AND i.paid_at < ${last} AND ${planOf(p.plan)}
          AND ${customerMatch(p, sql`i.customer_id`)}`;
  }
  return sql`
        SELECT rm.currency, rm.month AS at, sum(rm.collected_minor)::bigint AS collected, 0::bigint AS refunded,
               0::bigint AS opened, 0::bigint AS lost, sum(rm.invoices_paid)::bigint AS paid
        FROM revenue_months rm WHERE ${
          p.plan === null ? sql`true` : sql`rm.plan_id = (SELECT id FROM plans WHERE key = ${p.plan})`
        }
        GROUP BY rm.currency, rm.month, rm.plan_id
        HAVING sum(rm.invoices_paid) <> 0 OR sum(rm.collected_minor) <> 0`;
}

async function revenue(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const first = p.months[0];
  const last = p.months.at(-1);
  if (!first || !last) return { body: { ...answerHead('revenue', p), series: [] }, rows: [] };
  const currency = p.currency === null ? sql`true` : sql`x.currency = ${p.currency}`;
  const starts = p.months.map((m) => m.start.toISOString());
  const ends = p.months.map((m) => m.end.toISOString());
  const labels = p.months.map((m) => m.month);
  const currencies =
    p.currency === null
      ? sql`SELECT DISTINCT currency FROM cash`
      : sql`SELECT ${p.currency}::text AS currency`;
  const result = await db.execute<Record<string, string | number>>(sql`
    WITH cash AS (
      SELECT x.* FROM (
        ${paidInvoices(p, first.start, last.end)}
        UNION ALL
        SELECT r.currency, r.created_at, 0, r.amount_minor, 0, 0, 0
        FROM refunds r LEFT JOIN payments pay ON pay.id = r.payment_id LEFT JOIN invoices i ON i.id = pay.invoice_id
        WHERE coalesce(r.status, 'succeeded') NOT IN ('failed', 'canceled') AND ${planOf(p.plan)}
          AND ${customerMatch(p, sql`coalesce(pay.customer_id, i.customer_id)`)}
        UNION ALL
        SELECT d.currency, d.created_at, 0, 0, d.amount_minor, 0, 0
        FROM disputes d LEFT JOIN payments pay ON pay.id = d.payment_id LEFT JOIN invoices i ON i.id = pay.invoice_id
        WHERE ${planOf(p.plan)} AND ${customerMatch(p, sql`coalesce(pay.customer_id, i.customer_id)`)}
        UNION ALL
        SELECT d.currency, d.closed_at, 0, 0, 0, d.amount_minor, 0
        FROM disputes d LEFT JOIN payments pay ON pay.id = d.payment_id LEFT JOIN invoices i ON i.id = pay.invoice_id
        WHERE d.status = 'lost' AND d.closed_at IS NOT NULL AND ${planOf(p.plan)}
          AND ${customerMatch(p, sql`coalesce(pay.customer_id, i.customer_id)`)}
      ) x
      WHERE ${currency} AND x.at >= ${first.start} AND x.at < ${last.end}
    ),
    months AS (
      SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[],
                           ${sql.param(labels)}::text[]) AS mo(start, "end", label)
    ),
    -- one hashed pass per currency and month, then months matched by equality (not every row against every month)
    per_month AS (
      SELECT currency, ${truncIn('month', sql`at`, p.tz)} AS month, sum(paid) AS paid, sum(collected) AS collected,
             sum(refunded) AS refunded, sum(opened) AS opened, sum(lost) AS lost
      FROM cash GROUP BY 1, 2
    ),
    currencies AS (${currencies})
    SELECT cur.currency, mo.label AS month,
           coalesce(c.paid, 0)::int AS invoices_paid,
           coalesce(c.collected, 0)::bigint AS collected,
           coalesce(c.refunded, 0)::bigint AS refunded,
           coalesce(c.opened, 0)::bigint AS opened,
           coalesce(c.lost, 0)::bigint AS lost
    FROM currencies cur CROSS JOIN months mo
    LEFT JOIN per_month c ON c.currency = cur.currency AND c.month = mo.start
    ORDER BY cur.currency, mo.start`);
  const rows = result.rows.map((r) => ({
    currency: String(r.currency),
    month: String(r.month),
    invoicesPaid: Number(r.invoices_paid),
    collected: Number(r.collected),
    refunded: Number(r.refunded),
    net: Number(r.collected) - Number(r.refunded),
    disputesOpened: Number(r.opened),
    disputesLost: Number(r.lost),
  }));
  const series = byCurrency(rows).map((s) => ({
    currency: s.currency,
    months: s.rows.map(({ currency: _currency, ...m }): RevenueMonth => m),
  }));
  return {
    body: { ...answerHead('revenue', p), series },
    rows: rows.map((m) => ({
      currency: m.currency,
      month: m.month,
      invoices_paid: m.invoicesPaid,
      collected: m.collected,
      refunded: m.refunded,
      net: m.net,
      disputes_opened: m.disputesOpened,
      disputes_lost: m.disputesLost,
    })),
  };
}

export const revenueReport: Report = {
  name: 'revenue',
  honours: {
    pastDue: ['count', 'exclude'],
    trials: ['zero', 'list'],
    churnAt: ['period_end', 'cancel_request'],
    sameWindow: ['include', 'exclude'],
  },
  run: revenue,
};
