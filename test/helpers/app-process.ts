/**
 * The app as a separate OS process, for the crash and multi-process tests: `sertantai serve`, the production entry —
 * the web server (POST /webhooks/stripe) and, in the same process, the worker (the event dispatcher with the real
 * handlers, the audit sealer). It runs no pg-boss jobs (JOBS=none): the dunning and override sweeps run every minute
 * on the wall clock and would race the state comparison. No test hook is in the app: a test stops the process with
 * SIGKILL (`kill()`) or SIGTERM (`stop()`), exactly as an operator or the OS would.
 *
 * Spawned as `node --import tsx src/cli/main.ts serve` (one process: the tsx CLI would fork a second node and SIGKILL
 * would reach only the wrapper). Its stdout/stderr go to the run's captured log directory (scanned for secrets at
 * teardown).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type pg from 'pg';
import type Stripe from 'stripe';
import { ROOT } from './cli.js';
import { TEST_APP_URL, TEST_AUTH_SECRET } from './app.js';
import { testLogFile } from './log-capture.js';
import { signatureHeader, WEBHOOK_SECRET } from '../story/index.js';

const ENTRY = path.join(ROOT, 'src/cli/main.ts');

export interface AppProcess {
  label: string;
  pid: number;
  url: string;
  /** POSTs a delivery to /webhooks/stripe signed with the configured secret at the wall-clock time; the status. */
  deliver(event: Stripe.Event | string): Promise<number>;
  /** SIGKILL, and resolves once the process is gone (its PostgreSQL backends may outlive it: see the tests). */
  kill(): Promise<void>;
  /** SIGTERM (graceful: the dispatcher finishes its batch), and resolves once the process exited. */
  stop(): Promise<void>;
  /** The last 2,000 characters the process wrote (stderr and non-protocol stdout), whether it has exited, and how:
   *  its exit code (0 after a graceful stop) or the signal that ended it. */
  output(): { tail: string; exited: boolean; code: number | null; signal: NodeJS.Signals | null };
}

/** Children still running when a test file ends are killed (a failed assertion must not leave them behind). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function startAppProcess(opts: {
  databaseUrl: string;
  label: string;
  /** Dispatcher loops in the process (default 4, as `sertantai start`). */
  workers?: number;
  /** `all` (default), or one side only, as `sertantai serve --role web|worker` runs it (a worker's url is its
   *  METRICS_PORT server: /metrics, /healthz, /readyz only). */
  role?: 'all' | 'web' | 'worker';
  /** A crash point armed in the process (src/failpoints.ts: `name` or `name@n`). */
  failpoint?: string;
}): Promise<AppProcess> {
  const log = fs.createWriteStream(testLogFile(`app-process.${opts.label}`));
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', '--role', opts.role ?? 'all'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TZ: 'UTC',
      NODE_ENV: 'test',
      DATABASE_URL: opts.databaseUrl,
      APP_URL: TEST_APP_URL,
      AUTH_SECRET: TEST_AUTH_SECRET,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // No Stripe call is made by these tests; nothing answers on port 9 if one were.
      STRIPE_SECRET_KEY: 'sk_test_app_process_unused',
      STRIPE_API_URL: 'http://127.0.0.1:9',
      PORT: '0',
      ...(opts.role === 'worker' ? { METRICS_PORT: '0' } : {}),
      LOG_LEVEL: 'warn',
      JOBS: 'none',
      WEBHOOK_WORKERS: String(opts.workers ?? 4),
      ...(opts.failpoint ? { SERTANTAI_FAILPOINT: opts.failpoint } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let hasExited = false;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      exitCode = code;
      exitSignal = signal;
      running.delete(child);
      log.end();
      resolve();
    }),
  );
  let tail = '';
  const keep = (text: string) => {
    log.write(text);
    tail = (tail + text).slice(-2000);
  };
  child.stderr!.on('data', (d: Buffer) => keep(d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind a failed test (vitest may end its worker without an 'exit' event).
      child.kill('SIGKILL');
      reject(new Error(`${opts.label}: not listening after 180 s:\n${tail}`));
    }, 180_000);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"port":')) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      } else keep(line + '\n');
    });
    void exited.then(() => reject(new Error(`${opts.label}: exited before listening:\n${tail}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    label: opts.label,
    pid: child.pid!,
    url,
    async deliver(event) {
      const body = typeof event === 'string' ? event : JSON.stringify(event);
      const res = await fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureHeader(body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    },
    output: () => ({ tail, exited: hasExited, code: exitCode, signal: exitSignal }),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Resolves once no stored event is left to apply (none `pending`, none `parked`), polling the database every 25 ms;
 * rejects after `timeoutMs` with the events still waiting.
 */
export async function waitForDrain(pool: pg.Pool, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ id: string; status: string; last_error: string | null }>(
      `SELECT id, status, last_error FROM stripe_events WHERE status IN ('pending', 'parked') ORDER BY created_at, id`,
    );
    if (rows.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`events not drained after ${timeoutMs} ms: ${JSON.stringify(rows.slice(0, 5))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One process receiving the stream in order: each delivery acknowledged before the next; then drained. */
export async function deliverInOrder(app: AppProcess, pool: pg.Pool, events: Stripe.Event[]): Promise<void> {
  for (const e of events) {
    const status = await app.deliver(e);
    if (status !== 200) throw new Error(`${app.label}: ${e.id} answered ${status}`);
  }
  await waitForDrain(pool);
}
