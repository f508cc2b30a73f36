/**
 * Drill-down of the `mrr` and `churn` reports: the customers or customer-days behind one figure of one currency and
 * month (of the report's `tz`: its customer-days are then that zone's days, rolled-up-days.ts), computed from the same rows as the figure (the maintained customer-days, rolled-up-days.ts), so the rows' `amount`s sum to a money figure
 * and their count is a count figure — across all pages (`total`, `sum` are over every row, not the page).
 *
 * - movement metrics (new, expansion, contraction, churn, reactivation, netNew and the churn report's *Mrr names):
 *   one row per customer-day of that kind in the month (`amount` positive; signed for netNew);
 * - levels (startMrr, endMrr, customersAtStart): one row per customer paying at the month's start (end), `amount`
 *   = the customer's MRR then;
 * - churnedCustomers: one row per customer who churned in the month, `amount` = MRR they churned.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { ReportParams } from '../report-params.js';
import { rolledUpDays } from '../rolled-up-days.js';
import type { DrillParams } from './drill-params.js';

type Shape =
  | { kind: 'movements'; kinds: string[]; sign: 1 | -1 | 0 }
  | { kind: 'level'; at: 'start' | 'end' }
  | { kind: 'churned' };

const SHAPES: Record<string, Shape> = {
  new: { kind: 'movements', kinds: ['new'], sign: 1 },
  expansion: { kind: 'movements', kinds: ['expansion'], sign: 1 },
  reactivation: { kind: 'movements', kinds: ['reactivation'], sign: 1 },
  contraction: { kind: 'movements', kinds: ['contraction'], sign: -1 },
  churn: { kind: 'movements', kinds: ['churn'], sign: -1 },
  netNew: { kind: 'movements', kinds: ['new', 'expansion', 'reactivation', 'contraction', 'churn'], sign: 0 },
  newMrr: { kind: 'movements', kinds: ['new'], sign: 1 },
  expansionMrr: { kind: 'movements', kinds: ['expansion'], sign: 1 },
  reactivationMrr: { kind: 'movements', kinds: ['reactivation'], sign: 1 },
  contractionMrr: { kind: 'movements', kinds: ['contraction'], sign: -1 },
  churnedMrr: { kind: 'movements', kinds: ['churn'], sign: -1 },
  startMrr: { kind: 'level', at: 'start' },
  endMrr: { kind: 'level', at: 'end' },
  customersAtStart: { kind: 'level', at: 'start' },
  churnedCustomers: { kind: 'churned' },
};

export const MRR_METRICS = [
  'startMrr', 'new', 'expansion', 'contraction', 'churn', 'reactivation', 'netNew', 'endMrr',
] as const; // prettier-ignore
export const CHURN_METRICS = [
  'customersAtStart', 'churnedCustomers', 'startMrr', 'churnedMrr', 'contractionMrr', 'expansionMrr',
  'reactivationMrr', 'newMrr',
] as const; // prettier-ignore

export interface DrillRow {
  customer: string;
  day: string | null;
  kind: string | null;
  mrrBefore: number | null;
  mrrAfter: number | null;
  amount: number;
}

export interface DrillAnswer {
  total: number;
  sum: number;
  rows: DrillRow[];
}

export async function movementRows(db: Executor, p: ReportParams, d: DrillParams): Promise<DrillAnswer> {
  const shape = SHAPES[d.metric];
  const month = d.month;
  if (!shape || !month) throw new Error(`no rows for ${d.metric}`);
  const days = rolledUpDays(
    {
      currency: d.currency,
      plan: p.plan,
      provider: p.provider,
      country: p.country,
      until: month.end,
      tz: p.tz,
    },
    p.conventions.sameWindow === 'exclude',
  );
  let select: SQL;
  if (shape.kind === 'movements') {
    const amount = shape.sign === 0 ? sql`d.delta` : sql`${shape.sign}::int * d.delta`;
    select = sql`
      SELECT d.customer_id, d.day, d.kind, d.before, d.after, ${amount} AS amount
      FROM days d
      WHERE d.day >= ${month.start} AND NOT d.excluded AND d.kind = ANY(${sql.param(shape.kinds)}::text[])`;
  } else if (shape.kind === 'level') {
    const bound = shape.at === 'start' ? month.start : month.end;
    // the customer's MRR at the bound: its last row before it
    select = sql`
      SELECT d.customer_id, NULL::timestamptz AS day, NULL::text AS kind, NULL::bigint AS before,
             NULL::bigint AS after, d.after AS amount
      FROM days d WHERE d.day < ${bound} AND (d.next_day IS NULL OR d.next_day >= ${bound}) AND d.after > 0`;
  } else {
    select = sql`
      SELECT d.customer_id, min(d.day) AS day, 'churn'::text AS kind, NULL::bigint AS before, NULL::bigint AS after,
             -sum(d.delta) AS amount
      FROM days d
      WHERE d.day >= ${month.start} AND NOT d.excluded AND d.kind = 'churn'
      GROUP BY d.customer_id`;
  }
  const picked = sql`WITH days AS (${days}), picked AS (${select})`;
  const [totals, page] = await Promise.all([
    db.execute<{ total: number; sum: string | number }>(sql`
      ${picked} SELECT count(*)::int AS total, coalesce(sum(amount), 0)::bigint AS sum FROM picked`),
    db.execute<{
      customer: string;
      day: Date | null;
      kind: string | null;
      before: string | number | null;
      after: string | number | null;
      amount: string | number;
    }>(sql`
      ${picked}
      SELECT c.stripe_customer_id AS customer, r.day, r.kind, r.before, r.after, r.amount::bigint AS amount
      FROM picked r JOIN customers c ON c.id = r.customer_id
      ORDER BY r.day NULLS FIRST, c.stripe_customer_id
      LIMIT ${d.limit} OFFSET ${(d.page - 1) * d.limit}`),
  ]);
  const total = totals.rows[0]?.total ?? 0;
  const isCount = d.metric === 'customersAtStart' || d.metric === 'churnedCustomers';
  return {
    total,
    sum: isCount ? total : Number(totals.rows[0]?.sum ?? 0),
    rows: page.rows.map((r) => ({
      customer: r.customer,
      day: r.day ? new Date(r.day).toISOString() : null,
      kind: r.kind,
      mrrBefore: r.before === null ? null : Number(r.before),
      mrrAfter: r.after === null ? null : Number(r.after),
      amount: Number(r.amount),
    })),
  };
}
