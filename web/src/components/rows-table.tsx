/**
 * A table of rows keyed by id, or the empty state when there are none: the scaffolding every section of the detail
 * pages would otherwise repeat. `compact` is the small in-panel table (no scroll wrapper).
 */
import type { ReactNode } from 'react';
import { Empty } from './states.js';

export function RowsTable<T extends { id: string }>({
  rows,
  empty,
  head,
  row,
  compact = false,
}: {
  rows: readonly T[];
  empty: string;
  head?: ReactNode;
  row: (r: T) => ReactNode;
  compact?: boolean;
}) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  const table = (
    <table className={compact ? 'compact' : undefined}>
      {head ? (
        <thead>
          <tr>{head}</tr>
        </thead>
      ) : null}
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>{row(r)}</tr>
        ))}
      </tbody>
    </table>
  );
  return compact ? table : <div className="table-wrap">{table}</div>;
}
