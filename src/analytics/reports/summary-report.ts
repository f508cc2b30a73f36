/**
 * `GET /api/admin/reports/summary?at=`: the business at one instant, per currency (docs/METRICS.md §summary).
 * MRR (Σ of the counted subscriptions' MRR at `at`), ARR = 12 × MRR, paying customers (MRR above 0), ARPA =
 * MRR / paying customers, subscriptions active / trialing / past_due at `at`, and MRR at risk = the MRR of the
 * subscriptions past_due at `at` (shown whatever pastDue says).
 * Conventions: pastDue=exclude counts past_due subscriptions as 0; churnAt=cancel_request counts as 0 a subscription
 * whose cancellation at period end was requested by `at`; trials=list adds the subscriptions trialing at `at`
 * (trials never count in MRR); sameWindow has no effect at an instant. `provider` and `country` keep the
 * subscriptions of the customers matching (customer-filter.ts).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { arpa } from '../rates.js';
import type { ReportParams } from '../report-params.js';
import type { Report, ReportAnswer } from '../report.js';
import { customerMrrAt } from '../rolled-up-days.js';
import { subscriptionMrrAt, subscriptionsAt } from '../subscriptions-at.js';

export interface SummarySeries {
  currency: string;
  mrr: number;
  arr: number;
  payingCustomers: number;
  arpa: number | null;
  subscriptions: { active: number; trialing: number; pastDue: number };
  mrrAtRisk: number;
  trials?: Array<{ subscription: string; customer: string; plan: string | null }>;
}

async function summary(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const excludePastDue = p.conventions.pastDue === 'exclude';
  const atCancelRequest = p.conventions.churnAt === 'cancel_request';
  const subs = subscriptionsAt(p.at, p);
  const currencies =
    p.currency === null
      ? sql`SELECT currency FROM subs UNION SELECT currency FROM counted`
      : sql`SELECT ${p.currency}::text AS currency`;
  // The customers' MRR from the rollup (one row each); the MRR of single subscriptions only where a figure needs
  // it: those past_due (MRR at risk, and pastDue=exclude) and, with churnAt=cancel_request, those whose
  // cancellation was requested — a few thousand index probes at 100k customers instead of summing every movement.
  const result = await db.execute<Record<string, string | number>>(sql`
    WITH subs AS MATERIALIZED (${subs}),
    singled AS (
      SELECT customer_id, currency, status = 'past_due' AS past_due,
             (${excludePastDue} AND status = 'past_due') OR (${atCancelRequest} AND cancel_requested) AS excluded,
             ${subscriptionMrrAt(p.at, sql`subs.id`)} AS mrr
      FROM subs WHERE status = 'past_due' OR (${atCancelRequest} AND cancel_requested)
    ),
    excluded AS (
      SELECT customer_id, currency, sum(mrr) AS mrr FROM singled WHERE excluded GROUP BY 1, 2
    ),
    counted AS (
      SELECT c.currency, c.mrr - coalesce(x.mrr, 0) AS mrr
      FROM (${customerMrrAt(p.at, p)}) c LEFT JOIN excluded x USING (customer_id, currency)
    ),
    currencies AS (${currencies})
    SELECT cur.currency,
      coalesce((SELECT sum(mrr) FROM counted c WHERE c.currency = cur.currency), 0)::bigint AS mrr,
      (SELECT count(*) FROM counted c WHERE c.currency = cur.currency AND c.mrr > 0)::int AS paying,
      st.active, st.trialing, st.past_due,
      coalesce((SELECT sum(mrr) FROM singled s WHERE s.currency = cur.currency AND s.past_due), 0)::bigint
        AS at_risk
    FROM currencies cur
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE status = 'active')::int AS active,
             count(*) FILTER (WHERE status = 'trialing')::int AS trialing,
             count(*) FILTER (WHERE status = 'past_due')::int AS past_due
      FROM subs s WHERE s.currency = cur.currency
    ) st
    ORDER BY cur.currency`);
  const trials =
    p.conventions.trials === 'list'
      ? (
          await db.execute<{
            currency: string;
            subscription: string;
            customer: string;
            plan: string | null;
          }>(sql`
            WITH subs AS (${subs})
            SELECT s.currency, s.stripe_subscription_id AS subscription, c.stripe_customer_id AS customer, s.plan
            FROM subs s JOIN customers c ON c.id = s.customer_id
            WHERE s.status = 'trialing' ORDER BY s.currency, s.stripe_subscription_id`)
        ).rows
      : null;

  const series: SummarySeries[] = result.rows.map((r) => {
    const mrr = Number(r.mrr);
    const paying = Number(r.paying);
    const s: SummarySeries = {
      currency: String(r.currency),
      mrr,
      arr: 12 * mrr,
      payingCustomers: paying,
      arpa: arpa(mrr, paying),
      subscriptions: { active: Number(r.active), trialing: Number(r.trialing), pastDue: Number(r.past_due) },
      mrrAtRisk: Number(r.at_risk),
    };
    if (trials) {
      s.trials = trials
        .filter((t) => t.currency === s.currency)
        .map((t) => ({ subscription: t.subscription, customer: t.customer, plan: t.plan }));
    }
    return s;
  });
  return {
    body: {
      report: 'summary',
      at: p.at.toISOString(),
      tz: p.tz,
      currency: p.currency,
      plan: p.plan,
      provider: p.provider,
      country: p.country,
      conventions: p.conventions,
      series,
    },
    rows: series.map((s) => ({
      at: p.at.toISOString(),
      currency: s.currency,
      mrr: s.mrr,
      arr: s.arr,
      paying_customers: s.payingCustomers,
      arpa: s.arpa,
      active_subscriptions: s.subscriptions.active,
      trialing_subscriptions: s.subscriptions.trialing,
      past_due_subscriptions: s.subscriptions.pastDue,
      mrr_at_risk: s.mrrAtRisk,
    })),
  };
}

export const summaryReport: Report = {
  name: 'summary',
  honours: {
    pastDue: ['count', 'exclude'],
    trials: ['zero', 'list'],
    churnAt: ['period_end', 'cancel_request'],
    sameWindow: ['include', 'exclude'],
  },
  run: summary,
};
