/** Pages of a keyset-paginated list (events, errors): "Next" puts the server's cursor in the URL, "First" clears it. */
import { setQuery } from '../lib/router.js';

export function CursorPager({ cursor, nextCursor }: { cursor: string; nextCursor: string | null }) {
  return (
    <nav className="pager" aria-label="Pages">
      <span />
      <button type="button" onClick={() => setQuery({ cursor: undefined })} disabled={!cursor}>
        First
      </button>
      <button
        type="button"
        onClick={() => setQuery({ cursor: nextCursor ?? undefined })}
        disabled={!nextCursor}
      >
        Next
      </button>
    </nav>
  );
}
