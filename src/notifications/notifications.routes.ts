/** Admin: the notifications outbox (kept and shown here when SMTP is not configured). */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { requireAdmin } from '../http/guards.js';
import { listNotifications, listNotificationsInput } from './list-notifications.js';

export const adminNotificationRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('preHandler', requireAdmin);
  app.get('/notifications', async (request) =>
    listNotifications(deps.db, listNotificationsInput.parse(request.query)),
  );
};
