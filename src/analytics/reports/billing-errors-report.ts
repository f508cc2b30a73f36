/**
 * `GET /api/admin/reports/billing-errors?from=&to=`: the failures that needed a person, per calendar month (docs/
 * METRICS.md §billing-errors), from `billing_errors`: raised (first seen in the month), resolved and ignored (closed
 * in the month), still open at the month's end, the median time to resolve of the ones resolved in the month, and
 * the raised ones by kind. Times are the app's own (when the dispatcher gave up, when an admin closed it), not
 * Stripe's. Not money: `currency` and `plan` do not apply and are only echoed; so are the conventions.
 * `provider=` and `country=` keep the errors about the customers matching (customer-filter.ts): those whose event
 * (`event_id`) is ordered by such a customer's Stripe id — an error raised by no customer's event is left out.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { ReportParams } from '../report-params.js';
import { customerMatch, filtersCustomers } from '../customer-filter.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';

export interface BillingErrorsMonth {
  month: string;
  raised: number;
  resolved: number;
  ignored: number;
  openAtEnd: number;
  medianSecondsToResolve: number | null;
  raisedByKind: Record<string, number>;
}

async function billingErrors(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const starts = p.months.map((m) => m.start.toISOString());
  const ends = p.months.map((m) => m.end.toISOString());
  const labels = p.months.map((m) => m.month);
  // an error's customer: the one its latest event is ordered by (the inbox keys a customer's events by its Stripe id)
  const errors = filtersCustomers(p)
    ? sql`(SELECT b.* FROM billing_errors b JOIN stripe_events se ON se.id = b.event_id
           JOIN customers bc ON bc.stripe_customer_id = se.ordering_key
           WHERE ${customerMatch(p, sql`bc.id`)})`
    : sql`billing_errors`;
  const result = await db.execute<{
    month: string;
    raised: number;
    resolved: number;
    ignored: number;
    open_at_end: number;
    median_seconds: string | number | null;
    by_kind: Record<string, number> | null;
  }>(sql`
    WITH months AS (
      SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[],
                           ${sql.param(labels)}::text[]) AS mo(start, "end", label)
    )
    SELECT mo.label AS month,
      (count(*) FILTER (WHERE e.first_seen_at >= mo.start AND e.first_seen_at < mo."end"))::int AS raised,
      (count(*) FILTER (WHERE e.status = 'resolved' AND e.resolved_at >= mo.start AND e.resolved_at < mo."end"))::int
        AS resolved,
      (count(*) FILTER (WHERE e.status = 'ignored' AND e.resolved_at >= mo.start AND e.resolved_at < mo."end"))::int
        AS ignored,
      (count(*) FILTER (WHERE e.first_seen_at < mo."end" AND coalesce(e.resolved_at, 'infinity') >= mo."end"))::int
        AS open_at_end,
      round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.resolved_at - e.first_seen_at))
        FILTER (WHERE e.status = 'resolved' AND e.resolved_at >= mo.start AND e.resolved_at < mo."end"))::bigint
        AS median_seconds,
      (SELECT jsonb_object_agg(k.kind, k.n) FROM (
         SELECT kind, count(*)::int AS n FROM ${errors} be
         WHERE first_seen_at >= mo.start AND first_seen_at < mo."end" GROUP BY kind
       ) k) AS by_kind
    FROM months mo
    LEFT JOIN ${errors} e ON e.first_seen_at < mo."end"
    GROUP BY mo.start, mo."end", mo.label
    ORDER BY mo.start`);
  const months = result.rows.map((r): BillingErrorsMonth => ({
    month: r.month,
    raised: Number(r.raised),
    resolved: Number(r.resolved),
    ignored: Number(r.ignored),
    openAtEnd: Number(r.open_at_end),
    medianSecondsToResolve: r.median_seconds === null ? null : Number(r.median_seconds),
    raisedByKind: r.by_kind ?? {},
  }));
  return {
    body: { ...answerHead('billing-errors', p), months },
    rows: months.map((m) => ({
      month: m.month,
      raised: m.raised,
      resolved: m.resolved,
      ignored: m.ignored,
      open_at_end: m.openAtEnd,
      median_seconds_to_resolve: m.medianSecondsToResolve,
    })),
  };
}

export const billingErrorsReport: Report = {
  name: 'billing-errors',
  honours: {
    pastDue: ['count', 'exclude'],
    trials: ['zero', 'list'],
    churnAt: ['period_end', 'cancel_request'],
    sameWindow: ['include', 'exclude'],
  },
  run: billingErrors,
};
