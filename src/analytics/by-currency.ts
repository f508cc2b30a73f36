/**
 * Report rows (ordered by currency) grouped into one series per currency, in the rows' order — the shape of every
 * money report's answer, which never sums two currencies.
 */
export function byCurrency<T>(
  rows: readonly (T & { currency: string })[],
): Array<{ currency: string; rows: T[] }> {
  const out: Array<{ currency: string; rows: T[] }> = [];
  for (const row of rows) {
    const last = out.at(-1);
    if (last?.currency === row.currency) last.rows.push(row);
    else out.push({ currency: row.currency, rows: [row] });
  }
  return out;
}
