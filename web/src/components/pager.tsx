/** Previous / next over a server-side page (`page`, `limit`, `total`), kept in the URL's `page` parameter. */
import { number } from '../lib/format.js';
import { setQuery } from '../lib/router.js';

export function Pager({ page, limit, total }: { page: number; limit: number; total: number }) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = total === 0 ? 0 : (page - 1) * limit + 1;
  const last = Math.min(total, page * limit);
  const go = (p: number) => setQuery({ page: p === 1 ? undefined : String(p) });
  return (
    <nav className="pager" aria-label="Pages">
      <span>
        {number(first)}–{number(last)} of {number(total)}
      </span>
      <button type="button" onClick={() => go(page - 1)} disabled={page <= 1}>
        Previous
      </button>
      <button type="button" onClick={() => go(page + 1)} disabled={page >= pages}>
        Next
      </button>
    </nav>
  );
}

/** The pager of a paged answer, as a list table's footer: `footer={pagerOf}`. */
export const pagerOf = (d: { page: number; limit: number; total: number }) => (
  <Pager page={d.page} limit={d.limit} total={d.total} />
);
