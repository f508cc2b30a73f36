/**
 * Walks the audit chain in id order and recomputes every hash in SQL (the same `audit_row_content` the insert
 * trigger uses). Reports the first row whose stored prev_hash or hash does not match, a gap in ids, or a head
 * that does not point at the last row (rows removed at the end).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';

export type VerifyResult =
  | { ok: true; rows: number; lastId: number; lastHash: string }
  | { ok: false; rows: number; brokenId: number; problem: string };

const GENESIS = '0'.repeat(64);

export async function verifyAuditChain(db: Executor, opts: { batch?: number } = {}): Promise<VerifyResult> {
  const batch = opts.batch ?? 5000;
  let prevHash = GENESIS;
  let prevId = 0;
  let rows = 0;
  for (;;) {
    const res = await db.execute<{ id: string; prev_hash: string; hash: string; expected: string }>(sql`
      SELECT a.id, a.prev_hash, a.hash,
             encode(sha256(convert_to(a.prev_hash || audit_row_content(a), 'UTF8')), 'hex') AS expected
      FROM audit_log a WHERE a.id > ${prevId} ORDER BY a.id LIMIT ${batch}`);
    for (const r of res.rows) {
      const id = Number(r.id);
      if (id !== prevId + 1) {
        return { ok: false, rows, brokenId: id, problem: `row ${prevId + 1} is missing before row ${id}` };
      }
      if (r.prev_hash !== prevHash) {
        return {
          ok: false,
          rows,
          brokenId: id,
          problem: `row ${id} does not follow the hash of row ${prevId}`,
        };
      }
      if (r.hash !== r.expected) {
        return { ok: false, rows, brokenId: id, problem: `row ${id}'s content does not match its hash` };
      }
      prevHash = r.hash;
      prevId = id;
      rows++;
    }
    if (res.rows.length < batch) break;
  }
  const head = await db.execute<{ last_id: string; last_hash: string }>(
    sql`SELECT last_id, last_hash FROM audit_head WHERE id = 1`,
  );
  const h = head.rows[0];
  if (!h || Number(h.last_id) !== prevId || h.last_hash !== prevHash) {
    return {
      ok: false,
      rows,
      brokenId: h ? Number(h.last_id) : 0,
      problem: `the chain head points at row ${h?.last_id ?? '(none)'} but the last row is ${prevId}`,
    };
  }
  return { ok: true, rows, lastId: prevId, lastHash: prevHash };
}
