/**
 * Deferred inserts: inside a transaction that defers its writes (`deferWrites(tx)`, the webhook dispatcher's batch),
 * write-only inserts whose callers need no answer — audit rows, fire-and-forget notifications — are collected per
 * kind and written at `flush()` in one statement per kind, still in the same transaction. Elsewhere they are written
 * at once. Nothing in a transaction may read such rows back before the flush.
 */
import type { Executor } from './client.js';

interface Pending {
  rows: unknown[];
  write(tx: Executor, rows: unknown[]): Promise<void>;
}

const deferring = new WeakMap<object, Map<string, Pending>>();

/**
 * Writes `row` with `write(tx, [row])` now, or — when `tx` defers its writes — adds it to the `kind` buffer that
 * `write` inserts at flush (so `write` must take any number of rows, in order).
 */
export async function insertOrDefer<R>(
  tx: Executor,
  kind: string,
  row: R,
  write: (tx: Executor, rows: R[]) => Promise<void>,
): Promise<void> {
  const buffers = deferring.get(tx);
  if (!buffers) return write(tx, [row]);
  let buffer = buffers.get(kind);
  if (!buffer) {
    buffer = { rows: [], write: write as Pending['write'] };
    buffers.set(kind, buffer);
  }
  buffer.rows.push(row);
}

/** Defers `tx`'s insertOrDefer rows until `flush()`, which writes each kind in one statement and stops deferring. */
export function deferWrites(tx: Executor): { flush(): Promise<void> } {
  const buffers = new Map<string, Pending>();
  deferring.set(tx, buffers);
  return {
    async flush() {
      deferring.delete(tx);
      for (const { rows, write } of buffers.values()) {
        if (rows.length > 0) await write(tx, rows.splice(0));
      }
    },
  };
}
