/**
 * sendPendingNotifications: the sender job's work. Delivers `pending` outbox rows through SMTP (nodemailer) when
 * SMTP_URL is set; without it, rows stay `pending` (kept, and listed for admins) and nothing is attempted.
 *
 * Send-once: each row is claimed `FOR UPDATE SKIP LOCKED` and marked `sent` in the same transaction right after the
 * SMTP server accepted it, so two senders never pick the same row and a sent row is never picked again. The one
 * window left (the process dies after the server accepted the message, before the commit) resends the SAME
 * Message-ID (`<outbox key@sertantai>`), which mail systems use to drop the duplicate.
 */
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Deps } from '../deps.js';
import { scrub } from '../logger.js';
import { LINK_TEMPLATES, type NotificationTemplate } from './notifications.tables.js';
import { failpoint } from '../failpoints.js';

/** What an account email's body becomes once sent. */
export const LINK_REMOVED = '(This email held a one-time link; it was removed once the email was sent.)';

/** Tries before a row is marked `failed` (it is still listed for admins, with its last error). */
export const MAX_SEND_ATTEMPTS = 5;

export type Mailer = Pick<Transporter, 'sendMail' | 'close'>;

export function messageIdOf(key: string): string {
  return `<${key.replace(/[^A-Za-z0-9._:-]/g, '_')}@sertantai>`;
}

export async function sendPendingNotifications(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'logger'>,
  opts: { limit?: number; mailer?: Mailer } = {},
): Promise<{ sent: number; failed: number; skipped: boolean }> {
  const url = deps.config.smtp.url;
  if (!url && !opts.mailer) return { sent: 0, failed: 0, skipped: true };
  const mailer: Mailer = opts.mailer ?? nodemailer.createTransport(url);
  const limit = opts.limit ?? 100;
  let sent = 0;
  let failed = 0;
  try {
    for (let i = 0; i < limit; i++) {
      const done = await deps.db.transaction(async (tx) => {
        const res = await tx.execute<{
          id: string;
          key: string;
          template: NotificationTemplate;
          to_email: string;
          subject: string;
          body: string;
          attempts: number;
        }>(sql`
          SELECT id, key, template, to_email, subject, body, attempts FROM outbox
          WHERE status = 'pending'
          ORDER BY created_at, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED`);
        const row = res.rows[0];
        if (!row) return 'empty' as const;
        try {
          await mailer.sendMail({
            from: deps.config.smtp.from,
            to: row.to_email,
            subject: row.subject,
            text: row.body,
            messageId: messageIdOf(row.key),
          });
        } catch (e) {
          const attempts = row.attempts + 1;
          const message = scrub(e instanceof Error ? e.message : String(e)).slice(0, 1000);
          await tx.execute(sql`
            UPDATE outbox SET attempts = ${attempts}, last_error = ${message},
              status = ${attempts >= MAX_SEND_ATTEMPTS ? 'failed' : 'pending'}
            WHERE id = ${row.id}`);
          deps.logger.warn({ outboxId: row.id, attempts }, 'notification send failed');
          return 'failed' as const;
        }
        failpoint('notify.after-send');
        // A one-time link is the recipient's alone: once delivered it is not kept (admins see that it was sent).
        const body = LINK_TEMPLATES.includes(row.template) ? LINK_REMOVED : row.body;
        await tx.execute(sql`
          UPDATE outbox SET status = 'sent', sent_at = ${deps.clock.now()}, attempts = attempts + 1, last_error = null,
            body = ${body}
          WHERE id = ${row.id}`);
        return 'sent' as const;
      });
      if (done === 'empty') break;
      if (done === 'sent') sent++;
      else {
        failed++;
        break; // the server is refusing: leave the rest for the next run
      }
    }
  } finally {
    if (!opts.mailer) mailer.close();
  }
  return { sent, failed, skipped: false };
}
