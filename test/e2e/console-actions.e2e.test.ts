/**
 * The console's write actions in Debian's Chromium against the real server, database and Stripe sandbox (frozen
 * clock at 2026-01-15 12:00 UTC, the demo catalogue and customers): an admin creates a plan; changes Ann's
 * subscription from Starter ($9.00 a month) to Professional ($29.00 a month) half-way through her period after
 * seeing the preview's exact amounts; cancels it at period end and undoes it; refunds part of Cat's payment; sets
 * and clears an override with an expiry on Bob; runs "sync all" on a planted mismatch and sees the progress bar reach
 * done; makes a new card Bob's default and detaches it after the no-default warning; applies a coupon on Ann's
 * subscription through a promotion code picked from Stripe's, and removes it. No console error and no failed
 * request on the way. Screenshots of the customer and subscription pages go to .data/screenshots/ (the README's are copied from there to docs/screenshots/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { users } from '../../src/accounts/accounts.tables.js';
import { roleJobs } from '../../src/accounts/roles/roles.jobs.js';
import { ROLE_SYNC_JOB } from '../../src/accounts/roles/sync-roles.js';
import { ensureAdmin } from '../../src/accounts/ensure-admin.js';
import { adminApiKeys } from '../../src/accounts/accounts.tables.js';
import { customers, plans, subscriptions } from '../../src/billing/billing.tables.js';
import { raiseBillingError } from '../../src/billing/errors/raise-billing-error.js';
import { billingErrors } from '../../src/inbox/inbox.tables.js';
import { seedDemo } from '../../src/billing/seed/seed-demo.js';
import { freePort } from '../../src/db/embedded.js';
import { TEST_PASSWORD } from '../helpers/auth.js';
import { billingStack, type BillingStack } from '../helpers/billing-stack.js';
import { launchBrowser, watchPage } from '../helpers/browser.js';
import { recordSecret } from '../helpers/log-capture.js';
import { ROOT } from '../helpers/cli.js';

const SHOTS = path.join(ROOT, '.data/screenshots');
const ADMIN = 'actions-admin@example.com';

let s: BillingStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let url: string;
let problems: string[];

async function customerIdOf(email: string): Promise<string> {
  const [row] = await s.h.deps.db
    .select({ id: customers.id })
    .from(customers)
    .innerJoin(users, eq(users.id, customers.userId))
    .where(eq(users.email, email));
  return row!.id;
}

async function subscriptionIdOf(email: string): Promise<string> {
  const [row] = await s.h.deps.db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(eq(customers.email, email));
  return row!.id;
}

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  s = await billingStack({ webhooks: true, port, env: { APP_URL: url }, label: 'console-actions-e2e' });
  await seedDemo(s.h.deps, { auth: s.h.app.httpContext.auth, customers: true });
  await s.settle();
  // The worker's queues (a worker process creates them at start; this test runs the role sync job itself).
  for (const def of roleJobs) await s.h.deps.queue.ensureQueue(def);
  await ensureAdmin(
    { auth: s.h.app.httpContext.auth, db: s.h.deps.db },
    { email: ADMIN, password: TEST_PASSWORD, source: 'test' },
  );
  browser = await launchBrowser();
  fs.mkdirSync(SHOTS, { recursive: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${url}/?next=/admin`);
  await page.fill('#si-email', ADMIN);
  await page.fill('#si-password', TEST_PASSWORD);
  await page.click('#sign-in button[type=submit]');
  await page.waitForURL(`${url}/admin`);
  await settled(page);
  problems = watch(page);
}, 120_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await s?.close();
});

const watch = watchPage;

/** Waits until no loading state is left on the page. */
async function settled(p: Page) {
  await p.waitForFunction(() => !document.querySelector('.state.loading, [aria-busy="true"]'));
}

const dialog = () => page.locator('dialog[open]');

describe('console write actions', () => {
  it('creates a plan with two prices', async () => {
    await page.goto(`${url}/admin/plans`);
    await settled(page);
    await page.click('button:text-is("Create plan")');
    await dialog().locator('label:has-text("Key") input').fill('team');
    await dialog().locator('label:has-text("Name") input').first().fill('Team');
    await dialog().locator('label:has-text("Grants role") select').selectOption('enterprise');
    await dialog().getByLabel('Price 1 amount').fill('49.50');
    await dialog().locator('button:text-is("Add another price")').click();
    await dialog().getByLabel('Price 2 currency').fill('eur');
    await dialog().getByLabel('Price 2 amount').fill('450');
    await dialog().getByLabel('Price 2 interval', { exact: true }).selectOption('year');
    await dialog().locator('button:text-is("Create plan")').click();
    await dialog().waitFor({ state: 'detached' });
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(4);
    const row = page.locator('tbody tr:has-text("Team")');
    expect(await row.locator('.prices').textContent()).toBe('€450.00 / year$49.50 / month');
    const [plan] = await s.h.deps.db.select().from(plans).where(eq(plans.key, 'team'));
    expect([plan!.name, plan!.grantsRole, plan!.active]).toEqual(['Team', 'enterprise', true]);

    // A bad key is refused by the server with its code (the browser's pattern check is bypassed by the API's).
    await page.click('button:text-is("Create plan")');
    await dialog().locator('label:has-text("Key") input').fill('team');
    await dialog().locator('label:has-text("Name") input').first().fill('Team again');
    await dialog().getByLabel('Price 1 amount').fill('10');
    await dialog().locator('button:text-is("Create plan")').click();
    await dialog().locator('[role=alert]').waitFor();
    expect(await dialog().locator('[role=alert] code').first().textContent()).toBe('plan_key_taken');
    await dialog().locator('button:text-is("Cancel")').click();
    // That 409 is the one expected failed request of this test (Chromium also logs it on the console).
    expect(
      problems.splice(0).filter((p) => !p.startsWith('HTTP 409: POST') && !p.includes('status of 409')),
    ).toEqual([]);
  });

  it("changes Ann's plan after the preview's exact amounts, then cancels at period end and undoes it", async () => {
    // Half-way through Ann's period (Jan 15 12:00 → Feb 15 12:00, 31 days): Jan 31 00:00, 15.5 days left.
    await s.advance({ days: 15, hours: 12 });
    const subId = await subscriptionIdOf('ann@demo.sertantai.test');
    await page.goto(`${url}/admin/subscriptions/${subId}`);
    await settled(page);
    expect(await page.textContent('h1')).toContain('Starter');
    expect(await page.textContent('[data-testid="mrr"]')).toBe('$9.00');

    await page.click('button:text-is("Change plan")');
    await dialog()
      .locator('label:has-text("New price") select')
      .selectOption({ label: 'Professional — $29.00 per month' });
    await dialog().getByTestId('change-preview').waitFor();
    // Unused half of $9.00 credited (−$4.50), half of $29.00 charged ($14.50): $10.00 of proration, on the next
    // invoice with the next full month at $29.00: $39.00.
    const lines = await dialog().locator('[data-testid="change-preview"] tbody td.num').allTextContents();
    expect(lines).toEqual(['-$4.50', '$14.50', '$29.00']);
    expect(await dialog().getByTestId('proration-amount').textContent()).toBe('$10.00');
    expect(await dialog().getByTestId('preview-total').textContent()).toBe('$39.00');
    expect(await dialog().getByTestId('preview-due').textContent()).toBe('$39.00');
    await dialog().locator('button:text-is("Confirm change")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await page.textContent('h1')).toContain('Professional');
    expect(await page.textContent('[data-testid="mrr"]')).toBe('$29.00');
    expect(await page.textContent('[data-testid="mrr-changes"]')).toContain('$9.00 → $29.00');

    await s.advance({ seconds: 1 }); // its own second: same-second events are ordered by status rank and id only
    await page.click('button:text-is("Cancel…")');
    expect(await dialog().locator('label.check').first().textContent()).toContain('At period end');
    await dialog().locator('button:text-is("Cancel at period end")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await page.textContent('[data-testid="cancellation"]')).toContain('cancels at period end');
    const [row] = await s.h.deps.db.select().from(subscriptions).where(eq(subscriptions.id, subId));
    expect([row!.status, row!.cancelAtPeriodEnd]).toEqual(['active', true]);

    await s.advance({ seconds: 1 });
    await page.click('button:text-is("Undo cancellation")');
    await dialog().locator('button:text-is("Undo cancellation")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await page.textContent('[data-testid="cancellation"]')).toContain('none scheduled');
    await page.screenshot({ path: path.join(SHOTS, 'subscription-detail-1280.png'), fullPage: true });
    expect(problems.splice(0)).toEqual([]);
  });

  it("refunds part of Cat's payment from a dialog showing the amount and currency", async () => {
    await page.goto(`${url}/admin/payments?q=cat%40demo`);
    await settled(page);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.click('tbody tr >> button:text-is("Refund")');
    expect(await dialog().getByTestId('refundable').textContent()).toBe('$99.00');
    await dialog().locator('label.check:has-text("Partial") input').check();
    await dialog().locator('label:has-text("Amount in USD") input').fill('25');
    expect(await dialog().getByTestId('refund-amount').textContent()).toBe('$25.00');
    await dialog().locator('button:text-is("Refund $25.00")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await page.textContent('tbody tr')).toContain('refunded $25.00');

    // The customer page lists the refund too.
    await page.goto(`${url}/admin/customers/${await customerIdOf('cat@demo.sertantai.test')}`);
    await settled(page);
    expect(await page.textContent('section:has(h2:text-is("Refunds"))')).toContain('$25.00');
    expect(problems.splice(0)).toEqual([]);
  });

  it('sets an override with an expiry on Bob, then clears it', async () => {
    await page.goto(`${url}/admin/customers/${await customerIdOf('bob@demo.sertantai.test')}`);
    await settled(page);
    expect(await page.textContent('[data-testid="role"]')).toContain('professional');
    await page.click('button:text-is("Override role")');
    await dialog().locator('label:has-text("Role") select').selectOption('enterprise');
    await dialog().locator('label:has-text("Reason") input').fill('pilot for the SSO launch');
    // The sandbox clock is at 2026-01-31 00:00 UTC; the browser runs in UTC (TZ=UTC).
    await dialog().locator('label:has-text("Expires") input').fill('2026-03-01T09:30');
    await dialog().locator('button:text-is("Set override")').click();
    await dialog().waitFor({ state: 'detached' });
    await settled(page);
    expect(await page.textContent('[data-testid="role"]')).toContain('enterprise');
    const override = page.getByTestId('override');
    expect(await override.textContent()).toContain('enterprise — “pilot for the SSO launch”, expires');
    expect(await override.locator('time').getAttribute('title')).toBe('2026-03-01 09:30:00 UTC');
    expect(await page.textContent('[data-testid="role-history"]')).toContain('role_override.set');

    await page.click('button:text-is("Clear override")');
    await dialog().locator('label:has-text("Reason") input').fill('pilot over');
    await dialog().locator('button:text-is("Clear override")').click();
    await dialog().waitFor({ state: 'detached' });
    await settled(page);
    expect(await page.textContent('[data-testid="role"]')).toContain('professional');
    expect(await override.textContent()).toBe('none');

    // Time travel to Jan 20, 2026 (before the override): Bob's yearly Professional subscription, role professional.
    await page.locator('label:has-text("At (your time zone)") input').fill('2026-01-20T00:00');
    await page.click('button:text-is("Show")');
    const travel = page.getByTestId('time-travel');
    await travel.waitFor();
    expect(await travel.locator('dd').nth(1).textContent()).toMatch(
      /^professional — the professional subscription \(sub_\w+\) is active$/,
    );
    expect(await travel.locator('dd').nth(2).textContent()).toBe('professional');
    expect(await travel.locator('dd').nth(3).textContent()).toBe('none');
    await page.screenshot({ path: path.join(SHOTS, 'customer-detail-1280.png'), fullPage: true });
    expect(problems.splice(0)).toEqual([]);
  });

  it('runs "sync all" on a planted mismatch: the dry run diff, then the progress bar reaching done', async () => {
    await s.h.t.pool.query(`UPDATE users SET role = 'member' WHERE email = 'cat@demo.sertantai.test'`);
    await page.goto(`${url}/admin/roles`);
    await settled(page);
    await page.click('button:text-is("Sync all…")');
    await dialog().getByTestId('sync-diff').waitFor();
    expect(await dialog().locator('[data-testid="sync-diff"] tbody tr').allTextContents()).toEqual([
      'cat@demo.sertantai.testmemberenterprisepaid not upgraded',
    ]);
    await dialog().locator('button:text-is("Apply 1 change")').click();
    await dialog().getByTestId('sync-progress').waitFor();
    expect(await dialog().getByTestId('sync-status').textContent()).toBe('Queued: 0 of 1…');
    // The worker's part: the queued job, run by its registered definition.
    const [queued] = await s.h.deps.queue.boss.fetch<{ runId: string }>(ROLE_SYNC_JOB);
    await roleJobs.find((j) => j.name === ROLE_SYNC_JOB)!.run(s.h.deps, queued!.data, { id: queued!.id });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="sync-status"]')?.textContent === 'Done: 1 of 1 users synced.',
    );
    const bar = dialog().getByTestId('sync-progress');
    expect([await bar.getAttribute('value'), await bar.getAttribute('max')]).toEqual(['1', '1']);
    await dialog().locator('button:text-is("Close")').click();
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No mismatch');
    const [cat] = await s.h.deps.db.select().from(users).where(eq(users.email, 'cat@demo.sertantai.test'));
    expect(cat!.role).toBe('enterprise');
    expect(problems.splice(0)).toEqual([]);
  });

  it('resolves a billing error with a note, replays an event, creates an API key shown once and revokes it', async () => {
    const planted = await raiseBillingError(s.h.deps.db, {
      kind: 'price_not_in_catalogue',
      subject: 'price_planted_for_console',
      eventId: null,
      message: 'A subscription uses a price the catalogue does not know',
      at: s.clock.now(),
    });
    await page.goto(`${url}/admin/errors`);
    await settled(page);
    await page.click('tbody tr:has-text("price_planted_for_console") >> button:text-is("Resolve")');
    await dialog().locator('textarea').fill('price added to the catalogue');
    await dialog().locator('button:text-is("Resolve")').click();
    await dialog().waitFor({ state: 'detached' });
    await settled(page);
    expect(await page.textContent('.state.empty')).toContain('No open billing errors');
    const [closed] = await s.h.deps.db.select().from(billingErrors).where(eq(billingErrors.id, planted.id));
    expect([closed!.status, closed!.resolutionNote]).toEqual(['resolved', 'price added to the catalogue']);

    await page.goto(`${url}/admin/events?type=invoice.paid`);
    await settled(page);
    const first = page.locator('tbody tr').first();
    const eventId = (await first.locator('.muted code').textContent())!;
    await first.locator('button:text-is("Replay")').click();
    await dialog().locator('button:text-is("Replay")').click();
    await dialog().waitFor({ state: 'detached' });
    // Applied again: the mirror already holds this version, so the handler finds it stale and changes nothing.
    expect(await page.textContent('.notice[role=status]')).toMatch(
      new RegExp(`^Replayed ${eventId}: (processed|stale)`),
    );

    await page.goto(`${url}/admin/settings`);
    await settled(page);
    await page.click('button:text-is("Create API key")');
    await dialog().locator('label:has-text("Name") input').fill('reporting job');
    await dialog().locator('button:text-is("Create key")').click();
    const key = (await dialog().getByTestId('new-key').textContent())!;
    expect(key).toMatch(/^sta_/);
    recordSecret(key);
    await dialog().locator('button:text-is("Done")').click();
    await settled(page);
    const keyRow = page.locator('tbody tr:has-text("reporting job")').first();
    expect(await keyRow.textContent()).not.toContain(key);
    const whoami = await fetch(`${url}/api/admin/whoami`, { headers: { authorization: `Bearer ${key}` } });
    expect(whoami.status).toBe(200);
    await keyRow.locator('button:text-is("Revoke")').click();
    await dialog().locator('button:text-is("Revoke")').click();
    await dialog().waitFor({ state: 'detached' });
    await settled(page);
    expect(await keyRow.locator('.badge').textContent()).toBe('revoked');
    const refused = await fetch(`${url}/api/admin/whoami`, { headers: { authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(401);
    const [stored] = await s.h.deps.db
      .select()
      .from(adminApiKeys)
      .where(eq(adminApiKeys.name, 'reporting job'));
    expect(stored!.revokedAt).not.toBeNull();
    expect(problems.splice(0)).toEqual([]);
  });

  it("creates a subscription from a customer's page, seeing what is charged first", async () => {
    await page.goto(`${url}/admin/customers/${await customerIdOf('bob@demo.sertantai.test')}`);
    await settled(page);
    await page.click('button:text-is("New subscription")');
    await dialog()
      .locator('label:has-text("Price") select')
      .selectOption({ label: 'Starter — $9.00 / month' });
    expect(await dialog().locator('.notice').textContent()).toBe('Charges $9.00 to the default card now.');
    await dialog().locator('button:text-is("Create subscription")').click();
    await page.waitForURL(/\/admin\/subscriptions\/[0-9a-f-]{36}$/);
    await settled(page);
    expect(await page.textContent('h1')).toBe('Starter active');
    expect(await page.textContent('[data-testid="mrr"]')).toBe('$9.00');
    expect(problems.splice(0)).toEqual([]);
  });
  it("makes Bob's new card the default, then detaches it after the warning that his subscriptions would charge none", async () => {
    const customerId = await customerIdOf('bob@demo.sertantai.test');
    const [bob] = await s.h.deps.db.select().from(customers).where(eq(customers.id, customerId));
    await s.h.deps.stripe.paymentMethods.attach('pm_card_mastercard', { customer: bob!.stripeCustomerId });
    await s.settle();
    await page.goto(`${url}/admin/customers/${customerId}`);
    await settled(page);
    const row = page.locator('tr:has-text("4444")');
    await row.locator('button:text-is("Make default")').click();
    await dialog().locator('button:text-is("Make mastercard ····4444 the default")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await row.locator('td').nth(2).textContent()).toBe('default');
    expect(await page.locator('tr:has-text("4242") td').nth(2).textContent()).toBe('');

    await s.advance({ seconds: 1 });
    await row.locator('button:text-is("Detach")').click();
    // Bob's two subscriptions (the demo's and the Starter made in the previous test) would renew with no default
    // card: said in red first.
    expect(await dialog().getByTestId('no-default-warning').textContent()).toContain(
      'mastercard ····4444 is the default card, and 2 subscriptions will charge it at renewal',
    );
    await dialog().locator('button:text-is("Detach anyway")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await row.locator('.badge').textContent()).toBe('detached');
    expect(await row.locator('button').count()).toBe(0);
    const [after] = await s.h.deps.db.select().from(customers).where(eq(customers.id, customerId));
    expect(after!.defaultPaymentMethodId).toBeNull();
    expect(problems.splice(0)).toEqual([]);
  });

  it("applies a 50% coupon to Ann's subscription through its promotion code, picked from Stripe's (MRR $29.00 → $14.50), and removes it", async () => {
    await s.h.deps.stripe.coupons.create({ id: 'HALF', name: 'Half', percent_off: 50, duration: 'forever' });
    // an amount off in euros: Stripe would refuse it on Ann's usd subscription, so the picker leaves it out
    await s.h.deps.stripe.coupons.create({ id: 'EUR5', amount_off: 500, currency: 'eur', duration: 'once' });
    const promo = await s.h.deps.stripe.promotionCodes.create({
      code: 'SPRING50',
      promotion: { type: 'coupon', coupon: 'HALF' },
    });
    await s.advance({ seconds: 1 });
    const subId = await subscriptionIdOf('ann@demo.sertantai.test');
    await page.goto(`${url}/admin/subscriptions/${subId}`);
    await settled(page);
    expect(await page.textContent('[data-testid="mrr"]')).toBe('$29.00');
    await page.click('button:text-is("Apply a coupon")');
    const picker = dialog().locator('[data-testid="coupon-picker"]');
    await picker.waitFor();
    const offered = await picker.locator('option').allTextContents();
    expect(offered).toContain('Half (HALF) — 50% off, forever');
    expect(offered).toContain('SPRING50 → Half (HALF) — 50% off, forever');
    expect(offered.some((o) => o.includes('EUR5'))).toBe(false);
    await picker.selectOption(`promo:${promo.id}`);
    await dialog().locator('button:text-is("Apply coupon")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await page.textContent('[data-testid="discounts"]')).toBe('HALF — 50% off, forever');
    expect(await page.textContent('[data-testid="mrr"]')).toBe('$14.50');

    await s.advance({ seconds: 1 });
    await page.click('button:text-is("Remove coupon")');
    await dialog().locator('button:text-is("Remove coupon")').click();
    await dialog().waitFor({ state: 'detached' });
    await s.settle();
    await page.reload();
    await settled(page);
    expect(await page.textContent('[data-testid="discounts"]')).toBe('None.');
    expect(await page.textContent('[data-testid="mrr"]')).toBe('$29.00');
    expect(problems.splice(0)).toEqual([]);
  });
});
