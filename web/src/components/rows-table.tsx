/**
 * A table of rows, or the empty state when there are none: the scaffolding every list page and every section of the
 * detail pages would otherwise repeat. Rows are keyed by `id` unless `rowKey` says otherwise.
 * - default: a scrolling table (`.table-wrap`);
 * - `cards`: a list page's table, shown as cards on narrow screens (`.table-wrap.cards`; cells carry `data-label`);
 * - `compact`: the small in-panel table (no scroll wrapper).
 * `footer` (a pager) follows the table, and only when there are rows.
 */
import type { Key, ReactNode } from 'react';
import { Empty } from './states.js';

type RowKey<T> = T extends { id: Key } ? { rowKey?: (r: T) => Key } : { rowKey: (r: T) => Key };

export function RowsTable<T>({
  rows,
  empty,
  head,
  row,
  rowKey,
  compact = false,
  cards = false,
  footer,
}: {
  rows: readonly T[];
  empty: ReactNode;
  head?: ReactNode;
  row: (r: T) => ReactNode;
  compact?: boolean;
  cards?: boolean;
  footer?: ReactNode;
} & RowKey<T>) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  const keyOf = rowKey ?? ((r: T) => (r as { id: Key }).id);
  const table = (
    <table className={compact ? 'compact' : undefined}>
      {head ? (
        <thead>
          <tr>{head}</tr>
        </thead>
      ) : null}
      <tbody>
        {rows.map((r) => (
          <tr key={keyOf(r)}>{row(r)}</tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <>
      {compact ? table : <div className={cards ? 'table-wrap cards' : 'table-wrap'}>{table}</div>}
      {footer}
    </>
  );
}

/** The header of a list page's actions column: read by screen readers, not shown. */
export function ActionsHead() {
  return (
    <th>
      <span className="visually-hidden">Actions</span>
    </th>
  );
}
