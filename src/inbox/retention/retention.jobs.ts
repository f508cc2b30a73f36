/**
 * Inbox retention: every hour, drop the payloads of done Stripe events older than EVENT_PAYLOAD_RETENTION_DAYS
 * (pruneEventPayloads). Singleton: one run at a time (two would only skip each other's locked rows). A run stops
 * after 200 batches of 1,000 rows; the next one goes on, so a first run on a large inbox catches up over a few hours.
 */
import type { JobDefinition } from '../../jobs/registry.js';
import { PRUNE_EVENT_PAYLOADS_JOB, pruneEventPayloads } from './prune-event-payloads.js';

export const retentionJobs: JobDefinition[] = [
  {
    name: PRUNE_EVENT_PAYLOADS_JOB,
    policy: 'singleton',
    cron: '17 * * * *',
    retryLimit: 2,
    expireInSeconds: 3600,
    async run(deps) {
      const pruned = await pruneEventPayloads(deps.db, {
        retentionDays: deps.config.eventPayloadRetentionDays,
        now: deps.clock.now(),
      });
      if (pruned > 0)
        deps.logger.info(
          { pruned, retentionDays: deps.config.eventPayloadRetentionDays },
          'stripe event payloads pruned',
        );
    },
  },
];
