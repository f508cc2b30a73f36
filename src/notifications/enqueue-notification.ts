/**
 * enqueueNotification: adds a notification to the outbox IN THE CALLER'S TRANSACTION (the one that commits its
 * cause). Idempotent by `key`: the same cause enqueued twice (duplicate event, re-run job) is one row, one email.
 * The recipient is the user's current email unless `toEmail` is given; a user-less notification needs `toEmail`.
 */
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { insertOrDefer } from '../db/deferred-writes.js';
import { users } from '../accounts/accounts.tables.js';
import { LINK_TEMPLATES, outbox, type NotificationTemplate } from './notifications.tables.js';
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

type OutboxValues = [
  key: string,
  template: string,
  userId: string | null,
  to: string,
  subject: string,
  body: string,
  data: string,
  at: Date,
];

/** The outbox row for `input`, or null when there is nobody to tell (an unlinked customer without an email). */
async function outboxValues(tx: Executor, input: NotificationInput): Promise<OutboxValues | null> {
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
  if (!to) return null;
  const data: NotificationData = { name, ...input.data };
  const { subject, body } = renderNotification(input.template, data);
  // A one-time link lives in the body only, until the sender delivers it (send-pending-notifications.ts).
  const stored = LINK_TEMPLATES.includes(input.template) ? { ...data, actionUrl: undefined } : data;
  return [input.key, input.template, input.userId, to, subject, body, JSON.stringify(stored), input.at];
}

export async function enqueueNotification(
  tx: Executor,
  input: NotificationInput,
): Promise<{ id: string; created: boolean } | null> {
  const v = await outboxValues(tx, input);
  if (!v) return null;
  const id = (await insertOutboxRows(tx, [v])).get(input.key);
  if (id) return { id, created: true };
  const [existing] = await tx
    .select({ id: outbox.id })
    .from(outbox)
    .where(eq(outbox.key, sql`${input.key}`));
  return existing ? { id: existing.id, created: false } : null;
}

/**
 * enqueueNotification for a caller that needs no answer (the receipt of invoice.paid): in a transaction that defers
 * its writes (the webhook dispatcher's batch, deferWrites) the row joins one outbox INSERT before commit — same
 * transaction, same idempotency by key — else it is inserted now.
 */
export async function enqueueNotificationLater(tx: Executor, input: NotificationInput): Promise<void> {
  const v = await outboxValues(tx, input);
  if (!v) return;
  await insertOrDefer(tx, 'outbox', v, async (t, rows) => {
    await insertOutboxRows(t, rows);
  });
}

/**
 * One INSERT for any number of rows, in order; a key already there (or twice among them) is skipped. Returns the
 * inserted rows' ids by key. An SQL template rather than Drizzle's insert builder: this runs inside webhook
 * handlers, where building queries was a large share of the CPU (src/db/rows.ts).
 */
async function insertOutboxRows(tx: Executor, rows: OutboxValues[]): Promise<Map<string, string>> {
  const column = (i: number) => sql.param(rows.map((r) => r[i]));
  const { rows: inserted } = await tx.execute<{ id: string; key: string }>(sql`
    INSERT INTO outbox (key, template, user_id, to_email, subject, body, data, created_at)
    SELECT key, template, user_id, to_email, subject, body, data::jsonb, created_at
    FROM unnest(${column(0)}::text[], ${column(1)}::text[], ${column(2)}::text[], ${column(3)}::text[],
                ${column(4)}::text[], ${column(5)}::text[], ${column(6)}::text[], ${column(7)}::timestamptz[])
         WITH ORDINALITY AS v(key, template, user_id, to_email, subject, body, data, created_at, n)
    ORDER BY n
    ON CONFLICT (key) DO NOTHING
    RETURNING id, key`);
  return new Map(inserted.map((r) => [r.key, r.id]));
}
