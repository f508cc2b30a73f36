/**
 * The dunning job: every minute, reminders and grace expiries that are due (runDunningSweep), with no event
 * needed. Singleton queue: one sweep at a time across all workers (each case is also locked, so overlap is safe).
 */
import type { JobDefinition } from '../jobs/registry.js';
import { DUNNING_JOB, runDunningSweep } from './run-dunning-sweep.js';

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
