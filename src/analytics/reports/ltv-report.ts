/**
 * `GET /api/admin/reports/ltv?from=&to=`: per currency, per calendar month (docs/METRICS.md §ltv): MRR and paying
 * customers at the month's end, ARPA, the customer churn rate pooled over the 6 months ending with it (Σ churned ÷
 * Σ customers at start, months before the first movement counting 0 and 0), and LTV = ARPA ÷ that churn rate —
 * null, not infinity, when nobody churned in the window. `plan=` gives it for one plan.
 * Conventions: sameWindow (include | exclude: it changes who churned); the others only at their defaults for now.
 */
import type { Executor } from '../../db/client.js';
import { monthlyMovements } from '../monthly-movements.js';
import { addMonths, monthParts, monthsBetween } from '../periods.js';
import { arpa, lifetimeValue, ratio } from '../rates.js';
import type { ReportParams } from '../report-params.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';
import { byCurrency } from '../by-currency.js';

/** Months in the churn window, the month itself included. */
export const LTV_WINDOW_MONTHS = 6;

export interface LtvMonth {
  month: string;
  mrr: number;
  payingCustomers: number;
  arpa: number | null;
  churnedCustomersInWindow: number;
  customersAtStartInWindow: number;
  customerChurnRate: number | null;
  ltv: number | null;
}

async function ltv(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const first = p.months[0];
  const last = p.months.at(-1);
  if (!first || !last) return { body: { ...answerHead('ltv', p), series: [] }, rows: [] };
  // by the months' labels: in a zone east of UTC a month's first instant is in the previous UTC month
  const months = monthsBetween(addMonths(monthParts(first), 1 - LTV_WINDOW_MONTHS), monthParts(last), p.tz);
  const rows = await monthlyMovements(db, { ...p, months });
  const wanted = new Set(p.months.map((m) => m.month));
  const series = byCurrency(rows).map((s) => ({
    currency: s.currency,
    months: s.rows.flatMap((m, i): LtvMonth[] => {
      if (!wanted.has(m.month)) return [];
      const window = s.rows.slice(Math.max(0, i + 1 - LTV_WINDOW_MONTHS), i + 1);
      const churned = window.reduce((n, w) => n + w.churnedCustomers, 0);
      const atStart = window.reduce((n, w) => n + w.customersAtStart, 0);
      return [
        {
          month: m.month,
          mrr: m.endMrr,
          payingCustomers: m.customersAtEnd,
          arpa: arpa(m.endMrr, m.customersAtEnd),
          churnedCustomersInWindow: churned,
          customersAtStartInWindow: atStart,
          customerChurnRate: ratio(churned, atStart),
          ltv: lifetimeValue(m.endMrr, m.customersAtEnd, churned, atStart),
        },
      ];
    }),
  }));
  return {
    body: { ...answerHead('ltv', p), windowMonths: LTV_WINDOW_MONTHS, series },
    rows: series.flatMap((s) =>
      s.months.map((m) => ({
        currency: s.currency,
        month: m.month,
        mrr: m.mrr,
        paying_customers: m.payingCustomers,
        arpa: m.arpa,
        churned_customers_in_window: m.churnedCustomersInWindow,
        customers_at_start_in_window: m.customersAtStartInWindow,
        customer_churn_rate: m.customerChurnRate,
        ltv: m.ltv,
      })),
    ),
  };
}

export const ltvReport: Report = {
  name: 'ltv',
  honours: {
    pastDue: ['count'],
    trials: ['zero'],
    churnAt: ['period_end'],
    sameWindow: ['include', 'exclude'],
  },
  run: ltv,
};
