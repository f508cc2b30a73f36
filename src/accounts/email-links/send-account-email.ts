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
import { hitLimit, type Limit } from '../../db/rate-limit.js';
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

/** At most 3 "someone tried to sign up with your address" emails per address per day. */
export const SIGN_UP_NOTICE_LIMIT: Limit = {
  bucket: 'auth:sign-up-notice',
  max: 3,
  windowSeconds: 24 * 3600,
};

/**
 * A sign-up with an address that already has an account: the sign-up answers exactly as for a new address (no
 * enumeration), and the owner of the address is told instead, with the sign-in and forgot-password pages (no link
 * that signs anyone in). Rate limited per address, silently (a 429 would tell the address has an account): past the
 * limit nothing is sent. Returns whether an email was queued.
 */
export async function sendSignUpNotice(
  deps: Pick<Deps, 'db' | 'clock'>,
  origin: string,
  user: { id: string; email: string; name: string | null },
): Promise<boolean> {
  const limit = await hitLimit(deps.db, deps.clock, SIGN_UP_NOTICE_LIMIT, user.email.toLowerCase());
  if (limit.limited) return false;
  const now = deps.clock.now();
  const queued = await enqueueNotification(deps.db, {
    key: `account_exists:${user.id}:${now.getTime()}:${crypto.randomUUID()}`,
    template: 'account_exists',
    userId: user.id,
    recipient: { email: user.email, name: user.name },
    at: now,
    data: { signInUrl: `${origin}/sign-in`, resetUrl: `${origin}/forgot-password` },
  });
  return queued !== null;
}
