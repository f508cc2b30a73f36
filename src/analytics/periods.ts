/**
 * Report periods: calendar months in UTC (docs/DESIGN.md §7, issue 14). Pure — the caller passes "now".
 *
 * `from` and `to` name the first and the last month of a report, both included. Each is `YYYY-MM` or a full date
 * `YYYY-MM-DD`; a date names the month it falls in (a report's rows are whole months, so a day inside a month
 * cannot cut it). A month is the half-open interval [first instant of the month, first instant of the next).
 */
import { err, ok, type Result } from '../errors.js';

/** A calendar month in UTC: its label (`2026-03`) and its half-open bounds. */
export interface Month {
  month: string;
  start: Date;
  end: Date;
}

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

/** The month containing an instant (UTC). */
export function monthOf(at: Date): { year: number; month: number } {
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1 };
}

/** The month `offset` months after (or before, when negative) the given one. */
export function addMonths(
  m: { year: number; month: number },
  offset: number,
): { year: number; month: number } {
  const index = m.year * 12 + (m.month - 1) + offset;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export function monthBounds(m: { year: number; month: number }): Month {
  return {
    month: `${String(m.year).padStart(4, '0')}-${String(m.month).padStart(2, '0')}`,
    start: new Date(Date.UTC(m.year, m.month - 1, 1)),
    end: new Date(Date.UTC(m.year, m.month, 1)),
  };
}

/** Every month from `from` to `to`, both included, in order; empty when `to` is before `from`. */
export function monthsBetween(
  from: { year: number; month: number },
  to: { year: number; month: number },
): Month[] {
  const count = to.year * 12 + to.month - (from.year * 12 + from.month) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => monthBounds(addMonths(from, i)));
}
