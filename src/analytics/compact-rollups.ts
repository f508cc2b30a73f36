/**
 * Folds the report rollups' delta rows (revenue_months, payment_attempt_months: one INSERT per writing statement and
 * key, drizzle/0028_rollups_append_only.sql) into one row per key. Figures are the same before and after — readers
 * sum a key's rows — so this only keeps the tables small; it never has to run for a report to be right.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';

export const COMPACT_ROLLUPS_JOB = 'analytics.compact-rollups';

/** Returns how many rows the fold removed (0 when every key already had one row). */
export async function compactRollups(db: Executor): Promise<number> {
  const r = await db.execute<{ folded: string }>(sql`SELECT rollups_compact() AS folded`);
  return Number(r.rows[0]!.folded);
}
