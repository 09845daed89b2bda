/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createE2eDaemon, type E2eDaemon } from './support/e2e-daemon';
import { configureExtension, launchWithExtension, type ExtensionBrowser } from './support/extension-browser';
import { saveScreenshot } from './support/screenshots';
import { expectVerdict, markOf, serveWebmail, typeRecipient } from './support/webmail-fixtures';

/**
 * The switches: the popup's per-site switch (the silent-sites list, for the current tab's host)
 * and the options' "webmail checks" switch turn recipient marks, notices and hover marks off
 * and on again in an open Gmail tab, without a reload.
 */

let daemon: E2eDaemon;
let browser: ExtensionBrowser;
let page: Page;

interface ChromeInWorker {
  chrome: { tabs: { query(q: object): Promise<{ id: number }[]> }; storage: { local: { get(key: string): Promise<Record<string, unknown>> } } };
}

beforeAll(async () => {
  daemon = await createE2eDaemon();
  await daemon.start();
  browser = await launchWithExtension(inject('extensionDir'));
  await configureExtension(await browser.worker(), { port: daemon.port, token: await daemon.tokenForExtension() });
  await serveWebmail(browser.context, 'https://mail.google.com', { '/mail/u/0/': 'gmail.html' });
  page = await browser.context.newPage();
  await page.goto('https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk');
});

afterAll(async () => {
  await browser?.close();
  await daemon?.dispose();
});

async function tabIdOf(worker: Worker, target: Page): Promise<number> {
  await target.bringToFront();
  return worker.evaluate(async () => {
    const [tab] = await (globalThis as unknown as ChromeInWorker).chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab!.id;
  });
}

describe('the popup’s switch for this site', () => {
  it('names the site and the webmail, and turns recipient checks off and on', async () => {
    await typeRecipient(page, '#to', 'nobody@valid.test');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    const worker = await browser.worker();
    const tabId = await tabIdOf(worker, page);
    const popup = await browser.extensionPage(`popup.html?tab=${tabId}`);
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
    const options = await browser.extensionPage('options.html');
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
