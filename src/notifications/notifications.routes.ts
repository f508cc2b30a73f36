/** Admin: the notifications outbox (kept and shown here when SMTP is not configured). */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import type { RouteContext } from '../route-context.js';
import { listMyNotifications, myNotifications } from './list-my-notifications.js';
import { documented } from '../route-doc.js';
import { listNotifications, listNotificationsInput, notificationPage } from './list-notifications.js';

export const adminNotificationRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
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

/** The signed-in user's own notifications (the account page). */
export const myNotificationRoutes: FastifyPluginAsync<{ deps: Deps; context: RouteContext }> = async (
  app,
  { deps, context },
) => {
  app.get('/api/me/notifications', {
    ...documented(
      { summary: 'My notifications, newest first (50)', response: myNotifications },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return listMyNotifications(deps.db, context.userOf(request).userId);
      },
    ),
  });
};
