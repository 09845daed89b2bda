import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attributeNow } from './support/attribute-now';
import { createE2eDaemon, type E2eDaemon } from './support/e2e-daemon';
import { configureExtension, launchWithExtension, type ExtensionBrowser } from './support/extension-browser';
import { saveFieldScreenshot } from './support/screenshots';
import { startTestSite, type TestSite } from './support/test-site';

/**
 * The daemon goes away while a person fills in a form: the badge says offline, the check is
 * kept, and when the daemon is back it finishes by itself, even if Chrome stopped the
 * extension's service worker in between (forced through CDP, since Chrome never idles a worker
 * while DevTools protocol clients are attached).
 */

let daemon: E2eDaemon;
let browser: ExtensionBrowser;
let site: TestSite;
let page: Page;

beforeAll(async () => {
  daemon = await createE2eDaemon();
  await daemon.start();
  site = await startTestSite();
  browser = await launchWithExtension(inject('extensionDir'));
  await configureExtension(await browser.worker(), { port: daemon.port, token: await daemon.tokenForExtension() });
  page = await browser.context.newPage();
  await page.goto(site.url('signup.html'));
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await daemon?.dispose();
});

const verdict = (field: string) => attributeNow(page.locator(`mailping-badge[data-field="${field}"]`), 'data-verdict');

async function typeAndLeave(selector: string, text: string): Promise<void> {
  const field = page.locator(selector);
  await field.click();
  await field.fill('');
  await field.pressSequentially(text, { delay: 10 });
  await field.press('Tab');
}

describe('daemon stopped and restarted', () => {
  it('says offline while the daemon is down, and finishes by itself once it is back', async () => {
    await typeAndLeave('#email', 'alice@valid.test');
    await expect.poll(() => verdict('email'), { timeout: 20_000 }).toBe('deliverable');

    await daemon.stop();
    await typeAndLeave('#work', 'bob@valid.test');
    await expect.poll(() => verdict('work'), { timeout: 20_000 }).toBe('offline');
    await saveFieldScreenshot(page, page.locator('#work'), 'badge-offline');
    await page.locator('mailping-badge[data-field="work"]').hover();
    const popover = page.locator('mailping-badge[data-field="work"] .mp-popover');
    await expect.poll(() => popover.textContent()).toContain('mailping serve');
    await saveFieldScreenshot(page, page.locator('#work'), 'badge-offline-details', { below: 170 });
    await page.mouse.move(5, 5);

    await daemon.start();
    await expect.poll(() => verdict('work'), { timeout: 30_000 }).toBe('deliverable');
  });

  it('loses nothing when the service worker is stopped while checks wait for the daemon', async () => {
    await daemon.stop();
    await typeAndLeave('#email', 'first.last@valid.test');
    await typeAndLeave('#work', 'nobody@valid.test');
    await expect.poll(() => verdict('email'), { timeout: 20_000 }).toBe('offline');
    await expect.poll(() => verdict('work'), { timeout: 20_000 }).toBe('offline');

    // A mark in the running worker's global scope: a new worker will not have it.
    await (await browser.worker()).evaluate(() => {
      (globalThis as { beforeStop?: boolean }).beforeStop = true;
    });
    await browser.stopServiceWorker();
    await daemon.start();
    // Nobody touches the page: the content script's port broke with the worker, it reconnects
    // (which starts a new worker), the new worker re-reads its pending checks and reconnects.
    await expect.poll(() => verdict('email'), { timeout: 40_000 }).toBe('deliverable');
    await expect.poll(() => verdict('work'), { timeout: 40_000 }).toBe('undeliverable');
    expect(await (await browser.worker()).evaluate(() => (globalThis as { beforeStop?: boolean }).beforeStop ?? false)).toBe(false);
  });
});
