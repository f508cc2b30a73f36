/**
 * Walks the sealed audit chain in `seq` order and recomputes every hash in SQL (the same `audit_row_content` the
 * sealing trigger uses). Reports the first row (by id) whose prev_hash or hash does not match, a gap in `seq`
 * (a sealed row removed), or a head that does not point at the last row (rows removed at the end). Rows not yet
 * sealed are counted as `pending`; `sertantai audit verify` seals them first.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';

export type VerifyResult =
  | { ok: true; rows: number; pending: number; lastSeq: number; lastHash: string }
  | { ok: false; rows: number; brokenId: number; problem: string };

export const GENESIS_HASH = '0'.repeat(64);

export async function verifyAuditChain(db: Executor, opts: { batch?: number } = {}): Promise<VerifyResult> {
  const batch = opts.batch ?? 5000;
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let rows = 0;
  for (;;) {
    const res = await db.execute<{
      id: string;
      seq: string;
      prev_hash: string;
      hash: string;
      expected: string;
    }>(sql`
      SELECT a.id, a.seq, a.prev_hash, a.hash,
             encode(sha256(convert_to(a.prev_hash || audit_row_content(a), 'UTF8')), 'hex') AS expected
      FROM audit_log a WHERE a.seq > ${prevSeq} ORDER BY a.seq LIMIT ${batch}`);
    for (const r of res.rows) {
      const id = Number(r.id);
      const seq = Number(r.seq);
      if (seq !== prevSeq + 1) {
        return {
          ok: false,
          rows,
          brokenId: id,
          problem: `chain position ${prevSeq + 1} is missing before row ${id} (position ${seq})`,
        };
      }
      if (r.prev_hash !== prevHash) {
        return {
          ok: false,
          rows,
          brokenId: id,
          problem: `row ${id} does not follow the hash of the row before it`,
        };
      }
      if (r.hash !== r.expected) {
        return { ok: false, rows, brokenId: id, problem: `row ${id}'s content does not match its hash` };
      }
      prevHash = r.hash;
      prevSeq = seq;
      rows++;
    }
    if (res.rows.length < batch) break;
  }
  const head = await db.execute<{ last_id: string; last_hash: string }>(
    sql`SELECT last_id, last_hash FROM audit_head WHERE id = 1`,
  );
  const h = head.rows[0];
  if (!h || Number(h.last_id) !== prevSeq || h.last_hash !== prevHash) {
    return {
      ok: false,
      rows,
      brokenId: 0,
      problem: `the chain head points at position ${h?.last_id ?? '(none)'} but the last sealed row is at ${prevSeq}`,
    };
  }
  const pending = await db.execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM audit_log WHERE seq IS NULL`,
  );
  return { ok: true, rows, pending: pending.rows[0]?.n ?? 0, lastSeq: prevSeq, lastHash: prevHash };
}
