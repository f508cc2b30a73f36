/** Admin: the notifications outbox (kept and shown here when SMTP is not configured). */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { requireAdmin } from '../http/guards.js';
import { documented } from '../http/openapi/route-doc.js';
import { listNotifications, listNotificationsInput, notificationPage } from './list-notifications.js';

export const adminNotificationRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('preHandler', requireAdmin);
  app.get(
    '/notifications',
    documented(
      {
        summary: 'The notifications outbox, newest first',
        query: listNotificationsInput,
        response: notificationPage,
      },
      async (request) => listNotifications(deps.db, listNotificationsInput.parse(request.query)),
    ),
  );
};
