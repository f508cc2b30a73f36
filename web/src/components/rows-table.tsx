/**
 * A table of rows, or the empty state when there are none: the scaffolding every list page and every section of the
 * detail pages would otherwise repeat. Rows are keyed by `id` unless `rowKey` says otherwise.
 * - default: a scrolling table (`.table-wrap`);
 * - `cards`: a list page's table, shown as cards on narrow screens (`.table-wrap.cards`; cells carry `data-label`);
 * - `compact`: the small in-panel table (no scroll wrapper).
 * `footer` (a pager) follows the table, and only when there are rows.
 * `ListTable` is a list page's whole answer: loading and error states, then its `items` as a cards table.
 */
import type { Key, ReactNode } from 'react';
import type { Loaded } from '../api/use-api.js';
import { Empty, Show } from './states.js';

/** `rowKey` may be left out only when the rows have an `id`. */
type RowKey<T> = T extends { id: Key } ? { rowKey?: (r: T) => Key } : { rowKey: (r: T) => Key };

interface TableProps<T> {
  rows: readonly T[];
  empty: ReactNode;
  head?: ReactNode;
  row: (r: T) => ReactNode;
  compact?: boolean;
  cards?: boolean;
  footer?: ReactNode;
  /** The table's data-testid. */
  testId?: string;
}

const byId = (r: unknown) => (r as { id: Key }).id;
const keyOf = <T,>(props: object) => (props as { rowKey?: (r: T) => Key }).rowKey ?? byId;

function Table<T>({
  rows,
  empty,
  head,
  row,
  rowKey,
  compact = false,
  cards = false,
  footer,
  testId,
}: TableProps<T> & { rowKey: (r: T) => Key }) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  const table = (
    <table className={compact ? 'compact' : undefined} data-testid={testId}>
      {head ? (
        <thead>
          <tr>{head}</tr>
        </thead>
      ) : null}
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>{row(r)}</tr>
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

export function RowsTable<T>(props: TableProps<T> & RowKey<T>) {
  return <Table {...props} rowKey={keyOf<T>(props)} />;
}

type Item<D extends { items: readonly unknown[] }> = D['items'][number];

/** A list page's answer (`{ items, … }`): loading or error, then the items in a cards table, then `footer(answer)`. */
export function ListTable<D extends { items: readonly unknown[] }>(
  props: {
    value: Loaded<D>;
    empty: ReactNode;
    head: ReactNode;
    row: (r: Item<D>) => ReactNode;
    footer?: (d: D) => ReactNode;
  } & RowKey<Item<D>>,
) {
  const { value, empty, head, row, footer } = props;
  return (
    <Show value={value}>
      {(d) => (
        <Table<Item<D>>
          cards
          rows={d.items}
          empty={empty}
          head={head}
          row={row}
          rowKey={keyOf<Item<D>>(props)}
          footer={footer?.(d)}
        />
      )}
    </Show>
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
