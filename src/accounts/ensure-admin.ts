/**
 * Creates an admin, or promotes an existing user to admin (BOOTSTRAP_ADMIN_*, `sertantai admin create`, the demo
 * admin). Idempotent: running it again for an admin changes nothing and writes no audit row. When a password is
 * given it becomes the account's email+password credential. The role change and its audit row commit together.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { appendAudit } from '../audit/append-audit.js';
import { accounts, users } from './accounts.tables.js';
import type { Auth } from './auth.js';

export interface EnsureAdminResult {
  userId: string;
  created: boolean;
  promoted: boolean;
  passwordSet: boolean;
}

export async function ensureAdmin(
  ctx: { auth: Auth; db: Db },
  input: { email: string; password?: string; name?: string; source: string },
): Promise<EnsureAdminResult> {
  const email = input.email.trim().toLowerCase();
  const authCtx = await ctx.auth.$context;
  let [user] = await ctx.db.select().from(users).where(eq(users.email, email));
  let created = false;
  if (!user) {
    await authCtx.internalAdapter.createUser(
      { email, name: input.name ?? email.split('@')[0]!, emailVerified: true },
      { method: 'admin' },
    );
    [user] = await ctx.db.select().from(users).where(eq(users.email, email));
    if (!user) throw new Error(`could not create user ${email}`);
    created = true;
  }
  const userId = user.id;

  let passwordSet = false;
  if (input.password !== undefined) {
    const [credential] = await ctx.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.userId, userId), eq(accounts.providerId, 'credential')));
    const same =
      credential?.password != null &&
      (await authCtx.password.verify({ hash: credential.password, password: input.password }));
    if (!same) {
      const hash = await authCtx.password.hash(input.password);
      if (credential) {
        await ctx.db
          .update(accounts)
          .set({ password: hash, updatedAt: sql`now()` })
          .where(eq(accounts.id, credential.id));
      } else {
        await authCtx.internalAdapter.linkAccount({
          userId,
          providerId: 'credential',
          accountId: userId,
          password: hash,
        });
      }
      passwordSet = true;
    }
  }

  let promoted = false;
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select({ role: users.role }).from(users).where(eq(users.id, userId)).for('update');
    if (!row || row.role === 'admin') return;
    await tx.update(users).set({ role: 'admin' }).where(eq(users.id, userId));
    await appendAudit(tx, {
      actorType: 'system',
      actorId: null,
      action: 'user.role_changed',
      subjectType: 'user',
      subjectId: userId,
      before: { role: row.role },
      after: { role: 'admin' },
      reason: created ? 'admin created' : 'promoted to admin',
      cause: { source: input.source },
    });
    promoted = true;
  });
  return { userId, created, promoted, passwordSet };
}
