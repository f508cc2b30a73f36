/**
 * Issue 16, the customer's side in a real browser (Debian's Chromium), against a real app, database, the Stripe
 * sandbox (webhooks delivered signed to the app) and a local SMTP catcher: sign up, follow the verification link,
 * upgrade through the sandbox's Checkout and see `professional` appear without a reload, open the portal, cancel at
 * period end and see the date; forgot password → reset → the old session is signed out; used and expired links get
 * a clear page; sign-up answers a taken address like a new one (and emails its owner); sign-in with the local
 * OpenID provider, and linking / unlinking it from /account; another user's
 * invoice is a 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../src/db/embedded.js';
import { ensureAdmin } from '../../src/accounts/ensure-admin.js';
import { seedDemo } from '../../src/billing/seed/seed-demo.js';
import { sendPendingNotifications } from '../../src/notifications/send-pending-notifications.js';
import { billingStack, type BillingStack } from '../helpers/billing-stack.js';
import { launchBrowser } from '../helpers/browser.js';
import { recordSecret } from '../helpers/log-capture.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startSmtpSink, textOf, waitForLink, type SmtpSink } from '../helpers/smtp-sink.js';

const PASSWORD = 'account-e2e-password-41';
const NEW_PASSWORD = 'account-e2e-new-password-77';
recordSecret(PASSWORD);
recordSecret(NEW_PASSWORD);

let s: BillingStack;
let sink: SmtpSink;
let idp: TestOidcProvider;
let browser: Browser;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  sink = await startSmtpSink();
  idp = await startOidcProvider({
    redirectUris: [`${url}/api/auth/callback/okta`],
    accounts: [
      { sub: 'okta-e2e-1', email: 'olga@okta.example', name: 'Olga Okta' },
      { sub: 'okta-e2e-2', email: 'lena@okta.example', name: 'Lena Link' },
    ],
  });
  s = await billingStack({
    webhooks: true,
    port,
    label: 'account-e2e',
    env: {
      APP_URL: url,
      SMTP_URL: sink.url,
      OKTA_CLIENT_ID: idp.clientId,
      OKTA_CLIENT_SECRET: idp.clientSecret,
      OKTA_ISSUER: idp.issuer,
    },
  });
  await seedDemo(s.h.deps, { customers: false });
  await s.settle();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
  await idp?.close();
  await sink?.close();
});

/**
 * With SCREENSHOTS=1 the journey also writes the README's screenshots (docs/screenshots/<name>-1280.png and
 * -390.png, full page), taken of the real pages at the moments the test has just checked.
 */
async function shoot(page: Page, name: string) {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = path.resolve(import.meta.dirname, '../../docs/screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const before = page.viewportSize();
  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

// Account emails go out right after they commit (the app's send-soon kick); running the sender too changes nothing
// (rows are claimed once) and makes the wait short either way.
const deliver = () => sendPendingNotifications(s.h.deps);
const tokenIn = (link: string) => {
  recordSecret(new URL(link).searchParams.get('token')!);
  return link;
};
/** A link from an email, opened on this app (the email's links use APP_URL, which is this server). */
const emailed = async (to: string, page: '/verify-email' | '/reset-password') => {
  await deliver();
  return tokenIn(await waitForLink(sink, to, page));
};

/** Fills in /sign-up and submits it; the page that then says "Check your email". */
async function submitSignUp(context: BrowserContext, name: string, email: string, password = PASSWORD) {
  const page = await context.newPage();
  await page.goto(`${url}/sign-up`);
  await page.fill('#su-name', name);
  await page.fill('#su-email', email);
  await page.fill('#su-password', password);
  await page.click('#sign-up button[type=submit]');
  await page.waitForSelector('#message');
  return page;
}

/** Signs up (no session: the answer is "check your email"), then signs in; the page shows /account. */
async function signUp(context: BrowserContext, name: string, email: string): Promise<Page> {
  const page = await submitSignUp(context, name, email);
  expect(await context.cookies()).toEqual([]);
  await page.click('#to-sign-in');
  await page.waitForSelector('#sign-in');
  await page.fill('#si-email', email);
  await page.fill('#si-password', PASSWORD);
  await page.click('#sign-in button[type=submit]');
  await page.waitForSelector('#account');
  return page;
}

describe('the customer journey', () => {
  it('signs up, verifies by email, upgrades through Checkout and sees professional without a reload; portal cancel shows the date', async () => {
    const context = await browser.newContext();
    const page = await signUp(context, 'Petra Payer', 'petra@example.com');
    expect(await page.textContent('#role')).toBe('member');
    await page.waitForSelector('#verify-banner');

    const link = await emailed('petra@example.com', '/verify-email');
    expect(link.startsWith(`${url}/verify-email?token=`)).toBe(true);
    const verify = await context.newPage();
    await verify.goto(link);
    await verify.waitForSelector('#message');
    expect(await verify.textContent('#message')).toBe('Your email address is verified.');
    // The same link again: a clear page, not a second verification.
    await verify.goto(link);
    await verify.waitForSelector('#link-problem');
    expect(await verify.getAttribute('#link-problem', 'data-code')).toBe('link_used');
    expect(await verify.textContent('#link-problem strong')).toBe('This link has already been used.');
    await verify.close();
    await page.reload();
    await page.waitForSelector('#plans .plan-card');
    expect(await page.$('#verify-banner')).toBeNull();

    // The catalogue: monthly USD prices of the demo plans, cheapest first.
    expect(await page.$$eval('#plans .plan-card h3', (h) => h.map((x) => x.textContent))).toEqual([
      'Starter',
      'Professional',
      'Enterprise',
    ]);
    expect(await page.textContent('[data-plan=professional] .price')).toBe('$29.00 / month');
    await shoot(page, 'account-member');

    // Checkout (the sandbox's hosted page), back to /account: "processing" until the webhook is applied.
    await page.click('[data-plan=professional] button');
    await page.waitForURL(/\/checkout\//);
    await page.click('[data-testid=pay]');
    await page.waitForURL(/\/account\?checkout=success/);
    await page.waitForSelector('#processing');
    expect(await page.textContent('#role')).toBe('member');
    await s.settle();
    await page.waitForFunction(() => document.querySelector('#role')?.textContent === 'professional');
    await page.waitForSelector('#processing', { state: 'detached' });
    // The address forgets the Checkout return in an effect after the render that drops the banner: wait for it.
    await page.waitForURL(`${url}/account`);
    expect(await page.textContent('#plan-name')).toBe('Professional');
    expect(await page.textContent('#renewal')).toContain('Renews on');
    await shoot(page, 'account-professional');

    // The portal: cancel at period end, come back, see the date (live once the webhook is applied).
    await page.click('#manage-billing');
    await page.waitForURL(/\/portal\//);
    await page.click('[data-testid=cancel-plan]');
    await page.waitForSelector('[data-testid=cancel-notice]');
    await page.click('[data-testid=return]');
    await page.waitForURL(`${url}/account`);
    await s.settle();
    await page.waitForFunction(() =>
      document.querySelector('#renewal')?.textContent?.startsWith('Cancels on'),
    );
    // 14-day trial from 2026-01-15 12:00 UTC: the period (the trial) ends on 29 January.
    expect(await page.getAttribute('#renewal time', 'datetime')).toBe('2026-01-29T12:00:00.000Z');
    expect(await page.textContent('#role')).toBe('professional');
    await context.close();
  }, 150_000);

  it('sign-up with an address that has an account: the same page as a new one, no session; its owner is emailed', async () => {
    const context = await browser.newContext();
    const fresh = await submitSignUp(context, 'Nina New', 'nina@example.com');
    const freshText = (await fresh.textContent('#message'))!.replace('nina@example.com', '<address>');
    const taken = await submitSignUp(context, 'Not Petra', 'petra@example.com', 'someone-elses-pass-31');
    const takenText = (await taken.textContent('#message'))!.replace('petra@example.com', '<address>');
    expect(takenText).toBe(freshText);
    expect(await context.cookies()).toEqual([]);
    await context.close();

    // Petra learns of it, with the sign-in and forgot-password pages (and no link that signs in).
    const until = Date.now() + 10_000;
    const notice = () =>
      sink.messages.find(
        (m) => m.to.some((t) => t.includes('petra@example.com')) && textOf(m).includes('already has one'),
      );
    while (!notice() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const text = textOf(notice()!);
    expect(text).toContain(`If it was you, sign in: ${url}/sign-in`);
    expect(text).toContain(`Choose a new one: ${url}/forgot-password`);
    expect(text).not.toContain('token=');
  });

  it('forgot password → reset from the email → the old session is signed out; the used link gets a clear page', async () => {
    const old = await browser.newContext();
    const oldPage = await signUp(old, 'Rita Reset', 'rita@example.com');
    expect(await oldPage.textContent('#me-email')).toBe('rita@example.com');

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/sign-in`);
    await page.click('text=Forgot your password?');
    await page.fill('#fp-email', 'rita@example.com');
    await page.click('#forgot button[type=submit]');
    await page.waitForSelector('#message');
    const answer = await page.textContent('#message');
    // An unknown address gets the very same page.
    const other = await context.newPage();
    await other.goto(`${url}/forgot-password`);
    await other.fill('#fp-email', 'nobody-here@example.com');
    await other.click('#forgot button[type=submit]');
    await other.waitForSelector('#message');
    expect(await other.textContent('#message')).toBe(answer);

    const link = await emailed('rita@example.com', '/reset-password');
    await page.goto(link);
    await page.fill('#rp-password', NEW_PASSWORD);
    await page.fill('#rp-confirm', NEW_PASSWORD);
    await page.click('#reset button[type=submit]');
    await page.waitForSelector('#message');
    expect(await page.textContent('#message')).toBe(
      'Your password is changed, and every session was signed out.',
    );

    // The old browser's session is gone: /account sends it to sign in.
    await oldPage.reload();
    await oldPage.waitForURL(`${url}/sign-in`);

    await page.goto(link);
    await page.fill('#rp-password', 'and-yet-another-pass-12');
    await page.fill('#rp-confirm', 'and-yet-another-pass-12');
    await page.click('#reset button[type=submit]');
    await page.waitForSelector('#link-problem');
    expect(await page.textContent('#link-problem strong')).toBe('This link has already been used.');

    await page.goto(`${url}/sign-in`);
    await page.fill('#si-email', 'rita@example.com');
    await page.fill('#si-password', NEW_PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#account');
    await old.close();
    await context.close();
  });

  it('an expired verification link gets a clear page', async () => {
    const context = await browser.newContext();
    await signUp(context, 'Eddie Expired', 'eddie@example.com');
    const link = await emailed('eddie@example.com', '/verify-email');
    await s.advance({ hours: 25 });
    const page = await context.newPage();
    await page.goto(link);
    await page.waitForSelector('#link-problem');
    expect(await page.textContent('#link-problem strong')).toBe('This link has expired.');
    await context.close();
  });

  it('a member cannot open another user’s invoice (404), and sees their own', async () => {
    const { rows } = await s.h.t.pool.query<{ id: string }>(
      `SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id JOIN users u ON u.id = c.user_id
       WHERE u.email = 'petra@example.com'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const context = await browser.newContext();
    const page = await signUp(context, 'Nosy Neighbour', 'nosy@example.com');
    const theirs = await page.request.get(`${url}/api/me/invoices/${rows[0]!.id}`);
    expect(theirs.status()).toBe(404);
    expect((await theirs.json()).error.code).toBe('invoice_not_found');
    await context.close();

    const petra = await browser.newContext();
    const p = await petra.newPage();
    await p.goto(`${url}/sign-in`);
    await p.fill('#si-email', 'petra@example.com');
    await p.fill('#si-password', PASSWORD);
    await p.click('#sign-in button[type=submit]');
    await p.waitForSelector('#account');
    const own = await p.request.get(`${url}/api/me/invoices/${rows[0]!.id}`);
    expect(own.status()).toBe(200);
    const session = (await petra.cookies()).find((c) => c.name === 'sertantai.session_token');
    expect([session?.httpOnly, session?.sameSite]).toEqual([true, 'Lax']);
    recordSecret(decodeURIComponent(session!.value));
    await petra.close();
  });

  it('a failed renewal shows the grace banner with its deadline; updating the card in the portal recovers it', async () => {
    const context = await browser.newContext();
    const page = await signUp(context, 'Gina Grace', 'gina@example.com');
    await page.waitForSelector('[data-plan=professional] button');
    await page.click('[data-plan=professional] button');
    await page.waitForURL(/\/checkout\//);
    await page.click('[data-testid=pay]');
    await page.waitForURL(/\/account\?checkout=success/);
    await s.settle();
    await page.waitForFunction(() => document.querySelector('#role')?.textContent === 'professional');
    // During the trial the customer puts on a card whose charges will fail.
    await page.click('#manage-billing');
    await page.waitForURL(/\/portal\//);
    await page.check('[data-testid=pm_card_chargeCustomerFail]');
    await page.click('[data-testid=update-card]');
    await page.waitForSelector('[data-testid=card]');
    expect(await page.textContent('[data-testid=card]')).toBe('visa •••• 0341');
    await page.click('[data-testid=return]');
    await page.waitForURL(`${url}/account`);
    await s.settle();

    // The trial (14 days) ends, the first charge fails: past due, still professional during the grace period.
    await s.advance({ days: 15 });
    await page.waitForSelector('#grace-banner');
    expect(await page.textContent('#role')).toBe('professional');
    const deadline = await page.getAttribute('#grace-banner time', 'datetime');
    const { rows } = await s.h.t.pool.query<{ grace_until: Date }>(
      `SELECT d.grace_until FROM dunning_cases d JOIN users u ON u.id = d.user_id
       WHERE u.email = 'gina@example.com' AND d.status = 'open'`,
    );
    expect(rows).toHaveLength(1);
    expect(deadline).toBe(rows[0]!.grace_until.toISOString());
    await shoot(page, 'account-grace');

    await page.click('#grace-banner button');
    await page.waitForURL(/\/portal\//);
    await page.check('[data-testid=pm_card_visa]');
    await page.click('[data-testid=update-card]');
    await page.waitForSelector('[data-testid=card]');
    expect(await page.textContent('[data-testid=card]')).toBe('visa •••• 4242');
    await s.settle();
    await page.click('[data-testid=return]');
    await page.waitForURL(`${url}/account`);
    await page.waitForSelector('#plan-name');
    await s.settle();
    await page.waitForSelector('#grace-banner', { state: 'detached' });
    expect(await page.textContent('#role')).toBe('professional');
    await context.close();
  }, 150_000);

  it('signs in with the local OpenID provider (the only provider configured: one button)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/sign-in`);
    await page.waitForSelector('[data-provider]');
    expect(await page.$$eval('[data-provider]', (b) => b.map((x) => x.textContent))).toEqual([
      'Continue with Okta',
    ]);
    await shoot(page, 'sign-in');
    await page.click('[data-provider=okta]');
    await page.waitForURL(new RegExp(`^${idp.issuer}/`));
    await page.fill('input[name=login]', 'okta-e2e-1');
    await page.fill('input[name=password]', 'anything');
    await page.click('button[type=submit]');
    await page.waitForSelector('button[type=submit]');
    await page.click('button[type=submit]'); // consent
    await page.waitForSelector('#account');
    expect(await page.textContent('#me-email')).toBe('olga@okta.example');
    expect(await page.textContent('#role')).toBe('member');
    await context.close();
  });

  it('links Okta to an email account from /account, and unlinks it; the last method cannot be unlinked', async () => {
    const context = await browser.newContext();
    const page = await signUp(context, 'Lena Link', 'lena@okta.example');
    const methods = () => page.$$eval('#sign-in-methods li span', (x) => x.map((y) => y.textContent));
    await page.waitForSelector('#sign-in-methods li');
    expect(await methods()).toEqual(['Email and password']);
    expect(await page.isDisabled('#sign-in-methods li button')).toBe(true);

    await page.click('#sign-in-methods >> text=Link Okta');
    await page.waitForURL(new RegExp(`^${idp.issuer}/`));
    await page.fill('input[name=login]', 'okta-e2e-2');
    await page.fill('input[name=password]', 'anything');
    await page.click('button[type=submit]');
    await page.waitForSelector('button[type=submit]');
    await page.click('button[type=submit]'); // consent
    await page.waitForSelector('#account');
    await page.waitForFunction(() => document.querySelectorAll('#sign-in-methods li').length === 2);
    expect(await methods()).toEqual(['Email and password', 'Okta']);

    await page.click('#sign-in-methods li:has-text("Okta") button');
    await page.waitForFunction(() => document.querySelectorAll('#sign-in-methods li').length === 1);
    expect(await methods()).toEqual(['Email and password']);
    expect(await page.isDisabled('#sign-in-methods li button')).toBe(true);
    await context.close();
  });

  it("the console's Subscriptions page shows a member's Checkout without a reload (live)", async () => {
    // An administrator watching the console (issue 15: live updates over /api/admin/stream).
    await ensureAdmin(
      { auth: s.h.app.httpContext.auth, db: s.h.deps.db },
      { email: 'live-admin@example.com', password: PASSWORD, source: 'test' },
    );
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    const failures: string[] = [];
    admin.on('pageerror', (e) => failures.push(e.message));
    await admin.goto(`${url}/sign-in?next=/admin/subscriptions`);
    await admin.fill('#si-email', 'live-admin@example.com');
    await admin.fill('#si-password', PASSWORD);
    await admin.click('#sign-in button[type=submit]');
    await admin.waitForURL(`${url}/admin/subscriptions`);
    await admin.waitForSelector('.live-live');
    expect(await admin.locator('tbody tr:has-text("lara@example.com")').count()).toBe(0);
    // A marker that a reload would erase.
    await admin.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

    const context = await browser.newContext();
    const page = await signUp(context, 'Lara Live', 'lara@example.com');
    const verify = await context.newPage();
    await verify.goto(await emailed('lara@example.com', '/verify-email'));
    await verify.waitForSelector('#message');
    await page.reload();
    await page.waitForSelector('#plans .plan-card');
    await page.click('[data-plan=professional] button');
    await page.waitForURL(/\/checkout\//);
    await page.click('[data-testid=pay]');
    await page.waitForURL(/\/account\?checkout=success/);
    await s.settle();

    // The row appears on the admin's open page, which was not reloaded.
    const row = admin.locator('tbody tr:has-text("lara@example.com")');
    await row.waitFor({ timeout: 15_000 });
    // Showing what was mirrored (the demo's Professional plan starts with a trial).
    const { rows } = await s.h.t.pool.query(
      `SELECT s.status FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE c.email = 'lara@example.com'`,
    );
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['trialing']);
    expect(await row.locator('.badge').first().textContent()).toBe('trialing');
    expect(await admin.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(failures).toEqual([]);
    await context.close();
    await adminContext.close();
  });
});
