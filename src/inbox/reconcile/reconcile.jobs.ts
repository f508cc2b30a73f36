/**
 * The daily reconciliation job: the same run as `sertantai sync --since 30d` (src/inbox/reconcile/run-sync.ts),
 * at 03:30 UTC. Safe to run twice: a run resumes the unfinished one, and every repair is version-guarded.
 */
import type { JobDefinition } from '../../jobs/registry.js';
import { handlers } from '../webhooks/handlers/index.js';
import { runSync } from './run-sync.js';

const THIRTY_DAYS_MS = 30 * 86_400_000;

export const reconcileJob: JobDefinition<{ windowDays?: number }> = {
  name: 'billing.reconcile',
  policy: 'singleton',
  retryLimit: 2,
  retryDelay: 600,
  expireInSeconds: 3 * 3600,
  cron: '30 3 * * *',
  cronData: {},
  async run(deps, data) {
    const windowMs = data.windowDays ? data.windowDays * 86_400_000 : THIRTY_DAYS_MS;
    const report = await runSync(deps, {
      since: new Date(deps.clock.now().getTime() - windowMs),
      handlers,
      trigger: 'job',
    });
    deps.logger.info(
      {
        runId: report.runId,
        seen: report.seen,
        eventsRecovered: report.eventsRecovered,
        corrections: report.corrections.length,
      },
      'reconciliation finished',
    );
  },
};
