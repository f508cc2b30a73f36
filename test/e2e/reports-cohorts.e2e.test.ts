/**
 * The Cohorts report page on a year of demo history (issue 14's seedHistory: customers signing up over 12 months
 * on the sandbox's test clocks, reaching the app only by webhooks), in Debian's Chromium at 1280 px: one heat map
 * per currency, a row per cohort month. Writes .data/screenshots/reports-cohorts-1280.png (the README's copy is in
 * docs/screenshots/). No console error and no failed request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensureAdmin } from '../../src/accounts/ensure-admin.js';
import { seedHistory } from '../../src/billing/seed/seed-history.js';
import { freePort } from '../../src/db/embedded.js';
import { TEST_PASSWORD } from '../helpers/auth.js';
import { billingStack, type BillingStack } from '../helpers/billing-stack.js';
import { launchBrowser, watchPage } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';

const SHOTS = path.join(ROOT, '.data/screenshots');
const ADMIN = 'cohorts-admin@example.com';
let s: BillingStack;
let browser: Browser;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  s = await billingStack({ webhooks: true, port, env: { APP_URL: url }, label: 'reports-cohorts-e2e' });
  await s.sandbox.control.settings({ webhookConcurrency: 4 });
  await seedHistory(s.h.deps, { customers: 36, months: 12 });
  await s.settle();
  await ensureAdmin(
    { auth: s.h.app.httpContext.auth, db: s.h.deps.db },
    { email: ADMIN, password: TEST_PASSWORD, source: 'test' },
  );
  browser = await launchBrowser();
  fs.mkdirSync(SHOTS, { recursive: true });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('the Cohorts report page', () => {
  it('draws a cohort × month heat map per currency from a year of history', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${url}/sign-in?next=/admin/reports/cohorts`);
    await page.fill('#si-email', ADMIN);
    await page.fill('#si-password', TEST_PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForURL(`${url}/admin/reports/cohorts`);
    const problems = watchPage(page);
    await page.waitForSelector('h1:text-is("Cohorts")');
    await page.waitForSelector('[data-testid="cohorts-usd"] .heatmap tbody tr');
    await page.waitForFunction(() => !document.querySelector('.state.loading, [aria-busy="true"]'));
    // Sign-ups spread over the year: several cohorts, in both of the history's currencies.
    expect(await page.locator('[data-testid="cohorts-usd"] .heatmap tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('[data-testid="cohorts-eur"] .heatmap tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'reports-cohorts-1280.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });
});
