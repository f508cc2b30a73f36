/**
 * What every benchmark shares (DESIGN §9): a throw-away database migrated to the current schema, and the figure
 * line `{ name, value, unit, n, p50, p99, rows, commit }`. bench/run.ts skips files starting with `_`.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
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
 * BENCH_DATABASE=<name> instead uses (and creates if missing) that database and keeps it: `kept` tells `fn` so it
 * can skip loading a history that is already there (a 100k load takes minutes). Drop it by hand when done.
 */
export async function withBenchDatabase(
  prefix: string,
  fn: (db: { url: string; name: string; kept: boolean }) => Promise<void>,
): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres('.data/bench-pg', { persistent: true });
    adminUrl = embedded.url;
  }
  const keep = process.env.BENCH_DATABASE;
  const name = keep ?? `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
    if (!exists) await admin.query(`CREATE DATABASE "${name}"`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    await fn({ url: u.toString(), name, kept: Boolean(keep) });
  } finally {
    if (!keep) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await embedded?.stop();
  }
}

/** The `p`th percentile of ascending `sorted` values (nearest rank). */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * The app's web role in a child process on `url` (bench/webhooks-server.ts, production mode), answering admin
 * requests authenticated by `adminKey`; resolves with its port once it listens.
 */
export function startWebServer(
  url: string,
  adminKey: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/webhooks-server.ts'], {
    env: {
      ...process.env,
      BENCH_ROLE: 'web',
      DATABASE_URL: url,
      NODE_ENV: 'production',
      AUTH_SECRET: 'b'.repeat(40),
      STRIPE_SECRET_KEY: 'sk_test_bench_placeholder',
      STRIPE_WEBHOOK_SECRET: 'whsec_bench_reports_0123456789abcdef',
      ADMIN_API_KEYS: adminKey,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const m = /^\{"port":(\d+)\}$/.exec(line.trim());
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
