/**
 * Report periods: calendar months in UTC unless a time zone is given (docs/DESIGN.md §7, issue 14). Pure — the
 * caller passes "now".
 *
 * `from` and `to` name the first and the last month of a report, both included. Each is `YYYY-MM` or a full date
 * `YYYY-MM-DD`; a date names the month it falls in (a report's rows are whole months, so a day inside a month
 * cannot cut it). A month is the half-open interval [first instant of the month, first instant of the next).
 *
 * In a zone (`tz`, an IANA name), a month is [00:00 local on the 1st, 00:00 local on the next 1st), read from the
 * zone's rules (Intl) — never a fixed offset, so a month across a DST change is 1 hour shorter or longer. Where
 * local midnight does not exist (a DST gap at 00:00) or happens twice (a fall-back to 00:00), the instant is the one
 * PostgreSQL's `date_trunc(…, tz)` gives — the later reading — so a bound computed here equals the month key the
 * reports' SQL computes for a row (test/int/analytics/time-zones.int.test.ts compares them zone by zone).
 */
import { err, ok, type Result } from '../errors.js';

/** A calendar month (in UTC, or in the report's zone): its label (`2026-03`) and its half-open bounds. */
export interface Month {
  month: string;
  start: Date;
  end: Date;
}

/** The default zone, and the one whose months the maintained rollups are keyed by. */
export const UTC = 'UTC';

/** Most months one report may span (20 years): bounds the SQL's generated series. */
export const MAX_MONTHS = 240;

const MONTH = /^(\d{4})-(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The month a `YYYY-MM` or `YYYY-MM-DD` text names, as (year, month 1-12); an error for anything else. */
export function parseMonth(text: string): Result<{ year: number; month: number }, string> {
  const m = MONTH.exec(text) ?? DATE.exec(text);
  if (!m) return err(`"${text}" is not YYYY-MM or YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (year < 1970 || month < 1 || month > 12) return err(`"${text}" is not a real month`);
  if (m[3] !== undefined) {
    const day = Number(m[3]);
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (day < 1 || day > daysInMonth) return err(`"${text}" is not a real date`);
  }
  return ok({ year, month });
}

/** The month containing an instant: in UTC, or on the wall clock of `tz`. */
export function monthOf(at: Date, tz = UTC): { year: number; month: number } {
  if (tz === UTC) return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1 };
  const wall = new Date(wallClock(at.getTime(), tz));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1 };
}

/** The (year, month) a month's label names (`2026-03` → 2026, 3). */
export function monthParts(m: Month): { year: number; month: number } {
  return { year: Number(m.month.slice(0, 4)), month: Number(m.month.slice(5, 7)) };
}

/** The month `offset` months after (or before, when negative) the given one. */
export function addMonths(
  m: { year: number; month: number },
  offset: number,
): { year: number; month: number } {
  const index = m.year * 12 + (m.month - 1) + offset;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export function monthBounds(m: { year: number; month: number }, tz = UTC): Month {
  const next = addMonths(m, 1);
  return {
    month: `${String(m.year).padStart(4, '0')}-${String(m.month).padStart(2, '0')}`,
    start: tz === UTC ? new Date(Date.UTC(m.year, m.month - 1, 1)) : localMidnight(m.year, m.month, 1, tz),
    end: tz === UTC ? new Date(Date.UTC(m.year, m.month, 1)) : localMidnight(next.year, next.month, 1, tz),
  };
}

/** Every month from `from` to `to`, both included, in order; empty when `to` is before `from`. */
export function monthsBetween(
  from: { year: number; month: number },
  to: { year: number; month: number },
  tz = UTC,
): Month[] {
  const count = to.year * 12 + to.month - (from.year * 12 + from.month) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => monthBounds(addMonths(from, i), tz));
}

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    // a few zones in practice; bounded whatever requests name
    if (formats.size >= 1000) formats.clear();
    formats.set(tz, f);
  }
  return f;
}

/**
 * An IANA time zone name, or an error. Answered as given, in the runtime's spelling when it differs only by case
 * (`europe/berlin` → `Europe/Berlin`) — not replaced by ICU's canonical alias (it answers `Asia/Calcutta` for
 * `Asia/Kolkata`) — and every alias of UTC (`Etc/UTC`, `GMT`) as `UTC`, the rollups' zone. Names only: an offset
 * (`+01:00`) or a POSIX rule is not a zone with rules, and PostgreSQL would read some of those with the opposite sign.
 */
export function parseZone(text: string): Result<string, string> {
  if (!IANA_NAME.test(text)) return err(`"${text}" is not an IANA time zone name (e.g. Europe/Berlin)`);
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return err(`"${text}" is not a time zone this server knows`);
  }
  if (resolved === UTC) return ok(UTC);
  return ok(resolved.toLowerCase() === text.toLowerCase() ? resolved : text);
}

/** The wall clock of `tz` at an instant, as milliseconds of the same reading in UTC. */
function wallClock(ms: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of format(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (ms - Math.floor(ms / 1000) * 1000);
}

const DAY_MS = 86_400_000;

/**
 * The instant of 00:00 on a local date in `tz`. The zone's offset is read a day either side (a zone changes its
 * offset at most once in two days); each reading of midnight that the wall clock confirms is a candidate, and of two
 * (a fall-back to 00:00) the later wins; with none (a DST gap at 00:00) midnight is read with the offset before the
 * gap — the transition itself. Both as PostgreSQL resolves local times, so the bounds match its `date_trunc`.
 */
export function localMidnight(year: number, month: number, day: number, tz: string): Date {
  const target = Date.UTC(year, month - 1, day);
  const offset = (ms: number) => wallClock(ms, tz) - ms;
  const readings = [target - offset(target - DAY_MS), target - offset(target + DAY_MS)];
  const confirmed = readings.filter((ms) => wallClock(ms, tz) === target);
  return new Date(Math.max(...(confirmed.length > 0 ? confirmed : readings)));
}
