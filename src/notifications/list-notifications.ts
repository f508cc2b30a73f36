/** `GET /api/admin/notifications?status=&template=&userId=&page=&limit=`: the outbox, newest first. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { equals, listTable, offsetPage } from '../db/list-query.js';
import {
  LINK_TEMPLATES,
  NOTIFICATION_TEMPLATES,
  OUTBOX_STATUSES,
  type NotificationTemplate,
  type OutboxStatus,
} from './notifications.tables.js';
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
  totalExact: z.boolean(),
});

const OUTBOX = listTable<'created_at'>({
  select: sql`id, key, template, user_id, to_email, subject, body, status, attempts, last_error, created_at, sent_at`,
  from: sql`outbox`,
  sort: { created_at: sql`created_at` },
  tieBreak: sql`id`,
});

interface Row {
  id: string;
  key: string;
  template: NotificationTemplate;
  user_id: string | null;
  to_email: string;
  subject: string;
  body: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export async function listNotifications(
  db: Executor,
  p: z.infer<typeof listNotificationsInput>,
): Promise<z.input<typeof notificationPage>> {
  const { rows, total, totalExact } = await offsetPage<Row, 'created_at'>(
    db,
    OUTBOX,
    { page: p.page, limit: p.limit, sort: 'created_at', order: 'desc' },
    [equals(sql`status`, p.status), equals(sql`template`, p.template), equals(sql`user_id`, p.userId)],
  );
  return {
    data: rows.map((r) => ({
      id: r.id,
      key: r.key,
      template: r.template,
      userId: r.user_id,
      to: r.to_email,
      subject: r.subject,
      // Admins never read a pending one-time link (it would let them act as the user).
      body: LINK_TEMPLATES.includes(r.template) ? LINK_REMOVED : r.body,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: new Date(r.created_at).toISOString(),
      sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
    })),
    page: p.page,
    limit: p.limit,
    total,
    totalExact,
  };
}
