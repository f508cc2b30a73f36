/**
 * What every benchmark shares (DESIGN §9): a throw-away database migrated to the current schema, and the figure
 * line `{ name, value, unit, n, p50, p99, rows, commit }`. bench/run.ts skips files starting with `_`.
 */
import { execSync } from 'node:child_process';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded.js';

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown'; // not a git checkout
  }
}

const commit = gitCommit();

export interface Figure {
  name: string;
  value: number;
  unit: string;
  n: number;
  p50?: number | null;
  p99?: number | null;
  rows: number;
}

/** Prints one figure as a JSON line on stdout (value rounded to 0.1). */
export function printFigure(f: Figure): void {
  const out = { ...f, value: Math.round(f.value * 10) / 10, p50: f.p50 ?? null, p99: f.p99 ?? null, commit };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/**
 * Runs `fn` against a fresh database named `<prefix>_<pid>` on DATABASE_URL's server (embedded PostgreSQL under
 * .data/bench-pg when unset), dropped afterwards whatever happens. `fn` closes its own connections.
 */
export async function withBenchDatabase(
  prefix: string,
  fn: (db: { url: string; name: string }) => Promise<void>,
): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres('.data/bench-pg', { persistent: true });
    adminUrl = embedded.url;
  }
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    await fn({ url: u.toString(), name });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await embedded?.stop();
  }
}
