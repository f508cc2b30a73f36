/**
 * `npm run bench:reports` — docs/DESIGN.md §9 and issue 14: a generated history (bench/_report-history.ts: BENCH_CUSTOMERS
 * customers, default 100,000, with 1.5 subscriptions each and an invoice per billing period over BENCH_MONTHS
 * months, default 36) loaded with raw SQL; the app started in a child process (`sertantai serve --role web`);
 * every report asked from THIS process over loopback for the whole range in usd, once cold (the first request of
 * a freshly started server: new connections, nothing planned or cached by the app) and BENCH_REPEAT times warm
 * (default 10), and one drill-down page per report that has one. Prints one JSON figure per measurement:
 * `reports.<name>.cold` (ms), `reports.<name>.warm` (median ms, p50/p99), `reports.<name>.rows.warm`, and the
 * history's size as `reports.history.*`. Targets (issue 14): warm < 200 ms and cold < 2 s, drill-down < 100 ms.
 * DATABASE_URL selects the server (a fresh database is created on it and dropped after); else embedded PostgreSQL.
 */
import pg from 'pg';
import { connect } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { percentile, printFigure, startWebServer, stopServer, withBenchDatabase } from './_support.js';
import { loadReportHistory } from './_report-history.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const MONTHS = Number(process.env.BENCH_MONTHS ?? 36);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 10);
const KEY = 'bench-reports-admin-key-0123456789abcdef';

/** The drill-down asked of each report that has one: a figure that is never empty in the generated history. */
const DRILL: Record<string, string> = { mrr: 'new', churn: 'churnedCustomers' };

await withBenchDatabase('bench_reports', async ({ url, kept }) => {
  const migrate = connect(url, { max: 2 });
  await runMigrations(migrate.db);
  await migrate.close();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const loadStart = performance.now();
  const history = await loadReportHistory(pool, { customers: CUSTOMERS, months: MONTHS }, kept);
  const loadMs = performance.now() - loadStart;
  await pool.end();
  for (const [what, value] of Object.entries({
    customers: history.customers,
    subscriptions: history.subscriptions,
    invoices: history.invoices,
    movements: history.movements,
    events: history.events,
  })) {
    printFigure({ name: `reports.history.${what}`, value, unit: 'rows', n: 1, rows: CUSTOMERS });
  }
  printFigure({ name: 'reports.history.load', value: loadMs / 1000, unit: 's', n: 1, rows: CUSTOMERS });

  const { child, port } = await startWebServer(url, KEY);
  try {
    const from = history.from.toISOString().slice(0, 7);
    const last = new Date(history.to.getTime() - 86_400_000);
    const to = last.toISOString().slice(0, 7);
    const get = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      const body = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
      return ms;
    };
    // The reports the server has (its 404 names them).
    const unknown = await fetch(`http://127.0.0.1:${port}/api/admin/reports/none`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const names = ((await unknown.json()) as { error: { details: { known: string[] } } }).error.details.known;
    const query = (name: string) =>
      name === 'summary'
        ? `at=${history.to.toISOString()}&currency=usd`
        : `from=${from}&to=${to}&currency=usd`;

    for (const name of names) {
      const path = `/api/admin/reports/${name}?${query(name)}`;
      printFigure({
        name: `reports.${name}.cold`,
        value: await get(path),
        unit: 'ms',
        n: 1,
        rows: CUSTOMERS,
      });
      const warm: number[] = [];
      for (let i = 0; i < REPEAT; i++) warm.push(await get(path));
      warm.sort((a, b) => a - b);
      printFigure({
        name: `reports.${name}.warm`,
        value: percentile(warm, 50),
        unit: 'ms',
        n: warm.length,
        p50: percentile(warm, 50),
        p99: percentile(warm, 99),
        rows: CUSTOMERS,
      });
      const metric = DRILL[name];
      if (!metric) continue;
      const month = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - 6, 1))
        .toISOString()
        .slice(0, 7);
      const rowsPath = `/api/admin/reports/${name}/rows?metric=${metric}&month=${month}&currency=usd`;
      await get(rowsPath);
      const rows: number[] = [];
      for (let i = 0; i < REPEAT; i++) rows.push(await get(rowsPath));
      rows.sort((a, b) => a - b);
      printFigure({
        name: `reports.${name}.rows.warm`,
        value: percentile(rows, 50),
        unit: 'ms',
        n: rows.length,
        p50: percentile(rows, 50),
        p99: percentile(rows, 99),
        rows: CUSTOMERS,
      });
    }
  } finally {
    await stopServer(child);
  }
});
