/**
 * The dunning job: every minute, reminders and grace expiries that are due (runDunningSweep), with no event
 * needed. Singleton queue: one sweep at a time across all workers (each case is also locked, so overlap is safe).
 */
import type { Deps } from '../deps.js';
import type { JobDefinition } from '../jobs/registry.js';
import { applyEntitledRole } from '../accounts/roles/apply-entitled-role.js';
import { lockOrderingKey } from '../inbox/webhooks/dispatch-event.js';
import { notifyDowngraded } from '../notifications/notify-downgraded.js';
import { DUNNING_JOB, findDueCases, findEndedProvisionalGraces, sweepDueCase } from './dunning-sweep.js';

export { DUNNING_JOB };

export interface SweepResult {
  reminded: number;
  lost: number;
  recovered: number;
  downgraded: number;
  /** Roles lowered by the backstop (past_due without an open case, provisional grace over); absent when none. */
  backstop?: number;
}

/**
 * runDunningSweep: the job's edge at `now`. For each due case, in its own transaction, in order: dunning acts on the
 * case (reminder, recovered, lost: dunning-sweep.ts) → a lost case's user has their role recomputed, once (cause: the
 * job and the case) → the "downgraded" notice if it fell (once per case). Then the backstop: each user whose
 * provisional grace ended is recomputed (cause: the job) in a transaction holding their customer's ordering lock;
 * no case is opened and nothing is sent (docs/DESIGN.md §6 ties both to a payment failure, not to this repair), the
 * role change's audit row is the record. Safe to run concurrently and repeatedly.
 */
export async function runDunningSweep(
  deps: Pick<Deps, 'db' | 'config' | 'clock'>,
  now: Date,
  opts: { limit?: number; jobId?: string | null; stripeCustomerIds?: string[] } = {},
): Promise<SweepResult> {
  const limit = opts.limit ?? 500;
  const jobId = opts.jobId ?? null;
  const roleOpts = { defaultGraceDays: deps.config.graceDays };
  const result: SweepResult = { reminded: 0, lost: 0, recovered: 0, downgraded: 0 };
  for (const candidate of await findDueCases(deps.db, now, {
    limit,
    stripeCustomerIds: opts.stripeCustomerIds,
  })) {
    const step = await deps.db.transaction(async (tx) => {
      const s = await sweepDueCase(tx, deps, candidate, now);
      if (s?.kind !== 'lost' || !s.userId) return s?.kind ?? null;
      const application = await applyEntitledRole(
        tx,
        s.userId,
        { kind: 'job', job: DUNNING_JOB, jobId, dunningCaseId: s.lost.caseId },
        now,
        roleOpts,
      );
      const sent = await notifyDowngraded(tx, deps, { ...s.lost, userId: s.userId, application });
      return sent ? ('downgraded' as const) : ('lost' as const);
    });
    if (step === 'reminded') result.reminded++;
    else if (step === 'recovered') result.recovered++;
    else if (step === 'lost') result.lost++;
    else if (step === 'downgraded') {
      result.lost++;
      result.downgraded++;
    }
  }
  let fixed = 0;
  const graces = await findEndedProvisionalGraces(deps, now, {
    limit,
    stripeCustomerIds: opts.stripeCustomerIds,
  });
  for (const u of graces) {
    const application = await deps.db.transaction(async (tx) => {
      await lockOrderingKey(tx, u.stripeCustomerId);
      return applyEntitledRole(tx, u.userId, { kind: 'job', job: DUNNING_JOB, jobId }, now, roleOpts);
    });
    if (application?.changed) fixed++;
  }
  if (fixed > 0) result.backstop = fixed;
  return result;
}

export const dunningJobs: JobDefinition[] = [
  {
    name: DUNNING_JOB,
    policy: 'singleton',
    cron: '* * * * *',
    retryLimit: 2,
    async run(deps, _data, job) {
      const r = await runDunningSweep(deps, deps.clock.now(), { jobId: job.id });
      if (r.reminded + r.lost + r.recovered > 0) deps.logger.info({ ...r }, 'dunning sweep');
    },
  },
];
