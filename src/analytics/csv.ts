/**
 * Flat report rows to CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, a quote
 * or a line break; quotes doubled). The header is the first row's keys. Amounts stay integer minor units, as in
 * JSON, with their currency in a column — a spreadsheet never sees a float of money.
 */
import type { CsvValue } from './report.js';

function field(v: CsvValue): string {
  const text = v === null ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly Record<string, CsvValue>[], header?: readonly string[]): string {
  const columns = header ?? Object.keys(rows[0] ?? {});
  const lines = [columns.map(field).join(',')];
  for (const row of rows) lines.push(columns.map((c) => field(row[c] ?? null)).join(','));
  return lines.join('\r\n') + '\r\n';
}
