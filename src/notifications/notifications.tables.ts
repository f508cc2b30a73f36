/**
 * The notifications outbox: rows are inserted in the SAME transaction as their cause (a failed payment, a
 * downgrade…), so a notification exists exactly when its cause committed. `key` is unique: the same cause
 * enqueued twice (a duplicate event, a re-run job) is one row, hence one email.
 *
 * A sender job delivers `pending` rows through SMTP when SMTP_URL is set (status `sent`); without SMTP they stay
 * `pending` and admins read them at GET /api/admin/notifications.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { ts } from '../db/columns.js';

import { users } from '../accounts/accounts.tables.js';

export const NOTIFICATION_TEMPLATES = [
  'payment_failed',
  'grace_ending',
  'downgraded',
  'receipt',
  'trial_ending',
  // Account emails (src/accounts/send-account-email.ts): their body holds a sign-in-grade link, removed once sent.
  'verify_email',
  'reset_password',
  // Someone tried to sign up with an address that has an account (no link that signs in: sign-in and reset pages).
  'account_exists',
] as const;
/** Templates whose body carries a one-time link: never shown to admins, and emptied of the link once delivered. */
export const LINK_TEMPLATES: readonly NotificationTemplate[] = ['verify_email', 'reset_password'];
export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number];
export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Idempotency key, e.g. `payment_failed:<dunning case id>`; also the email's Message-ID. */
    key: text('key').notNull().unique(),
    template: text('template').$type<NotificationTemplate>().notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    toEmail: text('to_email').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    data: jsonb('data')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    check('outbox_status_check', sql`${t.status} in ('pending', 'sent', 'failed')`),
    check(
      'outbox_template_check',
      sql`${t.template} in ('payment_failed', 'grace_ending', 'downgraded', 'receipt', 'trial_ending', 'verify_email', 'reset_password', 'account_exists')`,
    ),
    index('outbox_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    index('outbox_created_idx').on(t.createdAt, t.id),
    index('outbox_user_idx').on(t.userId, t.createdAt),
  ],
);
