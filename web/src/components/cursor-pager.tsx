/** Pages of a keyset-paginated list (events, errors): "Next" puts the server's cursor in the URL, "First" clears it. */
import { setQuery } from '../lib/router.js';

export function CursorPager({
  cursor,
  nextCursor,
  param = 'cursor',
}: {
  cursor: string;
  nextCursor: string | null;
  /** The query parameter that carries the cursor (`before` for the audit log). */
  param?: string;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <span />
      <button type="button" onClick={() => setQuery({ [param]: undefined })} disabled={!cursor}>
        First
      </button>
      <button
        type="button"
        onClick={() => setQuery({ [param]: nextCursor ?? undefined })}
        disabled={!nextCursor}
      >
        Next
      </button>
    </nav>
  );
}
