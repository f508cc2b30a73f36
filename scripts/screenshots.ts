/**
 * `npm run screenshots`: the README's console screenshots, taken from the product as a new user gets it — `sertantai
 * start` on a fresh data directory (embedded PostgreSQL, the Stripe sandbox, the demo seed and its year of history),
 * once every webhook of the history is applied — in Debian's Chromium. Writes docs/screenshots/<name>.png.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'docs/screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const SHOTS: { name: string; path: string; width: number }[] = [
  { name: 'dashboard-1280', path: '/admin', width: 1280 },
  { name: 'dashboard-390', path: '/admin', width: 390 },
  { name: 'reports-mrr-1280', path: '/admin/reports/mrr?currency=usd', width: 1280 },
  { name: 'reports-cohorts-1280', path: '/admin/reports/cohorts?currency=usd', width: 1280 },
  { name: 'reports-churn-1280', path: '/admin/reports/churn?currency=usd', width: 1280 },
  { name: 'customers-1280', path: '/admin/customers', width: 1280 },
  { name: 'subscriptions-1280', path: '/admin/subscriptions', width: 1280 },
  { name: 'subscriptions-390', path: '/admin/subscriptions', width: 390 },
  { name: 'roles-1280', path: '/admin/roles', width: 1280 },
];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sertantai-shots-'));
fs.chmodSync(dataDir, 0o755);
const app = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
  cwd: ROOT,
  env: { ...process.env, DATA_DIR: dataDir, PORT: '0', DATABASE_URL: '', STRIPE_SECRET_KEY: '' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
app.stdout!.on('data', (d: Buffer) => (out += d.toString()));
const stopApp = () =>
  new Promise<void>((resolve) => {
    if (app.exitCode !== null) return resolve();
    app.once('exit', () => resolve());
    app.kill('SIGINT');
  });

async function until<T>(
  what: string,
  ms: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`no ${what} after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

try {
  const [, url, email, password] = await until('banner', 180_000, () => {
    const m = /running at (\S+)[\s\S]*Admin login: (\S+) \/ (\S+)/.exec(out);
    return m ? [...m] : undefined;
  });
  await until('demo history', 600_000, () => (out.includes('demo history made') ? true : undefined));
  const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url! },
    body: JSON.stringify({ email, password }),
  });
  const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  // Every webhook the history caused is applied when nothing is waiting three polls in a row.
  let quiet = 0;
  await until('an applied history', 600_000, async () => {
    const res = await fetch(`${url}/api/admin/events?status=pending&limit=1`, { headers: { cookie } });
    const body = (await res.json()) as { total?: number; items?: unknown[] };
    quiet = (body.items?.length ?? 1) === 0 ? quiet + 1 : 0;
    return quiet >= 3 ? true : undefined;
  });

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const [name, value] = cookie.split('=');
    for (const shot of SHOTS) {
      const context = await browser.newContext({ viewport: { width: shot.width, height: 900 } });
      await context.addCookies([{ name: name!, value: value!, url: url! }]);
      const page = await context.newPage();
      await page.goto(`${url}${shot.path}`, { waitUntil: 'networkidle' });
      // Charts are loaded lazily: wait until no placeholder says it is loading.
      await page.waitForFunction(() => !/Loading/.test(document.body.innerText), undefined, {
        timeout: 30_000,
      });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, `${shot.name}.png`), fullPage: true });
      await context.close();
      console.log(`docs/screenshots/${shot.name}.png`);
    }
  } finally {
    await browser.close();
  }
} finally {
  await stopApp();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
