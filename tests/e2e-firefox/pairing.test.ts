/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionGlobals } from './support/firefox-browser';
import { startFirefoxSuite, type FirefoxSuite } from './support/firefox-suite';
import { attributeNow, textNow, typeAndLeave } from './support/page-reading';

/**
 * Pairing in Firefox as a person does it (issue 9's report: it failed with "could not reach
 * the daemon" while the daemon ran): a fresh install, the port typed into the options page, a
 * code from the real `mailping pair`, then a verdict on a web page through the paired
 * connection, and the popup says "Connected".
 */

let suite: FirefoxSuite;
let options: Page;

beforeAll(async () => {
  suite = await startFirefoxSuite({ paired: false });
});

afterAll(() => suite?.stop());

const setField = async (page: Page, selector: string, value: string) => {
  await page.click(selector);
  await page.$eval(selector, (el) => {
    (el as HTMLInputElement).value = '';
  });
  await page.type(selector, value);
};

describe('pairing through the options page in Firefox', () => {
  it('has every host permission at install (the badges need them)', async () => {
    const host = await suite.firefox.extensionHost();
    const { origins = [] } = await host.evaluate(() => (globalThis as unknown as ExtensionGlobals).browser.permissions.getAll());
    expect(origins).toContain('<all_urls>');
  });

  it('goes from "not paired" to connected with a code from `mailping pair`', async () => {
    options = await suite.firefox.extensionPage('options.html');
    await setField(options, '#port', String(suite.daemon.port));
    await options.click('#endpoint-form button[type="submit"]');
    await expect.poll(() => attributeNow(options, '#status', 'data-kind'), { timeout: 15_000 }).toBe('not_paired');

    await setField(options, '#code', 'WRONG-CODE');
    await options.click('#pair-button');
    await expect.poll(() => attributeNow(options, '#pair-result', 'data-ok'), { timeout: 15_000 }).toBe('false');
    // Refused by the daemon, which was reached: not "could not reach the daemon".
    expect(await textNow(options, '#pair-result')).toMatch(/Pairing failed: .*mailping pair/);
    expect(await textNow(options, '#pair-result')).not.toMatch(/could not reach/);

    await setField(options, '#code', await suite.daemon.pairingCode());
    await options.click('#pair-button');
    await expect.poll(() => attributeNow(options, '#pair-result', 'data-ok'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => attributeNow(options, '#status', 'data-kind'), { timeout: 15_000 }).toBe('connected');
    await expect.poll(() => textNow(options, '#pairing-state')).toContain(`127.0.0.1:${suite.daemon.port}`);
    // The token is in the extension origin's IndexedDB (lib/token-store.ts), which content scripts
    // cannot open; the pairing in storage.local (which they can read) says only where and when.
    const token = await options.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open('mailping');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const request = open.result.transaction('secrets', 'readonly').objectStore('secrets').get('daemonToken');
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          };
        }),
    );
    expect(token).toMatch(/\S{20,}/);
    const stored = await options.evaluate(() => (globalThis as unknown as ExtensionGlobals).browser.storage.local.get('pairing'));
    expect((stored.pairing as { token?: string } | undefined)?.token).toBeUndefined();
  });

  it('verifies through the new pairing: a badge on a web page reaches its verdict', async () => {
    const page = await suite.open(suite.site.url('signup.html'));
    try {
      await typeAndLeave(page, '#email', 'nobody@valid.test');
      await expect.poll(() => attributeNow(page, 'mailping-badge[data-field="email"]', 'data-verdict'), { timeout: 20_000 }).toBe('undeliverable');
    } finally {
      await page.close();
    }
  });

  it('shows "Connected" in the popup', async () => {
    const popup = await suite.firefox.extensionPage('popup.html');
    try {
      await expect.poll(() => attributeNow(popup, '#status-pill', 'data-kind'), { timeout: 15_000 }).toBe('connected');
      expect(await popup.$eval('#status-help', (el) => (el as HTMLElement).hidden)).toBe(true);
    } finally {
      await popup.close();
    }
  });

  it('says "not running" with what to do when the daemon is stopped', async () => {
    await suite.daemon.stop();
    const popup = await suite.firefox.extensionPage('popup.html');
    try {
      await expect.poll(() => attributeNow(popup, '#status-pill', 'data-kind'), { timeout: 20_000 }).toBe('not_running');
      expect(await textNow(popup, '#status-advice')).toContain('mailping serve');
    } finally {
      await popup.close();
    }
  });
});
