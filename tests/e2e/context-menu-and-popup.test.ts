/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeNow } from './support/attribute-now';
import { clickMenuItem } from './support/context-menu';
import { tabIdOf } from './support/extension-browser';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';

/**
 * "Verify this email" from the context menu (a selection, a mailto: link, a field), with the
 * result next to the click and on the toolbar badge; and the toolbar popup: the verify box and
 * the page's addresses, verified all at once.
 */

let suite: ExtensionSuite;
let page: Page;

interface ChromeInWorker {
  chrome: {
    action: { getBadgeText(d: { tabId: number }): Promise<string>; getTitle(d: { tabId: number }): Promise<string> };
    contextMenus: { update(id: string, props: object): Promise<void> };
  };
}

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await suite.open(suite.site.url('addresses.html'));
});

afterAll(() => suite?.stop());

/** What Chrome does on a click of our menu item in the test page. */
const clickMenu = async (info: Record<string, unknown>) => clickMenuItem(await suite.browser.worker(), page, info);

async function toolbarBadge(): Promise<{ text: string; title: string }> {
  const worker = await suite.browser.worker();
  const tabId = await tabIdOf(worker, page);
  return worker.evaluate(async (tabId) => {
    const { action } = (globalThis as unknown as ChromeInWorker).chrome;
    return { text: await action.getBadgeText({ tabId }), title: await action.getTitle({ tabId }) };
  }, tabId);
}

const toast = () => page.locator('mailping-toast');
/** The toast's state now, or null when there is none (without waiting for one to appear). */
const toastVerdict = () => attributeNow(toast(), 'data-verdict');
// The toast's words live in its shadow root (locators pierce open ones; textContent of the host does not).
const toastText = () => toast().locator('.mp-details').textContent();

describe('context menu', () => {
  it('has its items: on selections and fields, and on mailto: links', async () => {
    const worker = await suite.browser.worker();
    const exists = await worker.evaluate(async () => {
      const { contextMenus } = (globalThis as unknown as ChromeInWorker).chrome;
      const check = (id: string) => contextMenus.update(id, {}).then(() => true, () => false);
      return [await check('mailping-verify'), await check('mailping-verify-mailto'), await check('no-such-item')];
    });
    expect(exists).toEqual([true, true, false]);
  });

  it('verifies a selected address and shows the result next to the click and on the toolbar', async () => {
    // Select the address and right-click it, as a person would.
    await page.locator('#sales-address').selectText();
    const box = (await page.locator('#sales-address').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });
    const selection = await page.evaluate(() => getSelection()?.toString());
    expect(selection).toBe('alice@valid.test');

    await clickMenu({ menuItemId: 'mailping-verify', selectionText: selection, frameId: 0 });
    await expect.poll(toastVerdict, { timeout: 20_000 }).toBe('deliverable');
    // Next to where the person clicked.
    const toastBox = (await toast().boundingBox())!;
    expect(Math.abs(toastBox.y - (box.y + box.height / 2))).toBeLessThan(60);
    expect(await toastText()).toContain('alice@valid.test');
    await saveScreenshot(page, 'context-menu-toast-deliverable', { x: 0, y: Math.max(0, toastBox.y - 80), width: 700, height: 300 });
    await expect.poll(() => toolbarBadge()).toEqual({ text: '✓', title: 'MailPing: alice@valid.test — Deliverable: mailbox exists' });
  });

  it('verifies the address of a mailto: link', async () => {
    const link = page.locator('#support-link');
    await link.click({ button: 'right' });
    await clickMenu({ menuItemId: 'mailping-verify-mailto', linkUrl: await link.getAttribute('href'), frameId: 0 });
    await expect.poll(toastVerdict, { timeout: 20_000 }).toBe('undeliverable');
    expect(await toastText()).toContain('nobody@valid.test');
    await expect.poll(async () => (await toolbarBadge()).text).toBe('✗');
  });

  it('verifies the address in a right-clicked field (the content script knows which field)', async () => {
    // The last toast sits over the field: close it as a person would.
    await toast().locator('.mp-close').click();
    expect(await toast().count()).toBe(0);
    await page.locator('#forward').click({ button: 'right' });
    await clickMenu({ menuItemId: 'mailping-verify', frameId: 0 });
    await expect.poll(toastVerdict, { timeout: 20_000 }).toBe('deliverable');
    expect(await toastText()).toContain('alice@valid.test');
  });
});

describe('popup', () => {
  it('verifies a typed address', async () => {
    const tabId = await tabIdOf(await suite.browser.worker(), page);
    const popup = await suite.browser.extensionPage(`popup.html?tab=${tabId}`);
    try {
      await expect.poll(() => popup.locator('#status-pill').getAttribute('data-kind'), { timeout: 15_000 }).toBe('connected');
      await popup.locator('#verify-input').fill('x@catchall.test');
      await popup.locator('#verify-button').click();
      const result = popup.locator('#verify-result .mp-details');
      await expect.poll(() => result.getAttribute('data-verdict'), { timeout: 20_000 }).toBe('risky');
      expect(await result.textContent()).toContain('catch-all');

      // Recent results come from the daemon's history: what this run verified is there.
      await expect
        .poll(() => popup.locator('#history-list .address').allTextContents(), { timeout: 10_000 })
        .toEqual(expect.arrayContaining(['x@catchall.test', 'alice@valid.test', 'nobody@valid.test']));
      await saveScreenshot(popup, 'popup-verify-box');
    } finally {
      await popup.close();
    }
  });

  it('lists the page\u2019s addresses and verifies them all, with progress', async () => {
    const tabId = await tabIdOf(await suite.browser.worker(), page);
    const popup = await suite.browser.extensionPage(`popup.html?tab=${tabId}`);
    try {
      const rows = popup.locator('#page-list li');
      await expect.poll(() => popup.locator('#page-list .address').allTextContents(), { timeout: 10_000 })
        .toEqual(['nobody@valid.test', 'x@catchall.test', 'alice@valid.test']);
      await popup.locator('#verify-all').click();
      await expect.poll(() => popup.locator('#page-summary').textContent(), { timeout: 30_000 }).toBe('3 of 3 checked.');
      expect(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.verdict))).toEqual(['undeliverable', 'risky', 'deliverable']);
      expect(await popup.locator('#page-progress-bar').evaluate((el) => (el as HTMLElement).style.width)).toBe('100%');
      await saveScreenshot(popup, 'popup-page-addresses');
    } finally {
      await popup.close();
    }
  });
});
