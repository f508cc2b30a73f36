/**
 * Appends one row to the hash-chained audit log, in the caller's transaction (same transaction as the change
 * it records). The BEFORE INSERT trigger assigns the id and computes
 * `hash = sha256(previous hash || audit_row_content(row))` while holding a lock on the one-row `audit_head`
 * until the transaction ends: WRITE AUDIT ROWS LAST in a transaction, so the lock is held only until commit.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { AuditActorType } from './audit.tables.js';

export interface AuditEntry {
  actorType: AuditActorType;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  cause?: Record<string, unknown> | null;
  requestId?: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function appendAudit(tx: Executor, entry: AuditEntry): Promise<{ id: number; hash: string }> {
  const res = await tx.execute<{ id: string | number; hash: string }>(sql`
    INSERT INTO audit_log (actor_type, actor_id, action, subject_type, subject_id, before, after, reason, cause,
                           request_id, prev_hash, hash)
    VALUES (${entry.actorType}, ${entry.actorId}, ${entry.action}, ${entry.subjectType}, ${entry.subjectId},
            ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${entry.reason ?? null},
            ${json(entry.cause)}::jsonb, ${entry.requestId ?? null}, '', '')
    RETURNING id, hash`);
  const row = res.rows[0];
  if (!row) throw new Error('audit insert returned no row');
  return { id: Number(row.id), hash: row.hash };
}
