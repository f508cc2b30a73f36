/**
 * Appends one row to the audit log, in the caller's transaction (the same transaction as the change it records,
 * so the row exists exactly when the change committed). The insert takes no lock: concurrent transactions never
 * wait on each other here. The row joins the hash chain when the sealer (`sealAuditLog`, run by every worker
 * process about once a second and by `sertantai audit verify`) gives it its `seq` and
 * `hash = sha256(previous hash || audit_row_content(row))`. Until then `hash` is `''`.
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
  const res = await tx.execute<{ id: string | number }>(sql`
    INSERT INTO audit_log (actor_type, actor_id, action, subject_type, subject_id, before, after, reason, cause,
                           request_id)
    VALUES (${entry.actorType}, ${entry.actorId}, ${entry.action}, ${entry.subjectType}, ${entry.subjectId},
            ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${entry.reason ?? null},
            ${json(entry.cause)}::jsonb, ${entry.requestId ?? null})
    RETURNING id`);
  const row = res.rows[0];
  if (!row) throw new Error('audit insert returned no row');
  return { id: Number(row.id), hash: '' };
}
