/** `GET /api/admin/notifications?status=&template=&userId=&page=&limit=`: the outbox, newest first. */
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { LINK_TEMPLATES, NOTIFICATION_TEMPLATES, OUTBOX_STATUSES, outbox } from './notifications.tables.js';
import { LINK_REMOVED } from './send-pending-notifications.js';

export const listNotificationsInput = z
  .object({
    status: z.enum(OUTBOX_STATUSES).optional(),
    template: z.enum(NOTIFICATION_TEMPLATES).optional(),
    userId: z.string().min(1).max(100).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** One page of the outbox (also its OpenAPI response schema). */
export const notificationPage = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      key: z.string(),
      template: z.enum(NOTIFICATION_TEMPLATES),
      userId: z.string().nullable(),
      to: z.string(),
      subject: z.string(),
      body: z.string(),
      status: z.enum(OUTBOX_STATUSES),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      createdAt: z.iso.datetime(),
      sentAt: z.iso.datetime().nullable(),
    }),
  ),
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
});

export async function listNotifications(
  db: Executor,
  p: z.infer<typeof listNotificationsInput>,
): Promise<z.input<typeof notificationPage>> {
  const f: SQL[] = [];
  if (p.status) f.push(eq(outbox.status, p.status));
  if (p.template) f.push(eq(outbox.template, p.template));
  if (p.userId) f.push(eq(outbox.userId, p.userId));
  const where = f.length ? and(...f) : undefined;
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(outbox).where(where);
  const rows = await db
    .select()
    .from(outbox)
    .where(where)
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(p.limit)
    .offset((p.page - 1) * p.limit);
  return {
    data: rows.map((r) => ({
      id: r.id,
      key: r.key,
      template: r.template,
      userId: r.userId,
      to: r.toEmail,
      subject: r.subject,
      // Admins never read a pending one-time link (it would let them act as the user).
      body: LINK_TEMPLATES.includes(r.template) ? LINK_REMOVED : r.body,
      status: r.status,
      attempts: r.attempts,
      lastError: r.lastError,
      createdAt: r.createdAt.toISOString(),
      sentAt: r.sentAt?.toISOString() ?? null,
    })),
    page: p.page,
    limit: p.limit,
    total: Number(total),
  };
}
