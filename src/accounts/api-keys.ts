/**
 * Admin API keys. A key (`sta_<32 random chars>`) is shown once at creation; only its SHA-256 is stored. Keys from
 * ADMIN_API_KEYS are accepted too (compared in constant time) and cannot be revoked except by removing them.
 * Creating and revoking write audit rows in the same transaction.
 */
import crypto from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Executor } from '../db/client.js';
import { appendAudit } from '../audit/append-audit.js';
import { notFound } from '../errors.js';
import { adminApiKeys } from './accounts.tables.js';

export const API_KEY_PREFIX = 'sta_';

/** Who did it, as the audit log records it. */
export interface AuditActor {
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
}

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates a key, writes an audit row in the same transaction, and returns the plaintext key once. */
export async function createApiKey(
  db: Executor,
  input: { name: string; actor: AuditActor; requestId?: string | null },
): Promise<{ id: string; key: string; name: string }> {
  const key = API_KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
  const id = `key_${crypto.randomBytes(8).toString('hex')}`;
  await db.transaction(async (tx) => {
    await tx.insert(adminApiKeys).values({
      id,
      name: input.name,
      keyHash: hashApiKey(key),
      prefix: key.slice(0, 8),
      createdBy: input.actor.actorId,
    });
    await appendAudit(tx, {
      ...input.actor,
      action: 'api_key.created',
      subjectType: 'api_key',
      subjectId: id,
      after: { name: input.name, prefix: key.slice(0, 8) },
      requestId: input.requestId ?? null,
    });
  });
  return { id, key, name: input.name };
}

/** Revokes a key (idempotent on an already revoked key: it stays revoked at its first time). */
export async function revokeApiKey(
  db: Executor,
  clock: Clock,
  input: { id: string; actor: AuditActor; requestId?: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(adminApiKeys).where(eq(adminApiKeys.id, input.id)).for('update');
    if (!row) throw notFound('API key', 'api_key_not_found');
    if (row.revokedAt) return;
    await tx.update(adminApiKeys).set({ revokedAt: clock.now() }).where(eq(adminApiKeys.id, input.id));
    await appendAudit(tx, {
      ...input.actor,
      action: 'api_key.revoked',
      subjectType: 'api_key',
      subjectId: input.id,
      before: { revokedAt: null },
      after: { revokedAt: clock.now().toISOString() },
      requestId: input.requestId ?? null,
    });
  });
}

export async function listApiKeys(db: Executor) {
  return db
    .select({
      id: adminApiKeys.id,
      name: adminApiKeys.name,
      prefix: adminApiKeys.prefix,
      createdAt: adminApiKeys.createdAt,
      lastUsedAt: adminApiKeys.lastUsedAt,
      revokedAt: adminApiKeys.revokedAt,
    })
    .from(adminApiKeys)
    .orderBy(adminApiKeys.createdAt);
}

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Finds the key id for a presented bearer key: `env:<n>` for ADMIN_API_KEYS entries, else a stored, unrevoked key. */
export async function authenticateApiKey(
  db: Executor,
  configuredKeys: string[],
  presented: string,
): Promise<{ keyId: string } | null> {
  for (const [i, k] of configuredKeys.entries()) {
    if (sameSecret(k, presented)) return { keyId: `env:${i + 1}` };
  }
  const [row] = await db
    .select({ id: adminApiKeys.id })
    .from(adminApiKeys)
    .where(and(eq(adminApiKeys.keyHash, hashApiKey(presented)), isNull(adminApiKeys.revokedAt)));
  return row ? { keyId: row.id } : null;
}
