/**
 * `GET /api/admin/reports/mrr?from=&to=`: per currency, per calendar month: starting MRR, new, expansion,
 * contraction, churn, reactivation, net new and ending MRR (docs/METRICS.md §mrr). Starting and ending MRR are read
 * from the movements independently of the month's movements, so `start + net new = end` is a property of the data
 * (the integration test asserts it for every month), not an assignment.
 * Conventions: sameWindow (include | exclude); pastDue, trials and churnAt only at their defaults for now — past_due
 * and cancel-request history is not in `mrr_movements`.
 */
import type { Executor } from '../../db/client.js';
import { MRR_METRICS, movementRows } from '../drill-down/movement-rows.js';
import { monthlyMovements, type MonthMovements } from '../monthly-movements.js';
import { byCurrency } from '../by-currency.js';
import { netNewMrr } from '../rates.js';
import type { ReportParams } from '../report-params.js';
import { answerHead, type Report, type ReportAnswer } from '../report.js';

export interface MrrMonth {
  month: string;
  startMrr: number;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
  netNew: number;
  endMrr: number;
}

const mrrMonth = (m: MonthMovements): MrrMonth => ({
  month: m.month,
  startMrr: m.startMrr,
  new: m.new,
  expansion: m.expansion,
  contraction: m.contraction,
  churn: m.churn,
  reactivation: m.reactivation,
  netNew: netNewMrr(m),
  endMrr: m.endMrr,
});

async function mrr(db: Executor, p: ReportParams): Promise<ReportAnswer> {
  const rows = await monthlyMovements(db, p);
  const series = byCurrency(rows).map((s) => ({ currency: s.currency, months: s.rows.map(mrrMonth) }));
  return {
    body: { ...answerHead('mrr', p), series },
    rows: series.flatMap((s) =>
      s.months.map((m) => ({
        currency: s.currency,
        month: m.month,
        start_mrr: m.startMrr,
        new: m.new,
        expansion: m.expansion,
        contraction: m.contraction,
        churn: m.churn,
        reactivation: m.reactivation,
        net_new: m.netNew,
        end_mrr: m.endMrr,
      })),
    ),
  };
}

export const mrrReport: Report = {
  name: 'mrr',
  honours: {
    pastDue: ['count'],
    trials: ['zero'],
    churnAt: ['period_end'],
    sameWindow: ['include', 'exclude'],
  },
  run: mrr,
  drill: { metrics: MRR_METRICS, monthly: true, rows: movementRows },
};
