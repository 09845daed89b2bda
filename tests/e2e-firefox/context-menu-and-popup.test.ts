/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickMenuItem, toolbarBadge } from './support/context-menu';
import { startFirefoxSuite, type FirefoxSuite } from './support/firefox-suite';
import { attributeNow, countNow, textNow } from './support/page-reading';

/**
 * "Verify this email" from the context menu in Firefox (through its handler: see
 * support/context-menu.ts) with the result next to the click and on the toolbar badge; and the
 * toolbar popup, opened as a page for the test page's tab: the verify box and the page's
 * addresses, verified all at once.
 */

let suite: FirefoxSuite;
let page: Page;

beforeAll(async () => {
  suite = await startFirefoxSuite();
  page = await suite.open(suite.site.url('addresses.html'));
});

afterAll(() => suite?.stop());

const clickMenu = (info: Record<string, unknown>) => clickMenuItem(suite.firefox, page, info);
const toastVerdict = () => attributeNow(page, 'mailping-toast', 'data-verdict');
const toastText = () => textNow(page, 'mailping-toast >>> .mp-details');

/** A real right-click at the middle of `selector` (the page gets its contextmenu event). */
async function rightClick(selector: string): Promise<{ x: number; y: number }> {
  const box = (await (await page.$(selector))!.boundingBox())!;
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.click(at.x, at.y, { button: 'right' });
  return at;
}

describe('context menu in Firefox', () => {
  it('has its items: on selections and fields, and on mailto: links', async () => {
    const host = await suite.firefox.extensionHost();
    const exists = await host.evaluate(async () => {
      const { contextMenus } = (globalThis as unknown as { browser: { contextMenus: { update(id: string, p: object): Promise<void> } } }).browser;
      const check = (id: string) => contextMenus.update(id, {}).then(() => true, () => false);
      return [await check('mailping-verify'), await check('mailping-verify-mailto'), await check('no-such-item')];
    });
    expect(exists).toEqual([true, true, false]);
  });

  it('verifies a selected address and shows the result next to the click and on the toolbar', async () => {
    await page.evaluate(() => {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById('sales-address')!);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    const at = await rightClick('#sales-address');
    const selection = await page.evaluate(() => getSelection()?.toString());
    expect(selection).toBe('alice@valid.test');

    await clickMenu({ menuItemId: 'mailping-verify', selectionText: selection, frameId: 0 });
    await expect.poll(toastVerdict, { timeout: 20_000 }).toBe('deliverable');
    const toastBox = (await (await page.$('mailping-toast'))!.boundingBox())!;
    expect(Math.abs(toastBox.y - at.y)).toBeLessThan(60);
    expect(await toastText()).toContain('alice@valid.test');
    await expect.poll(() => toolbarBadge(suite.firefox, page)).toEqual({ text: '✓', title: 'MailPing: alice@valid.test — Deliverable: mailbox exists' });
  });

  it('verifies the address of a mailto: link', async () => {
    await rightClick('#support-link');
    const href = await page.$eval('#support-link', (a) => a.getAttribute('href'));
    await clickMenu({ menuItemId: 'mailping-verify-mailto', linkUrl: href, frameId: 0 });
    await expect.poll(toastVerdict, { timeout: 20_000 }).toBe('undeliverable');
    expect(await toastText()).toContain('nobody@valid.test');
    await expect.poll(async () => (await toolbarBadge(suite.firefox, page)).text).toBe('✗');
  });

  it('verifies the address in a right-clicked field (the content script knows which field)', async () => {
    await page.click('mailping-toast >>> .mp-close');
    expect(await countNow(page, 'mailping-toast')).toBe(0);
    await rightClick('#forward');
    await clickMenu({ menuItemId: 'mailping-verify', frameId: 0 });
    await expect.poll(toastVerdict, { timeout: 20_000 }).toBe('deliverable');
    expect(await toastText()).toContain('alice@valid.test');
  });
});

describe('popup in Firefox', () => {
  const openPopup = async () => suite.firefox.extensionPage(`popup.html?tab=${await suite.firefox.tabIdOf(page)}`);

  it('verifies a typed address, and lists this run’s results from the daemon’s history', async () => {
    const popup = await openPopup();
    try {
      await expect.poll(() => attributeNow(popup, '#status-pill', 'data-kind'), { timeout: 15_000 }).toBe('connected');
      await popup.type('#verify-input', 'x@catchall.test');
      await popup.click('#verify-button');
      await expect.poll(() => attributeNow(popup, '#verify-result .mp-details', 'data-verdict'), { timeout: 20_000 }).toBe('risky');
      expect(await textNow(popup, '#verify-result .mp-details')).toContain('catch-all');
      await expect
        .poll(() => popup.$$eval('#history-list .address', (els) => els.map((e) => e.textContent)), { timeout: 10_000 })
        .toEqual(expect.arrayContaining(['x@catchall.test', 'alice@valid.test', 'nobody@valid.test']));
    } finally {
      await popup.close();
    }
  });

  it('lists the page’s addresses and verifies them all, with progress', async () => {
    const popup = await openPopup();
    try {
      await expect
        .poll(() => popup.$$eval('#page-list .address', (els) => els.map((e) => e.textContent)), { timeout: 10_000 })
        .toEqual(['nobody@valid.test', 'x@catchall.test', 'alice@valid.test']);
      await popup.click('#verify-all');
      await expect.poll(() => textNow(popup, '#page-summary'), { timeout: 30_000 }).toBe('3 of 3 checked.');
      expect(await popup.$$eval('#page-list li', (els) => els.map((e) => (e as HTMLElement).dataset.verdict))).toEqual(['undeliverable', 'risky', 'deliverable']);
      expect(await popup.$eval('#page-progress-bar', (el) => (el as HTMLElement).style.width)).toBe('100%');
    } finally {
      await popup.close();
    }
  });
});
