/**
 * The ledger of one-time links sent by email (verify an address, reset a password): `email_links` keeps the SHA-256
 * of each token — never the token. better-auth signs and checks the tokens; this ledger adds what it does not do for
 * every kind of link: single use (a verification JWT stays valid until it expires), an expiry read from the
 * injected Clock, and the reason a link is refused (used, expired, unknown) so the page can say which.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/client.js';

export type EmailLinkKind = 'verify_email' | 'reset_password';

/** How long a link works: a day to verify an address, an hour to reset a password. */
export const EMAIL_LINK_TTL_SECONDS: Record<EmailLinkKind, number> = {
  verify_email: 24 * 60 * 60,
  reset_password: 60 * 60,
};

export type LinkUse = { ok: true } | { ok: false; reason: 'link_used' | 'link_expired' | 'link_invalid' };

const hashOf = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Records a link just issued; returns when it expires. better-auth's verification JWTs have a one-second
 * resolution, so a resend within the same second is the same token: it is issued again (renewed).
 */
export async function issueEmailLink(
  db: Executor,
  clock: Clock,
  link: { kind: EmailLinkKind; token: string; userId: string },
): Promise<Date> {
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + EMAIL_LINK_TTL_SECONDS[link.kind] * 1000);
  await db.execute(sql`
    INSERT INTO email_links (token_hash, kind, user_id, created_at, expires_at)
    VALUES (${hashOf(link.token)}, ${link.kind}, ${link.userId}, ${now.toISOString()}, ${expiresAt.toISOString()})
    ON CONFLICT (token_hash) DO UPDATE SET created_at = excluded.created_at, expires_at = excluded.expires_at,
      used_at = NULL`);
  return expiresAt;
}

/**
 * Uses a link once: the first caller with an unexpired link of this kind gets `ok` (one UPDATE, so two concurrent
 * clicks cannot both win); later callers learn why not.
 */
export async function useEmailLink(
  db: Executor,
  clock: Clock,
  kind: EmailLinkKind,
  token: string,
): Promise<LinkUse> {
  const hash = hashOf(token);
  const now = clock.now().toISOString();
  const won = await db.execute(sql`
    UPDATE email_links SET used_at = ${now}
    WHERE token_hash = ${hash} AND kind = ${kind} AND used_at IS NULL AND expires_at > ${now}
    RETURNING token_hash`);
  if (won.rows.length) return { ok: true };
  const res = await db.execute<{ used_at: Date | null }>(sql`
    SELECT used_at FROM email_links WHERE token_hash = ${hash} AND kind = ${kind}`);
  const row = res.rows[0];
  if (!row) return { ok: false, reason: 'link_invalid' };
  return { ok: false, reason: row.used_at ? 'link_used' : 'link_expired' };
}

/** Gives a link back when what it was used for did not happen (better-auth refused the request). */
export async function releaseEmailLink(db: Executor, kind: EmailLinkKind, token: string): Promise<void> {
  await db.execute(sql`
    UPDATE email_links SET used_at = NULL WHERE token_hash = ${hashOf(token)} AND kind = ${kind}`);
}
