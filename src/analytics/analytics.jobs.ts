/**
 * Analytics jobs: every minute, fold the report rollups' delta rows (compactRollups). Singleton: one fold at a time
 * (two at once would also be correct, only wasted work).
 */
import type { JobDefinition } from '../jobs/registry.js';
import { COMPACT_ROLLUPS_JOB, compactRollups } from './compact-rollups.js';

export const analyticsJobs: JobDefinition[] = [
  {
    name: COMPACT_ROLLUPS_JOB,
    policy: 'singleton',
    cron: '* * * * *',
    retryLimit: 2,
    async run(deps) {
      const folded = await compactRollups(deps.db);
      if (folded > 0) deps.logger.debug({ folded }, 'report rollups compacted');
    },
  },
];
