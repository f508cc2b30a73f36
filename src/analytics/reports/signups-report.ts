/**
 * `GET /api/admin/reports/signups?from=&to=`: sign-ups and paid conversion by sign-up provider (docs/METRICS.md
 * §signups). Per provider (email, google, github, …: `users.signup_provider`; staff excluded) and sign-up month
 * (UTC, or of `tz`): sign-ups, paid conversions (of those users, the ones whose customer had a paid invoice with money in it by
 * the end of the range — Stripe's `paid_at`), conversion rate, and median time from sign-up to first payment.
 * And MRR by provider at the end of the range, per currency (a customer not linked to a user counts as `unlinked`).
 * `currency` and `plan` narrow the MRR block only (a conversion is a payment in any currency, on any plan).
 * `provider` keeps the users who signed up with it (and their customers' MRR); `country` the users whose customer
 * has that country (a user with no customer has no country) — both blocks (customer-filter.ts).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { userMatch } from '../customer-filter.js';
import { rolledUpDays } from '../rolled-up-days.js';
import { ratio } from '../rates.js';
import { truncIn } from '../zone-sql.js';
import type { ReportParams } from '../report-params.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';

export interface SignupMonth {
  month: string;
  signups: number;
  paidConversions: number;
  conversionRate: number | null;
  medianSecondsToFirstPayment: number | null;
}

async function signups(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const first = p.months[0];
  const last = p.months.at(-1);
  if (!first || !last)
    return { body: { ...answerHead('signups', p), series: [], mrrByProvider: [] }, rows: [] };
  const starts = p.months.map((m) => m.start.toISOString());
  const ends = p.months.map((m) => m.end.toISOString());
  const labels = p.months.map((m) => m.month);
  const [cohorts, mrr] = await Promise.all([
    db.execute<Record<string, string | number | null>>(sql`
      WITH providers AS (
        SELECT DISTINCT signup_provider AS provider FROM users u WHERE role <> 'admin' AND ${userMatch(p, sql`u.id`)}
      ),
      months AS (
        SELECT * FROM unnest(${sql.param(starts)}::timestamptz[], ${sql.param(ends)}::timestamptz[],
                             ${sql.param(labels)}::text[]) AS mo(start, "end", label)
      ),
      -- the user's customer's first payment (customer_first_payments, kept from invoices; one customer per user), if
      -- before the end; users matched to their month by equality (hashed), not by range
      joined AS (
        SELECT u.id, u.signup_provider AS provider, u.created_at, ${truncIn('month', sql`u.created_at`, p.tz)} AS month,
               CASE WHEN f.first_paid_at < ${last.end} THEN f.first_paid_at END AS first_paid_at
        FROM users u
        LEFT JOIN customers c ON c.user_id = u.id
        LEFT JOIN customer_first_payments f ON f.customer_id = c.id
        WHERE u.role <> 'admin' AND u.created_at >= ${first.start} AND u.created_at < ${last.end}
          AND ${userMatch(p, sql`u.id`)}
      )
      SELECT pr.provider, mo.label AS month, count(j.id)::int AS signups,
             count(j.first_paid_at)::int AS conversions,
             round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM j.first_paid_at - j.created_at))
               FILTER (WHERE j.first_paid_at IS NOT NULL))::bigint AS median_seconds
      FROM providers pr CROSS JOIN months mo
      LEFT JOIN joined j ON j.provider = pr.provider AND j.month = mo.start
      GROUP BY pr.provider, mo.start, mo.label
      ORDER BY pr.provider, mo.start`),
    db.execute<{ currency: string; provider: string; mrr: string | number; paying: number }>(sql`
      WITH days AS (${rolledUpDays({ ...p, until: last.end }, false)}),
      -- a customer's MRR at the range's end: its last row before it
      paying AS (
        SELECT customer_id, currency, after AS mrr FROM days
        WHERE after > 0 AND (next_day IS NULL OR next_day >= ${last.end})
      )
      SELECT pg.currency, coalesce(u.signup_provider, 'unlinked') AS provider, sum(pg.mrr)::bigint AS mrr,
             count(*)::int AS paying
      FROM paying pg JOIN customers c ON c.id = pg.customer_id LEFT JOIN users u ON u.id = c.user_id
      GROUP BY 1, 2 ORDER BY 1, 2`),
  ]);
  const series: Array<{ provider: string; months: SignupMonth[] }> = [];
  for (const r of cohorts.rows) {
    const provider = String(r.provider);
    if (series.at(-1)?.provider !== provider) series.push({ provider, months: [] });
    const signupCount = Number(r.signups);
    const conversions = Number(r.conversions);
    series.at(-1)!.months.push({
      month: String(r.month),
      signups: signupCount,
      paidConversions: conversions,
      conversionRate: ratio(conversions, signupCount),
      medianSecondsToFirstPayment: r.median_seconds === null ? null : Number(r.median_seconds),
    });
  }
  const mrrByProvider = mrr.rows.map((r) => ({
    currency: r.currency,
    provider: r.provider,
    mrr: Number(r.mrr),
    payingCustomers: Number(r.paying),
  }));
  return {
    body: { ...answerHead('signups', p), mrrAt: last.end.toISOString(), series, mrrByProvider },
    rows: series.flatMap((s) =>
      s.months.map((m) => ({
        provider: s.provider,
        month: m.month,
        signups: m.signups,
        paid_conversions: m.paidConversions,
        conversion_rate: m.conversionRate,
        median_seconds_to_first_payment: m.medianSecondsToFirstPayment,
      })),
    ),
  };
}

export const signupsReport: Report = {
  name: 'signups',
  honours: {
    pastDue: ['count'],
    trials: ['zero'],
    churnAt: ['period_end'],
    sameWindow: ['include', 'exclude'],
  },
  run: signups,
};
