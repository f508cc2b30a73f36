/**
 * `GET /api/admin/reports/churn?from=&to=`: per currency, per calendar month (docs/METRICS.md §churn): customers at
 * start, churned customers, customer churn rate, gross and net MRR churn rates, NRR and quick ratio, with the MRR
 * amounts they are computed from (so every rate can be re-derived from the same answer). Rates are null when their
 * denominator is 0.
 * Conventions: sameWindow (include | exclude); pastDue, trials and churnAt only at their defaults for now.
 */
import type { Executor } from '../../db/client.js';
import { CHURN_METRICS, movementRows } from '../drill-down/movement-rows.js';
import { monthlyMovements } from '../monthly-movements.js';
import {
  customerChurnRate,
  grossMrrChurnRate,
  netMrrChurnRate,
  netRevenueRetention,
  quickRatio,
} from '../rates.js';
import type { ReportParams } from '../report-params.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';
import { byCurrency } from '../by-currency.js';

export interface ChurnMonth {
  month: string;
  customersAtStart: number;
  churnedCustomers: number;
  customerChurnRate: number | null;
  startMrr: number;
  churnedMrr: number;
  contractionMrr: number;
  expansionMrr: number;
  reactivationMrr: number;
  newMrr: number;
  grossMrrChurnRate: number | null;
  netMrrChurnRate: number | null;
  nrr: number | null;
  quickRatio: number | null;
}

async function churn(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const rows = await monthlyMovements(db, p);
  const series = byCurrency(rows).map((s) => ({
    currency: s.currency,
    months: s.rows.map((m): ChurnMonth => ({
      month: m.month,
      customersAtStart: m.customersAtStart,
      churnedCustomers: m.churnedCustomers,
      customerChurnRate: customerChurnRate(m.churnedCustomers, m.customersAtStart),
      startMrr: m.startMrr,
      churnedMrr: m.churn,
      contractionMrr: m.contraction,
      expansionMrr: m.expansion,
      reactivationMrr: m.reactivation,
      newMrr: m.new,
      grossMrrChurnRate: grossMrrChurnRate(m),
      netMrrChurnRate: netMrrChurnRate(m),
      nrr: netRevenueRetention(m),
      quickRatio: quickRatio(m),
    })),
  }));
  return {
    body: { ...answerHead('churn', p), series },
    rows: series.flatMap((s) =>
      s.months.map((m) => ({
        currency: s.currency,
        month: m.month,
        customers_at_start: m.customersAtStart,
        churned_customers: m.churnedCustomers,
        customer_churn_rate: m.customerChurnRate,
        start_mrr: m.startMrr,
        churned_mrr: m.churnedMrr,
        contraction_mrr: m.contractionMrr,
        expansion_mrr: m.expansionMrr,
        reactivation_mrr: m.reactivationMrr,
        new_mrr: m.newMrr,
        gross_mrr_churn_rate: m.grossMrrChurnRate,
        net_mrr_churn_rate: m.netMrrChurnRate,
        nrr: m.nrr,
        quick_ratio: m.quickRatio,
      })),
    ),
  };
}

export const churnReport: Report = {
  name: 'churn',
  honours: {
    pastDue: ['count'],
    trials: ['zero'],
    churnAt: ['period_end'],
    sameWindow: ['include', 'exclude'],
  },
  run: churn,
  drill: { metrics: CHURN_METRICS, monthly: true, rows: movementRows },
};
