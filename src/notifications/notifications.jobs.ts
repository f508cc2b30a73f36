/**
 * The notification sender: every minute, pending outbox rows go out through SMTP when SMTP_URL is set
 * (sendPendingNotifications); without SMTP it does nothing and the rows stay visible to admins.
 */
import type { JobDefinition } from '../jobs/registry.js';
import { sendPendingNotifications } from './send-pending-notifications.js';

export const NOTIFICATIONS_SEND_JOB = 'notifications.send';

export const notificationJobs: JobDefinition[] = [
  {
    name: NOTIFICATIONS_SEND_JOB,
    policy: 'singleton',
    cron: '* * * * *',
    retryLimit: 2,
    async run(deps) {
      const r = await sendPendingNotifications(deps);
      if (r.sent + r.failed > 0) deps.logger.info({ ...r }, 'notifications sent');
    },
  },
];
