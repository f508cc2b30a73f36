/**
 * Months and days of a report's zone in SQL. For UTC the text is the one the maintained rollups and the reports
 * always used (`date_trunc(…, 'UTC')`, a literal), so the UTC path keeps its plans; another zone is a parameter, and
 * PostgreSQL's zone rules (not a fixed offset) place each instant — DST-correct, as periods.ts bounds the months.
 */
import { sql, type SQL } from 'drizzle-orm';
import { UTC } from './periods.js';

/** `date_trunc(unit, at, zone)`: the first instant of the local day or month holding `at`. */
export function truncIn(unit: 'day' | 'month', at: SQL, tz: string): SQL {
  const zone = tz === UTC ? sql.raw(`'UTC'`) : sql`${tz}::text`;
  return sql`date_trunc(${sql.raw(`'${unit}'`)}, ${at}, ${zone})`;
}

/** `YYYY-MM` of the local month holding `at` (a cohort's label). */
export function monthLabelIn(at: SQL, tz: string): SQL {
  const zone = tz === UTC ? sql.raw(`'UTC'`) : sql`${tz}::text`;
  return sql`to_char(${at} AT TIME ZONE ${zone}, 'YYYY-MM')`;
}
