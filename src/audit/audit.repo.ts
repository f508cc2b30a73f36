/** Reads of the audit log: by subject (e.g. a user's role history), by actor, newest first, keyset-paged. */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { auditLog } from './audit.tables.js';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditQuery {
  subjectType?: string;
  subjectId?: string;
  actorType?: string;
  actorId?: string;
  action?: string;
  /** Return rows with id < before (keyset paging). */
  before?: number;
  limit?: number;
}

export async function listAudit(db: Executor, q: AuditQuery = {}): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (q.subjectType !== undefined) where.push(eq(auditLog.subjectType, q.subjectType));
  if (q.subjectId !== undefined) where.push(eq(auditLog.subjectId, q.subjectId));
  if (q.actorType !== undefined) where.push(eq(auditLog.actorType, q.actorType as AuditRow['actorType']));
  if (q.actorId !== undefined) where.push(eq(auditLog.actorId, q.actorId));
  if (q.action !== undefined) where.push(eq(auditLog.action, q.action));
  if (q.before !== undefined) where.push(lt(auditLog.id, q.before));
  return db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(Math.min(Math.max(q.limit ?? 50, 1), 500));
}

/** Audit rows about one subject, newest first (e.g. `listAuditForSubject(db, 'user', userId)`). */
export function listAuditForSubject(db: Executor, subjectType: string, subjectId: string, limit = 100) {
  return listAudit(db, { subjectType, subjectId, limit });
}
