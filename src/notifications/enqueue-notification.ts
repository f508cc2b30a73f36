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
  /** The user's email and name when the caller has read them already (one query less); else they are read here. */
  recipient?: { email: string | null; name: string | null };
}

export async function enqueueNotification(
  tx: Executor,
  input: NotificationInput,
): Promise<{ id: string; created: boolean } | null> {
  let to = input.toEmail ?? null;
  let name: string | null = null;
  if (input.userId && input.recipient) {
    to ??= input.recipient.email;
    name = input.recipient.name;
  } else if (input.userId) {
    const { rows } = await tx.execute<{ email: string; name: string | null }>(
      sql`SELECT ${users.email}, ${users.name} FROM ${users} WHERE ${eq(users.id, input.userId)}`,
    );
    const u = rows[0];
    to ??= u?.email ?? null;
    name = u?.name ?? null;
  }
  if (!to) return null; // nobody to tell (an unlinked customer without an email)
  const data: NotificationData = { name, ...input.data };
  const { subject, body } = renderNotification(input.template, data);
  // An SQL template rather than Drizzle's insert builder: this runs inside webhook handlers, where building
  // queries was a large share of the CPU (src/db/rows.ts).
  const { rows: inserted } = await tx.execute<{ id: string }>(sql`
    INSERT INTO outbox (key, template, user_id, to_email, subject, body, data, created_at)
    VALUES (${input.key}, ${input.template}, ${input.userId}, ${to}, ${subject}, ${body},
            ${JSON.stringify(data)}::jsonb, ${input.at})
    ON CONFLICT (key) DO NOTHING
    RETURNING id`);
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [existing] = await tx
    .select({ id: outbox.id })
    .from(outbox)
    .where(eq(outbox.key, sql`${input.key}`));
  return existing ? { id: existing.id, created: false } : null;
}
