/**
 * Appends one row to the audit log, in the caller's transaction (the same transaction as the change it records,
 * so the row exists exactly when the change committed). The insert takes no lock: concurrent transactions never
 * wait on each other here. The row joins the hash chain when the sealer (`sealAuditLog`, run by every worker
 * process about once a second and by `sertantai audit verify`) gives it its `seq` and
 * `hash = sha256(previous hash || audit_row_content(row))`. Until then `hash` is `''`.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { insertOrDefer } from '../db/deferred-writes.js';
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

/** An entry as the INSERT takes it (JSON already text: a later change to the caller's objects cannot leak in). */
type AuditValues = [
  actorType: string,
  actorId: string | null,
  action: string,
  subjectType: string,
  subjectId: string,
  before: string | null,
  after: string | null,
  reason: string | null,
  cause: string | null,
  requestId: string | null,
];

const valuesOf = (e: AuditEntry): AuditValues => [
  e.actorType,
  e.actorId,
  e.action,
  e.subjectType,
  e.subjectId,
  json(e.before),
  json(e.after),
  e.reason ?? null,
  json(e.cause),
  e.requestId ?? null,
];

/**
 * Appends the row, or — in a transaction that defers its writes (the webhook dispatcher's batch, deferWrites) —
 * queues it for that transaction's one audit INSERT before commit: it still commits exactly with the change.
 */
export async function appendAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  await insertOrDefer(tx, 'audit_log', valuesOf(entry), insertAuditRows);
}

/** One INSERT for any number of rows, ids given in the order the rows were appended. */
async function insertAuditRows(tx: Executor, rows: AuditValues[]): Promise<void> {
  // sql.param: the array is ONE parameter (an array interpolated bare would render as a list of parameters).
  const column = (i: number) => sql.param(rows.map((r) => r[i]));
  await tx.execute(sql`
    INSERT INTO audit_log (actor_type, actor_id, action, subject_type, subject_id, before, after, reason, cause,
                           request_id)
    SELECT actor_type, actor_id, action, subject_type, subject_id, before::jsonb, after::jsonb, reason, cause::jsonb,
           request_id
    FROM unnest(${column(0)}::text[], ${column(1)}::text[], ${column(2)}::text[], ${column(3)}::text[],
                ${column(4)}::text[], ${column(5)}::text[], ${column(6)}::text[], ${column(7)}::text[],
                ${column(8)}::text[], ${column(9)}::text[])
         WITH ORDINALITY AS v(actor_type, actor_id, action, subject_type, subject_id, before, after, reason, cause,
                              request_id, n)
    ORDER BY n`);
}
