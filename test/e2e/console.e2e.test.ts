/**
 * The admin console in Debian's Chromium against the real server, database and Stripe sandbox (seeded with the demo
 * catalogue and customers through the app's own operations and webhooks): an admin signs in through the sign-in
 * page and opens every page with no console error and no failed request; filters land in the URL; a member is
 * refused with the 403 page; an anonymous visitor is sent to the sign-in page. Screenshots go to
 * .data/screenshots/ (the README's are copied from there to docs/screenshots/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../src/billing/seed/seed-demo.js';
import { freePort } from '../../src/db/embedded.js';
import { ensureAdmin } from '../../src/accounts/ensure-admin.js';
import { TEST_PASSWORD } from '../helpers/auth.js';
import { billingStack, type BillingStack } from '../helpers/billing-stack.js';
import { launchBrowser, watchPage } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';

const SHOTS = path.join(ROOT, '.data/screenshots');
const ADMIN = 'console-admin@example.com';
const MEMBER = 'console-member@example.com';

let s: BillingStack;
let browser: Browser;
let url: string;
beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  s = await billingStack({ webhooks: true, port, env: { APP_URL: url }, label: 'console-e2e' });
  await seedDemo(s.h.deps, { auth: s.h.app.httpContext.auth, customers: true });
  await s.settle();
  // A planted mismatch for the Roles page: Ann pays for Starter (which grants professional) but is stored as member.
  await s.h.t.pool.query(`UPDATE users SET role = 'member' WHERE email = 'ann@demo.sertantai.test'`);
  await ensureAdmin(
    { auth: s.h.app.httpContext.auth, db: s.h.deps.db },
    { email: ADMIN, password: TEST_PASSWORD, source: 'test' },
  );
  browser = await launchBrowser();
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const watch = watchPage;

async function signIn(page: Page, email: string) {
  await page.fill('#si-email', email);
  await page.fill('#si-password', TEST_PASSWORD);
  await page.click('#sign-in button[type=submit]');
}

/** Waits until no loading state is left on the page. */
async function settled(page: Page) {
  await page.waitForFunction(() => !document.querySelector('.state.loading, [aria-busy="true"]'));
}

describe('the admin console', () => {
  it('sends an anonymous visitor to the sign-in page, and back to the console after signing in as admin', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${url}/admin/customers?q=ann`);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/customers?q=ann');
    await page.waitForSelector('#sign-in');

    const problems = watch(page);
    await signIn(page, ADMIN);
    await page.waitForURL(`${url}/admin/customers?q=ann`);
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.textContent('tbody')).toContain('ann@demo.sertantai.test');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows every page to an admin with no console error and no failed request', async () => {
    // Signed in on another page first, so the console's first load is measured alone (the sign-in page's assets
    // would otherwise be counted, or cached).
    const signInContext = await browser.newContext();
    const signInPage = await signInContext.newPage();
    await signInPage.goto(`${url}/?next=/admin`);
    await signIn(signInPage, ADMIN);
    await signInPage.waitForURL(`${url}/admin`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies(await signInContext.cookies());
    await signInContext.close();
    const page = await context.newPage();
    const shell: Array<Promise<{ path: string; bytes: number }>> = [];
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/admin'))
        shell.push(
          r
            .request()
            .sizes()
            .then((z) => ({ path, bytes: z.responseBodySize + z.responseHeadersSize })),
        );
    });
    await page.goto(`${url}/admin`);
    const problems = watch(page);

    // Dashboard: figures from the admin API, each a link to its list.
    await settled(page);
    // The first load transfers well under 300 kB: the assets go out pre-compressed. The shell (page, script,
    // stylesheet, the console's chunk and the chunk it shares with the customer's pages) stays under 100 kB; the
    // chart (uPlot, its script and stylesheet) loads lazily with the MRR chart.
    await page.waitForSelector('[data-testid="mrr-chart"] .chart canvas');
    const loaded = await Promise.all(shell);
    const bytes = (list: typeof loaded) => list.reduce((a, b) => a + b.bytes, 0);
    const chart = loaded.filter((l) => /\/assets\/chart-/.test(l.path));
    // The page, the entry script and stylesheet, the console's chunk and the chunks it preloads (modules the lazy
    // pages and the customer's side share with it): the byte budgets below are what matters.
    expect(loaded.length - chart.length).toBeLessThanOrEqual(6);
    expect(chart.length).toBe(2);
    expect(bytes(loaded) - bytes(chart)).toBeLessThan(100_000);
    expect(bytes(loaded)).toBeLessThan(300_000);
    console.log(`console first load: ${bytes(loaded)} bytes transferred (chart: ${bytes(chart)})`);
    expect(await page.textContent('h1')).toBe('Dashboard');
    const active = page.getByTestId('active-subscriptions').locator('a.figure-value');
    expect(await active.textContent()).toBe('3');
    expect(await active.getAttribute('href')).toBe('/admin/subscriptions?status=active');
    const mismatches = page.locator('.figure:has-text("Role mismatches") a.figure-value');
    expect(await mismatches.textContent()).toBe('1');
    // MRR from the summary report, per currency, linking to the MRR report; the 12-month chart of ending MRR.
    const mrr = page.getByTestId('mrr').locator('a.figure-value');
    expect(await mrr.textContent()).toMatch(/^\$\d[\d,]*\.\d\d$/);
    expect(await mrr.getAttribute('href')).toBe('/admin/reports/mrr');
    const mrrNow = await mrr.textContent();
    expect(await page.locator('[data-testid="mrr-chart"] .u-legend').textContent()).toContain('MRR USD');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-1280.png'), fullPage: true });

    // Customers: server-side search, kept in the URL.
    await page.click('nav >> text=Customers');
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, 'customers-1280.png'), fullPage: true });
    await page.fill('#search-q', 'bob@demo');
    await page.press('#search-q', 'Enter');
    await page.waitForURL(/\/admin\/customers\?q=bob%40demo/);
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.fill('#search-q', 'nobody-here');
    await page.press('#search-q', 'Enter');
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No customer matches');

    // Subscriptions: a status filter from the URL, and from the select.
    await page.click('nav >> text=Subscriptions');
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, 'subscriptions-1280.png'), fullPage: true });
    await page.selectOption('label:has-text("Status") select', 'past_due');
    await page.waitForURL(/status=past_due/);
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No subscription matches');
    await page.goto(`${url}/admin/subscriptions?plan=professional`);
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.inputValue('label:has-text("Plan") select')).toBe('professional');

    // Plans, with prices formatted per currency.
    await page.click('nav >> text=Plans');
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(3);
    expect(await page.textContent('tbody')).toMatch(/\$\d+\.\d\d \/ month/);

    // Payments: the seed's three paid invoices; a status filter from the select.
    await page.click('nav >> text=Payments');
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.selectOption('label:has-text("Status") select', 'requires_payment_method');
    await page.waitForURL(/status=requires_payment_method/);
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No payment matches');

    // Events: the seed's webhooks, filtered by status; Errors: none open.
    await page.click('nav >> text=Events');
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(5);
    await page.selectOption('label:has-text("Status") select', 'failed');
    await page.waitForURL(/status=failed/);
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No event matches');
    await page.click('nav >> text=Errors');
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No open billing errors');

    // Roles: the distribution, and the planted mismatch, filtered by kind through the URL.
    await page.click('nav >> text=Roles');
    await settled(page);
    expect(await page.locator('.cards tbody tr').count()).toBe(1);
    expect(await page.textContent('.cards tbody')).toContain('ann@demo.sertantai.test');
    await page.screenshot({ path: path.join(SHOTS, 'roles-1280.png'), fullPage: true });
    await page.selectOption('label:has-text("Why") select', 'upgraded_unpaid');
    await page.waitForURL(/kind=upgraded_unpaid/);
    expect(await page.textContent('.state.empty')).toContain('No mismatch matches');

    // Dunning: no case in the seed; the status tabs land in the URL.
    await page.click('nav >> text=Dunning');
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No open dunning cases');
    await page.click('button:text-is("recovered")');
    await page.waitForURL(/status=recovered/);
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No recovered dunning cases');

    // Settings: no API key yet; the outbox (whatever the seed's payments queued) with its status filter.
    await page.click('nav >> text=Settings');
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No API key');
    await page.selectOption('label:has-text("Status") select', 'failed');
    await page.waitForURL(/status=failed/);
    await settled(page);
    expect(await page.locator('.state.empty').last().textContent()).toContain('No failed notification');

    // Audit: the seed's rows (plans created, roles changed), filtered by actor through the URL.
    await page.click('nav >> text=Audit');
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.selectOption('label:has-text("Actor") select', 'api_key');
    await page.waitForURL(/actorType=api_key/);
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No audit row matches');

    // Reports: the index, the MRR report (chart and table), a drill-down from a table cell, the churn report.
    await page.click('nav >> text=Reports');
    await page.waitForSelector('h1:text-is("Reports")');
    await page.click('main >> text=MRR movements');
    await page.waitForURL(/\/admin\/reports\/mrr$/);
    await settled(page);
    await page.waitForSelector('[data-testid="mrr-usd"] .chart canvas');
    const mrrRows = page.locator('[data-testid="mrr-usd"] .report-table tbody tr');
    expect(await mrrRows.count()).toBe(12);
    const endMrr = mrrRows.last().locator('td').last();
    expect(await endMrr.textContent()).toBe(mrrNow);
    await page.screenshot({ path: path.join(SHOTS, 'reports-mrr-1280.png'), fullPage: true });
    await page.selectOption('label:has-text("Currency") select', 'usd');
    await page.waitForURL(/currency=usd/);
    await settled(page);
    await endMrr.locator('a').click();
    await page.waitForURL(/\/admin\/reports\/mrr\/rows\?.*metric=endMrr/);
    await settled(page);
    expect(await page.textContent('[data-testid="drill-summary"]')).toMatch(/^3 rows, totalling \$/);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.click('.crumbs >> text=MRR movements');
    await page.waitForURL(/\/admin\/reports\/mrr\?currency=usd$/);
    await settled(page);
    await page.goto(`${url}/admin/reports/churn?sameWindow=exclude`);
    await settled(page);
    await page.waitForSelector('[data-testid="churn-usd"] .chart canvas');
    expect(await page.locator('[data-testid="churn-usd"] .report-table tbody tr').count()).toBe(12);
    expect(await page.inputValue('label:has-text("Same-month") select')).toBe('exclude');
    await page
      .locator('[data-testid="churn-usd"] .report-table tbody tr')
      .last()
      .locator('td')
      .nth(1)
      .locator('a')
      .click();
    await page.waitForURL(/\/admin\/reports\/churn\/rows\?.*metric=customersAtStart/);
    await settled(page);
    expect(await page.textContent('[data-testid="drill-summary"]')).toMatch(/ rows, totalling /);
    // The other reports as tables of their rows (cohorts as a cohort × month grid).
    for (const [name, title] of [
      ['ltv', 'Lifetime value'],
      ['revenue', 'Revenue'],
      ['recovery', 'Payment recovery'],
      ['signups', 'Sign-ups'],
      ['cohorts', 'Cohorts'],
    ]) {
      await page.goto(`${url}/admin/reports/${name}`);
      await page.waitForSelector(`h1:text-is("${title}")`);
      await settled(page);
      expect(await page.locator('.report-table, .state.empty').count()).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-testid="cohorts-usd"] .heatmap tbody tr').count()).toBe(1);

    // A reload of a deep link is served by the client-side routing fallback.
    await page.goto(`${url}/admin/subscriptions?status=active`);
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(3);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('works at 390 px: the navigation folds behind a menu button', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${url}/?next=/admin`);
    await signIn(page, ADMIN);
    await page.waitForURL(`${url}/admin`);
    const problems = watch(page);
    await settled(page);
    expect(await page.isVisible('#main-nav')).toBe(false);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-390.png'), fullPage: true });
    await page.click('.menu-button');
    await page.click('nav >> text=Customers');
    await settled(page);
    expect(await page.isVisible('#main-nav')).toBe(false);
    await page.screenshot({ path: path.join(SHOTS, 'customers-390.png'), fullPage: true });
    await page.click('.menu-button');
    await page.click('nav >> text=Subscriptions');
    await settled(page);
    await page.screenshot({ path: path.join(SHOTS, 'subscriptions-390.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses a signed-in member with the 403 page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/sign-up`);
    await page.fill('#su-name', 'Mia Member');
    await page.fill('#su-email', MEMBER);
    await page.fill('#su-password', TEST_PASSWORD);
    await page.click('#sign-up button[type=submit]');
    // Sign-up answers "check your email" without a session (no account enumeration); the member then signs in.
    await page.waitForSelector('#message');
    await page.click('#to-sign-in');
    await page.waitForSelector('#sign-in');
    await page.fill('#si-email', MEMBER);
    await page.fill('#si-password', TEST_PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#account');
    await page.goto(`${url}/admin`);
    expect(await page.textContent('h1')).toContain('403');
    const res = await page.goto(`${url}/admin/plans`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent('body')).toContain('Administrators only');
    await context.close();
  });
});
