import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../../src/db/embedded.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { recordSecret } from '../helpers/log-capture.js';

const PASSWORD = 'browser-test-password-31';
recordSecret(PASSWORD);

let h: TestApp;
let browser: Browser;
let url: string;
beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  h = await testApp({ env: { APP_URL: url } });
  await h.app.listen({ host: '127.0.0.1', port });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the minimal page at /', () => {
  it('signs up, signs out and signs in again in a real browser', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.fill('#su-name', 'Paula Page');
    await page.fill('#su-email', 'paula@example.com');
    await page.fill('#su-password', PASSWORD);
    await page.fill('#su-company', 'Acme');
    await page.click('#sign-up button[type=submit]');
    await page.waitForSelector('#signed-in:not([hidden])');
    expect(await page.textContent('#me-email')).toBe('paula@example.com');
    expect(await page.textContent('#me-role')).toBe('member');

    await page.click('#sign-out');
    await page.waitForSelector('#signed-out:not([hidden])');
    expect(await page.textContent('#message')).toBe('Signed out');

    await page.fill('#si-email', 'paula@example.com');
    await page.fill('#si-password', 'wrong-password-123');
    await page.click('#sign-in button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#message')?.textContent !== 'Signed out');
    expect(await page.textContent('#message')).toBe('Invalid email or password');

    await page.fill('#si-password', PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#signed-in:not([hidden])');
    expect(await page.textContent('#me-email')).toBe('paula@example.com');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'sertantai.session_token');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    recordSecret(decodeURIComponent(session!.value));
  });
});
