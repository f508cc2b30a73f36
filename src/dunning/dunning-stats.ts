/**
 * Dunning statistics (`GET /api/admin/dunning/stats?from=&to=`), computed in SQL from the cases themselves.
 *
 * The cohort is the cases OPENED in [from, to) (either bound optional). Of them:
 * - opened, open (still), recovered, lost;
 * - recoveryRate = recovered / (recovered + lost): the share of decided cases that were recovered, null when none
 *   is decided yet (cases still open are not counted as lost before their grace ends);
 * - recoveredAmount: the sum of recovered amounts per currency (never summed across currencies);
 * - medianTimeToRecoverSeconds: the median of time_to_recover_seconds over the recovered cases (null if none);
 * - recoveriesByStep: recovered cases per recovery step (stripe_retry, card_update, manual).
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { invalid } from '../errors.js';
import { RECOVERY_STEPS, type RecoveryStep } from './dunning.tables.js';

const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => new Date(v));

export const dunningStatsParams = z.object({ from: instant.optional(), to: instant.optional() }).strict();
export type DunningStatsParams = z.infer<typeof dunningStatsParams>;

/** The statistics (also their OpenAPI response schema); amounts are in each currency's minor unit. */
export const dunningStatsView = z.object({
  from: z.iso.datetime().nullable(),
  to: z.iso.datetime().nullable(),
  opened: z.number().int(),
  open: z.number().int(),
  recovered: z.number().int(),
  lost: z.number().int(),
  recoveryRate: z.number().nullable(),
  recoveredAmount: z.array(z.object({ currency: z.string(), amount: z.number().int() })),
  medianTimeToRecoverSeconds: z.number().nullable(),
  recoveriesByStep: z.record(z.enum(RECOVERY_STEPS), z.number().int()),
});
export type DunningStats = z.infer<typeof dunningStatsView>;

export async function dunningStats(db: Executor, p: DunningStatsParams): Promise<DunningStats> {
  if (p.from && p.to && p.from.getTime() >= p.to.getTime()) {
    throw invalid('invalid_range', '`from` must be before `to`');
  }
  const where: SQL[] = [];
  if (p.from) where.push(sql`opened_at >= ${p.from}`);
  if (p.to) where.push(sql`opened_at < ${p.to}`);
  const cohort = sql`SELECT * FROM dunning_cases ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}`;

  const [totals, amounts, steps] = await Promise.all([
    db.execute<{
      opened: number;
      open: number;
      recovered: number;
      lost: number;
      rate: number | null;
      median: number | null;
    }>(sql`
      WITH cohort AS (${cohort})
      SELECT count(*)::int AS opened,
             (count(*) FILTER (WHERE status = 'open'))::int AS open,
             (count(*) FILTER (WHERE status = 'recovered'))::int AS recovered,
             (count(*) FILTER (WHERE status = 'lost'))::int AS lost,
             round((count(*) FILTER (WHERE status = 'recovered'))::numeric
                   / nullif(count(*) FILTER (WHERE status IN ('recovered', 'lost')), 0), 4)::float8 AS rate,
             (percentile_cont(0.5) WITHIN GROUP (ORDER BY time_to_recover_seconds)
               FILTER (WHERE status = 'recovered' AND time_to_recover_seconds IS NOT NULL))::float8 AS median
      FROM cohort`),
    db.execute<{ currency: string; amount: number }>(sql`
      WITH cohort AS (${cohort})
      SELECT currency, sum(recovered_amount_minor)::bigint AS amount FROM cohort
      WHERE status = 'recovered' AND recovered_amount_minor IS NOT NULL
      GROUP BY currency ORDER BY currency`),
    db.execute<{ step: RecoveryStep; n: number }>(sql`
      WITH cohort AS (${cohort})
      SELECT recovered_by AS step, count(*)::int AS n FROM cohort
      WHERE status = 'recovered' AND recovered_by IS NOT NULL
      GROUP BY recovered_by`),
  ]);
  const t = totals.rows[0]!;
  const byStep = Object.fromEntries(RECOVERY_STEPS.map((s) => [s, 0])) as Record<RecoveryStep, number>;
  for (const r of steps.rows) byStep[r.step] = r.n;
  return {
    from: p.from?.toISOString() ?? null,
    to: p.to?.toISOString() ?? null,
    opened: t.opened,
    open: t.open,
    recovered: t.recovered,
    lost: t.lost,
    recoveryRate: t.rate,
    recoveredAmount: amounts.rows.map((r) => ({ currency: r.currency, amount: Number(r.amount) })),
    medianTimeToRecoverSeconds: t.median,
    recoveriesByStep: byStep,
  };
}
