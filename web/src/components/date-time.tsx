/** An instant in the viewer's time zone, with the exact UTC time on hover. */
import { localDate, utcTitle } from '../lib/format.js';

export function DateTime({ iso, withTime = false }: { iso: string | null; withTime?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={utcTitle(iso)}>
      {localDate(iso, withTime)}
    </time>
  );
}
