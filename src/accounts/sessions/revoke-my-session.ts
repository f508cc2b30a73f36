/**
 * revokeMySession: signs one of the user's sessions out (deletes it; better-auth then finds no session for its
 * cookie). Another user's session id, or one already gone, is 404 `session_not_found`, so ids cannot be probed.
 * Idempotent in effect: a repeat finds nothing and says so.
 */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { sessions } from '../accounts.tables.js';

export async function revokeMySession(
  db: Executor,
  user: { userId: string },
  sessionId: string,
): Promise<{ revoked: true; id: string }> {
  const gone = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, user.userId)))
    .returning({ id: sessions.id });
  if (!gone.length) throw notFound('Session', 'session_not_found');
  return { revoked: true, id: sessionId };
}
