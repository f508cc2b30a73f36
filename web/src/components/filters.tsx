/**
 * The filters of the list pages' toolbars, each bound to one URL query parameter: a labelled select and a row of
 * status tabs. Changing a filter sends the list back to its first page (`clears`: the `page`, `cursor` or `before`
 * parameter it removes; null on pages that have none, like the reports' controls).
 */
import { setQuery } from '../lib/router.js';

/** The paging parameter a filter change removes (`page`, `cursor`, `before`), or null when the list has none. */
type Clears = string | null;

const cleared = (clears: Clears) => (clears ? { [clears]: undefined } : {});

/** A value and its text; a bare string is shown with its underscores as spaces (`past_due` → `past due`). */
export type FilterOption = string | { value: string; label: string };

export function FilterSelect({
  label,
  param,
  value,
  options,
  all = 'All',
  clears = 'page',
  title,
}: {
  label: string;
  param: string;
  value: string;
  options: readonly FilterOption[];
  /** The text of the first option, the empty value (no filter); null for none. */
  all?: string | null;
  clears?: Clears;
  title?: string;
}) {
  return (
    <label title={title}>
      {label}{' '}
      <select value={value} onChange={(e) => setQuery({ [param]: e.target.value, ...cleared(clears) })}>
        {all === null ? null : <option value="">{all}</option>}
        {options.map((o) =>
          typeof o === 'string' ? (
            <option key={o} value={o}>
              {o.replace(/_/g, ' ')}
            </option>
          ) : (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ),
        )}
      </select>
    </label>
  );
}

/** Tabs over a fixed set of statuses in the URL's `status`; the first is the default (absent from the URL). */
export function StatusTabs<T extends string>({
  statuses,
  value,
  clears,
}: {
  statuses: readonly [T, ...T[]];
  value: T;
  clears: 'page' | 'cursor';
}) {
  return (
    <div className="tabs" role="group" aria-label="Status">
      {statuses.map((s) => (
        <button
          key={s}
          type="button"
          aria-pressed={s === value}
          onClick={() => setQuery({ status: s === statuses[0] ? undefined : s, ...cleared(clears) })}
        >
          {s}
        </button>
      ))}
    </div>
  );
}
