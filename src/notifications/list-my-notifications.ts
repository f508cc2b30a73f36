/**
 * The signed-in user's own notifications (GET /api/me/notifications), newest first: what was sent to them and when.
 * The body of an account email (its one-time link) is never returned, not even to its owner: it was emailed.
 */
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { LINK_TEMPLATES, NOTIFICATION_TEMPLATES, OUTBOX_STATUSES, outbox } from './notifications.tables.js';

export const myNotifications = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      template: z.enum(NOTIFICATION_TEMPLATES),
      subject: z.string(),
      body: z.string().nullable(),
      status: z.enum(OUTBOX_STATUSES),
      createdAt: z.iso.datetime(),
      sentAt: z.iso.datetime().nullable(),
    }),
  ),
});

export async function listMyNotifications(
  db: Executor,
  userId: string,
): Promise<z.infer<typeof myNotifications>> {
  const rows = await db
    .select()
    .from(outbox)
    .where(eq(outbox.userId, userId))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(50);
  return {
    data: rows.map((r) => ({
      id: r.id,
      template: r.template,
      subject: r.subject,
      body: LINK_TEMPLATES.includes(r.template) ? null : r.body,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      sentAt: r.sentAt?.toISOString() ?? null,
    })),
  };
}
