/**
 * sendAccountEmail: better-auth's email callbacks (verify an address, confirm a new address, reset a password) put
 * the email in the notifications outbox, delivered by the sender job through SMTP like every other notification.
 * The link points at the app's own page (`/verify-email?token=…`, `/reset-password?token=…`), which calls the
 * auth API; the token is recorded in the email-link ledger (single use, expiry from the Clock) in the same
 * transaction as the outbox row, so an email exists exactly when its link does. One email per token (outbox key).
 */
import crypto from 'node:crypto';
import type { Deps } from '../../deps.js';
import { enqueueNotification } from '../../notifications/enqueue-notification.js';
import { issueEmailLink, type EmailLinkKind } from './email-links.repo.js';

export interface AccountEmail {
  kind: EmailLinkKind;
  token: string;
  user: { id: string; email: string; name: string | null };
  /** The address to write to when it is not the user's current one (a change of address). */
  newEmail?: string;
}

const PAGES: Record<EmailLinkKind, string> = {
  verify_email: '/verify-email',
  reset_password: '/reset-password',
};

export async function sendAccountEmail(
  deps: Pick<Deps, 'db' | 'clock'>,
  origin: string,
  mail: AccountEmail,
): Promise<void> {
  const actionUrl = `${origin}${PAGES[mail.kind]}?token=${encodeURIComponent(mail.token)}`;
  const tokenHash = crypto.createHash('sha256').update(mail.token, 'utf8').digest('hex').slice(0, 32);
  await deps.db.transaction(async (tx) => {
    const expiresAt = await issueEmailLink(tx, deps.clock, {
      kind: mail.kind,
      token: mail.token,
      userId: mail.user.id,
    });
    await enqueueNotification(tx, {
      key: `${mail.kind}:${tokenHash}:${deps.clock.now().getTime()}`,
      template: mail.kind,
      userId: mail.user.id,
      toEmail: mail.newEmail ?? mail.user.email,
      recipient: { email: mail.user.email, name: mail.user.name },
      at: deps.clock.now(),
      data: {
        actionUrl,
        linkExpiresAt: expiresAt.toISOString(),
        ...(mail.newEmail ? { newEmail: mail.newEmail } : {}),
      },
    });
  });
}
