import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { badgeFor, badgeVerdict, typeAndLeave } from './support/field-badges';
import { saveFieldScreenshot } from './support/screenshots';

/**
 * The daemon goes away while a person fills in a form: the badge says offline, the check is
 * kept, and when the daemon is back it finishes by itself, even if Chrome stopped the
 * extension's service worker in between (forced through CDP, since Chrome never idles a worker
 * while DevTools protocol clients are attached).
 */

let suite: ExtensionSuite;
let page: Page;

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await suite.open(suite.site.url('signup.html'));
});

afterAll(() => suite?.stop());

const verdict = (field: string) => badgeVerdict(page, field);

describe('daemon stopped and restarted', () => {
  it('says offline while the daemon is down, and finishes by itself once it is back', async () => {
    await typeAndLeave(page, '#email', 'alice@valid.test');
    await expect.poll(() => verdict('email'), { timeout: 20_000 }).toBe('deliverable');

    await suite.daemon.stop();
    await typeAndLeave(page, '#work', 'bob@valid.test');
    await expect.poll(() => verdict('work'), { timeout: 20_000 }).toBe('offline');
    await saveFieldScreenshot(page, page.locator('#work'), 'badge-offline');
    await badgeFor(page, 'work').hover();
    const popover = badgeFor(page, 'work').locator('.mp-popover');
    await expect.poll(() => popover.textContent()).toContain('mailping serve');
    await saveFieldScreenshot(page, page.locator('#work'), 'badge-offline-details', { below: 170 });
    await page.mouse.move(5, 5);

    await suite.daemon.start();
    await expect.poll(() => verdict('work'), { timeout: 30_000 }).toBe('deliverable');
  });

  it('loses nothing when the service worker is stopped while checks wait for the daemon', async () => {
    await suite.daemon.stop();
    await typeAndLeave(page, '#email', 'first.last@valid.test');
    await typeAndLeave(page, '#work', 'nobody@valid.test');
    await expect.poll(() => verdict('email'), { timeout: 20_000 }).toBe('offline');
    await expect.poll(() => verdict('work'), { timeout: 20_000 }).toBe('offline');

    // A mark in the running worker's global scope: a new worker will not have it.
    await (await suite.browser.worker()).evaluate(() => {
      (globalThis as { beforeStop?: boolean }).beforeStop = true;
    });
    await suite.browser.stopServiceWorker();
    await suite.daemon.start();
    // Nobody touches the page: the content script's port broke with the worker, it reconnects
    // (which starts a new worker), the new worker re-reads its pending checks and reconnects.
    await expect.poll(() => verdict('email'), { timeout: 40_000 }).toBe('deliverable');
    await expect.poll(() => verdict('work'), { timeout: 40_000 }).toBe('undeliverable');
    expect(await (await suite.browser.worker()).evaluate(() => (globalThis as { beforeStop?: boolean }).beforeStop ?? false)).toBe(false);
  });
});
