/**
 * Roles jobs: the override-expiry sweep (every minute; expiries happen with no request arriving) and the bulk
 * role sync runs requested by admins.
 */
import { z } from 'zod';
import type { JobDefinition } from '../../jobs/registry.js';
import { expireRoleOverrides, OVERRIDE_EXPIRY_JOB } from './expire-role-overrides.js';
import { ROLE_SYNC_JOB, runRoleSync } from './sync-roles.js';

const syncData = z.object({ runId: z.string().uuid() });

export const roleJobs: JobDefinition[] = [
  {
    name: OVERRIDE_EXPIRY_JOB,
    policy: 'singleton',
    cron: '* * * * *',
    retryLimit: 2,
    async run(deps, _data, job) {
      const r = await expireRoleOverrides(deps, deps.clock.now(), { jobId: job.id });
      if (r.expired > 0) deps.logger.info({ ...r }, 'role overrides expired');
    },
  },
  {
    name: ROLE_SYNC_JOB,
    retryLimit: 3,
    retryDelay: 5,
    async run(deps, data, job) {
      await runRoleSync(deps, syncData.parse(data).runId, job.id);
    },
  },
];
