/**
 * `GET /api/admin/reports/recovery?from=&to=`: failed payments and their recovery, per currency and calendar month
 * (docs/METRICS.md §recovery), from `dunning_cases` (each case's own opened / recovered / lost instants — the
 * Stripe events' times) and `mrr_movements`:
 * - opened, recovered, lost: cases opened / recovered / lost in the month; openAtEnd: cases still open at its end;
 * - recoveryRate = recovered ÷ (recovered + lost) among the cases decided in the month (null when none was);
 * - recoveredAmount: Σ amounts paid by the recovering invoices; recoveredMrr: Σ MRR of the recovered subscriptions
 *   at their recovery; lostMrr: Σ MRR of the lost subscriptions just before the loss;
 * - median and p90 time to recover (seconds, rounded) of the cases recovered in the month; recoveries per step
 *   (stripe_retry, card_update, manual).
 * `plan=` keeps cases whose subscription is (currently) on the plan; `provider=` and `country=` the cases of the
 * customers matching (customer-filter.ts). Conventions do not change it; all are echoed.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { customerMatch } from '../customer-filter.js';
import { ratio } from '../rates.js';
import type { ReportParams } from '../report-params.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';
import { byCurrency } from '../by-currency.js';

export interface RecoveryMonth {
  month: string;
  opened: number;
  recovered: number;
  lost: number;
  openAtEnd: number;
  recoveryRate: number | null;
  recoveredAmount: number;
  recoveredMrr: number;
  lostMrr: number;
  medianSecondsToRecover: number | null;
  p90SecondsToRecover: number | null;
  recoveriesByStep: { stripe_retry: number; card_update: number; manual: number };
}

async function recovery(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const starts = p.months.map((m) => m.start.toISOString());
  const ends = p.months.map((m) => m.end.toISOString());
  const labels = p.months.map((m) => m.month);
  const currencies =
    p.currency === null
      ? sql`SELECT DISTINCT currency FROM cases`
      : sql`SELECT ${p.currency}::text AS currency`;
  const result = await db.execute<Record<string, string | number | null>>(sql`
    WITH cases AS (
      SELECT dc.currency, dc.opened_at, dc.recovered_at, dc.lost_at, dc.recovered_amount_minor, dc.recovered_by,
             dc.time_to_recover_seconds,
             (SELECT coalesce(sum(m.delta_minor), 0) FROM mrr_movements m
              WHERE m.subscription_id = dc.subscription_id AND m.at <= dc.recovered_at) AS mrr_at_recovery,
             (SELECT coalesce(sum(m.delta_minor), 0) FROM mrr_movements m
              WHERE m.subscription_id = dc.subscription_id AND m.at < dc.lost_at) AS mrr_before_loss
      FROM dunning_cases dc
      JOIN subscriptions s ON s.id = dc.subscription_id
      LEFT JOIN plans p ON p.id = s.plan_id
      WHERE ${p.currency === null ? sql`true` : sql`dc.currency = ${p.currency}`}
        AND ${p.plan === null ? sql`true` : sql`p.key = ${p.plan}`}
        AND ${customerMatch(p, sql`s.customer_id`)}
    ),
    months AS (
      SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[],
                           ${sql.param(labels)}::text[]) AS mo(start, "end", label)
    ),
    currencies AS (${currencies})
    SELECT cur.currency, mo.label AS month,
      (count(*) FILTER (WHERE c.opened_at >= mo.start AND c.opened_at < mo."end"))::int AS opened,
      (count(*) FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"))::int AS recovered,
      (count(*) FILTER (WHERE c.lost_at >= mo.start AND c.lost_at < mo."end"))::int AS lost,
      (count(*) FILTER (WHERE c.opened_at < mo."end" AND coalesce(c.recovered_at, c.lost_at, 'infinity') >= mo."end"))::int
        AS open_at_end,
      coalesce(sum(c.recovered_amount_minor) FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"), 0)
        ::bigint AS recovered_amount,
      coalesce(sum(c.mrr_at_recovery) FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"), 0)
        ::bigint AS recovered_mrr,
      coalesce(sum(c.mrr_before_loss) FILTER (WHERE c.lost_at >= mo.start AND c.lost_at < mo."end"), 0)::bigint
        AS lost_mrr,
      round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.time_to_recover_seconds)
        FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"))::bigint AS median_seconds,
      round(percentile_cont(0.9) WITHIN GROUP (ORDER BY c.time_to_recover_seconds)
        FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"))::bigint AS p90_seconds,
      (count(*) FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"
                          AND c.recovered_by = 'stripe_retry'))::int AS by_stripe_retry,
      (count(*) FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"
                          AND c.recovered_by = 'card_update'))::int AS by_card_update,
      (count(*) FILTER (WHERE c.recovered_at >= mo.start AND c.recovered_at < mo."end"
                          AND c.recovered_by = 'manual'))::int AS by_manual
    FROM currencies cur CROSS JOIN months mo
    LEFT JOIN cases c ON c.currency = cur.currency
    GROUP BY cur.currency, mo.start, mo.label
    ORDER BY cur.currency, mo.start`);
  const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  const rows = result.rows.map((r) => {
    const recovered = Number(r.recovered);
    const lost = Number(r.lost);
    return {
      currency: String(r.currency),
      month: String(r.month),
      opened: Number(r.opened),
      recovered,
      lost,
      openAtEnd: Number(r.open_at_end),
      recoveryRate: ratio(recovered, recovered + lost),
      recoveredAmount: Number(r.recovered_amount),
      recoveredMrr: Number(r.recovered_mrr),
      lostMrr: Number(r.lost_mrr),
      medianSecondsToRecover: num(r.median_seconds),
      p90SecondsToRecover: num(r.p90_seconds),
      recoveriesByStep: {
        stripe_retry: Number(r.by_stripe_retry),
        card_update: Number(r.by_card_update),
        manual: Number(r.by_manual),
      },
    };
  });
  const series = byCurrency(rows).map((s) => ({
    currency: s.currency,
    months: s.rows.map(({ currency: _currency, ...m }): RecoveryMonth => m),
  }));
  return {
    body: { ...answerHead('recovery', p), series },
    rows: rows.map((m) => ({
      currency: m.currency,
      month: m.month,
      opened: m.opened,
      recovered: m.recovered,
      lost: m.lost,
      open_at_end: m.openAtEnd,
      recovery_rate: m.recoveryRate,
      recovered_amount: m.recoveredAmount,
      recovered_mrr: m.recoveredMrr,
      lost_mrr: m.lostMrr,
      median_seconds_to_recover: m.medianSecondsToRecover,
      p90_seconds_to_recover: m.p90SecondsToRecover,
      recovered_by_stripe_retry: m.recoveriesByStep.stripe_retry,
      recovered_by_card_update: m.recoveriesByStep.card_update,
      recovered_by_manual: m.recoveriesByStep.manual,
    })),
  };
}

export const recoveryReport: Report = {
  name: 'recovery',
  honours: {
    pastDue: ['count', 'exclude'],
    trials: ['zero', 'list'],
    churnAt: ['period_end', 'cancel_request'],
    sameWindow: ['include', 'exclude'],
  },
  run: recovery,
};
