/**
 * What every benchmark shares (docs/DESIGN.md §9): a throw-away database migrated to the current schema, and the figure
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
 * `node [BENCH_CPU_PROF flags] --import tsx <args>` in a child process (one node process, so signals reach the
 * server itself) with `env` on top of ours; lines other than its `{"port":n…}` ready line go to `onLine`. Resolves
 * with its port once ready. BENCH_CPU_PROF=dir writes a V8 CPU profile of it there.
 */
export function spawnReady(
  label: string,
  args: string[],
  env: Record<string, string>,
  onLine: (line: string) => void = () => {},
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []),
      '--import',
      'tsx',
      ...args,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"port":')) resolve({ child, port: (JSON.parse(line) as { port: number }).port });
      else onLine(line);
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
  });
}

/**
 * `sertantai serve --role <role>` (the production entry) in production mode on `url`, with `env` on top; resolves
 * with its port once it serves (0 for a worker).
 */
export function startServe(
  role: 'all' | 'web' | 'worker',
  url: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<{ child: ChildProcess; port: number }> {
  return spawnReady(
    `sertantai serve --role ${role}`,
    ['src/cli/main.ts', 'serve', '--role', role],
    {
      DATABASE_URL: url,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: '0',
      AUTH_SECRET: 'b'.repeat(40),
      STRIPE_SECRET_KEY: 'sk_test_bench_placeholder',
      // Nothing answers there: a benchmark that reached Stripe would fail loudly, not call the real one.
      STRIPE_API_URL: 'http://127.0.0.1:9',
      STRIPE_WEBHOOK_SECRET: 'whsec_bench_0123456789abcdef',
      ...env,
    },
    onLine,
  );
}

/** The app's web role on `url`, answering admin requests authenticated by `adminKey`. */
export function startWebServer(
  url: string,
  adminKey: string,
): Promise<{ child: ChildProcess; port: number }> {
  return startServe('web', url, { ADMIN_API_KEYS: adminKey });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
