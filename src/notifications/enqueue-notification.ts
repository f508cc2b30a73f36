/**
 * enqueueNotification: adds a notification to the outbox IN THE CALLER'S TRANSACTION (the one that commits its
 * cause). Idempotent by `key`: the same cause enqueued twice (duplicate event, re-run job) is one row, one email.
 * The recipient is the user's current email unless `toEmail` is given; a user-less notification needs `toEmail`.
 */
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users } from '../accounts/accounts.tables.js';
import { outbox, type NotificationTemplate } from './notifications.tables.js';
import { renderNotification, type NotificationData } from './render-notification.js';

export interface NotificationInput {
  key: string;
  template: NotificationTemplate;
  userId: string | null;
  toEmail?: string | null;
  data: NotificationData;
  at: Date;
}

export async function enqueueNotification(
  tx: Executor,
  input: NotificationInput,
): Promise<{ id: string; created: boolean } | null> {
  let to = input.toEmail ?? null;
  let name: string | null = null;
  if (input.userId) {
    const [u] = await tx
      .select({ email: users.email, name: users.name })
      .from(users)
      .where(eq(users.id, input.userId));
    to ??= u?.email ?? null;
    name = u?.name ?? null;
  }
  if (!to) return null; // nobody to tell (an unlinked customer without an email)
  const data: NotificationData = { name, ...input.data };
  const { subject, body } = renderNotification(input.template, data);
  const inserted = await tx
    .insert(outbox)
    .values({
      key: input.key,
      template: input.template,
      userId: input.userId,
      toEmail: to,
      subject,
      body,
      data: data as Record<string, unknown>,
      createdAt: input.at,
    })
    .onConflictDoNothing({ target: outbox.key })
    .returning({ id: outbox.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [existing] = await tx
    .select({ id: outbox.id })
    .from(outbox)
    .where(eq(outbox.key, sql`${input.key}`));
  return existing ? { id: existing.id, created: false } : null;
}
