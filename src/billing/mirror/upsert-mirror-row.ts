/**
 * The one write of every mirror repository (customers, payment methods, subscriptions, invoices, payments, refunds,
 * disputes): lock the row by its Stripe id, let the repository decide from it (the version guard: `null` = the row
 * is newer, nothing is written), then UPDATE it or INSERT it (RETURNING the written row, so no second read). Two
 * writers of a new object race on its unique Stripe id: the loser's INSERT does nothing, and it locks the winner's
 * row and decides again (three tries, then an error — the event is parked and retried).
 *
 * What a repository does beyond its own row (linking rows stored before it, its items, an MRR movement) it does
 * after this returns, from `before` and `row`, or inside the UPDATE as `alongUpdate` statements (`WITH …`: one round
 * trip) — which is why `decide` may hand back what it computed (`carry`) for the repository to use afterwards.
 */
import { eq, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { insertRowIfAbsent, updateRows, type RowOf, type Values } from '../../db/rows.js';
import { differs } from './stripe-refs.js';

export type MirrorOutcome = 'inserted' | 'updated' | 'unchanged' | 'stale';

export interface MirrorWrite<T extends PgTable, C> {
  /** The values to write over `before` (an insert when `before` is null). */
  values: Values<T>;
  /** Data-modifying statements of other tables run inside the UPDATE (`name AS (…)`, see updateRows). */
  alongUpdate?: SQL;
  /** Whatever the decision computed that the repository needs after the write. */
  carry: C;
}

export type MirrorWritten<T extends PgTable, C> =
  | { outcome: 'stale'; before: RowOf<T>; row: RowOf<T>; carry: null }
  | { outcome: 'inserted' | 'updated' | 'unchanged'; before: RowOf<T> | null; row: RowOf<T>; carry: C };

export async function upsertMirrorRow<T extends PgTable & { id: PgColumn }, C = null>(
  tx: Executor,
  table: T,
  spec: {
    /** For the error after three lost races, e.g. `invoice in_123`. */
    subject: string;
    /** The row, locked (FOR UPDATE), or null when it is not mirrored yet. */
    lock: () => Promise<RowOf<T> | null>;
    /** From the locked row: what to write, or null when the row is newer than this object (stale). */
    decide: (before: RowOf<T> | null) => Promise<MirrorWrite<T, C> | null> | MirrorWrite<T, C> | null;
    /** The columns whose change makes the outcome `updated` rather than `unchanged`. */
    compared: readonly (keyof RowOf<T>)[];
  },
): Promise<MirrorWritten<T, C>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await spec.lock();
    const w = await spec.decide(before);
    if (!w) {
      if (!before) throw new Error(`${spec.subject}: a write with no row cannot be stale`);
      return { outcome: 'stale', before, row: before, carry: null };
    }
    const [row] = before
      ? await updateRows(
          tx,
          table,
          w.values,
          eq(table.id, (before as { id: unknown }).id),
          w.alongUpdate ? { with: w.alongUpdate } : {},
        )
      : await insertRowIfAbsent(tx, table, w.values);
    if (!row) continue; // a concurrent writer inserted it first: lock theirs and decide again
    return {
      outcome: !before ? 'inserted' : differs(before, row, spec.compared) ? 'updated' : 'unchanged',
      before,
      row,
      carry: w.carry,
    };
  }
  throw new Error(`${spec.subject}: could not insert or lock after 3 attempts`);
}
