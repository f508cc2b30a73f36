/** Debian's Chromium driven by playwright-core, with the flags that work in CI containers. */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Console errors, uncaught exceptions, failed and >= 400 requests of a page, from the moment it is called (the list
 * fills as they happen). A live-update stream cut when the page navigates away is its end, not a failure (a
 * refused stream still shows as an HTTP error).
 */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (r.resourceType() === 'eventsource' && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    // A read cut by the page's own reload or navigation while it was in flight (a live refresh racing the test's
    // page.reload()) is not a failed request; an aborted write still is.
    if (r.method() === 'GET' && r.resourceType() === 'fetch' && r.failure()?.errorText === 'net::ERR_ABORTED')
      return;
    problems.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return problems;
}
