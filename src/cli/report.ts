/**
 * `sertantai report <name> [--from --to --tz --currency --plan --provider --country --at --format table|csv|json]`: prints a report's figures —
 * the same code, parameters and checks as `GET /api/admin/reports/<name>` (analytics/report-request.ts), so the
 * terminal and the API never disagree. `json` prints the API's body; `csv` the API's CSV; `table` the CSV's rows
 * aligned in columns. A bad report name or parameter exits 1 with a message naming it.
 */
import type { Command } from 'commander';
import { toCsv } from '../analytics/csv.js';
import { checkedParams, REPORTS, reportNamed } from '../analytics/report-request.js';
import { csvRows, inReportSnapshot, type CsvValue } from '../analytics/report.js';
import { systemClock } from '../clock.js';
import { AppError } from '../errors.js';
import { withDatabase } from './with-database.js';

const FORMATS = ['table', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface ReportOptions {
  from?: string;
  to?: string;
  tz?: string;
  currency?: string;
  plan?: string;
  provider?: string;
  country?: string;
  at?: string;
  format: string;
}

/** Rows as a plain-text table: a header, a rule, numbers right-aligned, null as blank. */
export function toTable(rows: readonly Record<string, CsvValue>[]): string {
  if (rows.length === 0) return '(no rows)\n';
  const columns = Object.keys(rows[0]!);
  const cell = (v: CsvValue | undefined) => (v === null || v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[], numeric: boolean[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    line(
      columns,
      columns.map(() => false),
    ),
    line(
      widths.map((w) => '-'.repeat(w)),
      columns.map(() => false),
    ),
    ...rows.map((r) =>
      line(
        columns.map((c) => cell(r[c])),
        columns.map((c) => typeof r[c] === 'number'),
      ),
    ),
  ];
  return out.join('\n') + '\n';
}

/** An AppError as one line naming the problem (and the parameter, or the known reports). */
function explain(e: AppError): string {
  const details = (e.details ?? {}) as { parameter?: string; known?: string[] };
  if (details.known) return `${e.message} (known reports: ${details.known.join(', ')})`;
  if (details.parameter) return `--${details.parameter}: ${e.message} [${e.code}]`;
  return `${e.message} [${e.code}]`;
}

export function registerReportCommand(program: Command): Command {
  return program
    .command('report')
    .description(
      `Print a report's figures, as GET /api/admin/reports/<name> (${[...REPORTS.keys()].join(', ')})`,
    )
    .argument('<name>', 'the report')
    .option('--from <month>', 'first month, YYYY-MM (default: 11 months before --to)')
    .option('--to <month>', 'last month, YYYY-MM (default: this month)')
    .option(
      '--tz <zone>',
      'IANA time zone whose calendar months the periods are, e.g. Europe/Berlin (default: UTC)',
    )
    .option('--currency <code>', 'one currency (default: one series per currency)')
    .option('--plan <key>', 'one plan')
    .option('--provider <provider>', 'the customers whose user signed up with it (email, google, github, …)')
    .option('--country <code>', 'the customers of one country (ISO 3166-1 alpha-2)')
    .option(
      '--at <instant>',
      'the instant of a point-in-time report (summary); a date alone is its 00:00 in --tz',
    )
    .option('--format <format>', 'table, csv or json', 'table')
    .action(async (name: string, opts: ReportOptions) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new Error(`--format: "${opts.format}" is not one of ${FORMATS.join(', ')}`);
      }
      const format = opts.format as Format;
      try {
        const report = reportNamed(name);
        const query = Object.fromEntries(
          (['from', 'to', 'tz', 'currency', 'plan', 'provider', 'country', 'at'] as const)
            .filter((k) => opts[k] !== undefined)
            .map((k) => [k, opts[k]]),
        );
        const { answer, rows } = await withDatabase(async ({ database }) => {
          const p = await checkedParams(database.db, report, query, systemClock.now());
          const answer = await inReportSnapshot(database.db, (tx) => report.run(tx, p));
          return { answer, rows: csvRows(answer.rows, p) };
        });
        if (format === 'json') process.stdout.write(JSON.stringify(answer.body, null, 2) + '\n');
        else if (format === 'csv') process.stdout.write(toCsv(rows));
        else process.stdout.write(toTable(rows));
      } catch (e) {
        if (e instanceof AppError) throw new Error(explain(e));
        throw e;
      }
    });
}
