/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tabIdOf } from './support/extension-browser';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { openWebmail, typeRecipient } from './support/webmail-fixtures';
import { expectVerdict, markOf } from './support/webmail-marks';

/**
 * The switches: the popup's per-site switch (the silent-sites list, for the current tab's host)
 * and the options' "webmail checks" switch turn recipient marks, notices and hover marks off
 * and on again in an open Gmail tab, without a reload.
 */

let suite: ExtensionSuite;
let page: Page;

interface ChromeInWorker {
  chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } };
}

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await openWebmail(suite.context, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk', { '/mail/u/0/': 'gmail.html' });
});

afterAll(() => suite?.stop());

describe('the popup’s switch for this site', () => {
  it('names the site and the webmail, and turns recipient checks off and on', async () => {
    await typeRecipient(page, '#to', 'nobody@valid.test');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    const worker = await suite.browser.worker();
    const tabId = await tabIdOf(worker, page);
    const popup = await suite.browser.extensionPage(`popup.html?tab=${tabId}`);
    try {
      const toggle = popup.locator('#site-switch');
      await expect.poll(() => popup.locator('#site-section').isVisible()).toBe(true);
      expect(await popup.locator('#site-host').textContent()).toBe('mail.google.com');
      expect(await toggle.isChecked()).toBe(true);
      expect(await popup.locator('#site-note').textContent()).toBe('Gmail: recipients are checked as you add them.');
      await saveScreenshot(popup, 'webmail-popup-site-switch', { x: 0, y: 0, width: 400, height: 160 });

      await toggle.uncheck();
      await expect.poll(() => worker.evaluate(async () => (await (globalThis as unknown as ChromeInWorker).chrome.storage.local.get('silentSites')).silentSites)).toEqual(['mail.google.com']);
      await expect.poll(() => page.locator('mailping-mark').count()).toBe(0);
      expect(await page.locator('mailping-notice').count()).toBe(0);

      await toggle.check();
      await expect.poll(() => worker.evaluate(async () => (await (globalThis as unknown as ChromeInWorker).chrome.storage.local.get('silentSites')).silentSites)).toEqual([]);
      // Back without a reload: the chips on the page get their marks again (from the cache).
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
    } finally {
      await popup.close();
    }
  });
});

describe('the options’ webmail switch', () => {
  it('turns recipient checks off everywhere and on again', async () => {
    const options = await suite.browser.extensionPage('options.html');
    try {
      const toggle = options.locator('#webmail-checks');
      await expect.poll(() => toggle.isChecked()).toBe(true);
      await toggle.uncheck();
      await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
      // While it is off, a new chip gets no mark either.
      await typeRecipient(page, '#to', 'bob@valid.test');
      await new Promise((r) => setTimeout(r, 500));
      expect(await page.locator('mailping-mark').count()).toBe(0);
      await toggle.check();
      await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');
    } finally {
      await options.close();
    }
  });
});
