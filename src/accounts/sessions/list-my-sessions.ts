/**
 * listMySessions: the signed-in user's unexpired sessions for /account, newest first, read by our own query.
 * better-auth's `/list-sessions` refuses a session older than its freshness age (a day) and hands every session's
 * token to the browser; this lists them by id, without tokens, for a session of any age.
 */
import { z } from 'zod';
import { and, desc, eq, gt } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/client.js';
import { sessions } from '../accounts.tables.js';

export const mySession = z.object({
  id: z.string(),
  /** The session this request was made with. */
  current: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  ipAddress: z.string().nullable(),
});
export const mySessions = z.object({ data: z.array(mySession) });

export async function listMySessions(
  db: Executor,
  clock: Clock,
  user: { userId: string; sessionId: string },
): Promise<z.input<typeof mySessions>> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, user.userId), gt(sessions.expiresAt, clock.now())))
    .orderBy(desc(sessions.createdAt), desc(sessions.id));
  return {
    data: rows.map((s) => ({
      id: s.id,
      current: s.id === user.sessionId,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.updatedAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      userAgent: s.userAgent,
      ipAddress: s.ipAddress,
    })),
  };
}
