/// <reference lib="dom" />
// (Code inside evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import type { ExtensionGlobals, FirefoxExtensionBrowser } from './firefox-browser';

/**
 * The extension's context menu in Firefox. WebDriver BiDi has no command for a native menu (a
 * right-click fires `contextmenu` in the page, but nothing can pick an item), so the tests call
 * the handler Firefox would call, exposed by the background as `mailpingDebug` (as the
 * Chromium suite does from the service worker), with the tab as Firefox describes it. The
 * background is an event page here, reached from an extension page (runtime.getBackgroundPage).
 */

/** What Firefox does on a click of one of our items in `page` (`info` as Firefox passes it). */
export async function clickMenuItem(firefox: FirefoxExtensionBrowser, page: Page, info: Record<string, unknown>): Promise<void> {
  const tabId = await firefox.tabIdOf(page);
  const host = await firefox.extensionHost();
  await host.evaluate(
    async (info, tabId) => {
      const { browser } = globalThis as unknown as ExtensionGlobals;
      const background = await browser.runtime.getBackgroundPage();
      await background.mailpingDebug.menuClicked(info, await browser.tabs.get(tabId));
    },
    info,
    tabId,
  );
}

/** A click of "Verify this email" on the address under the pointer (webmail messages). */
export function clickAddressMenu(firefox: FirefoxExtensionBrowser, page: Page): Promise<void> {
  return clickMenuItem(firefox, page, { menuItemId: 'mailping-verify-address', frameId: 0 });
}

/** The address the "Verify this email" item is shown for (null: hidden). */
export async function menuAddress(firefox: FirefoxExtensionBrowser): Promise<string | null> {
  const host = await firefox.extensionHost();
  return host.evaluate(async () => (await (globalThis as unknown as ExtensionGlobals).browser.runtime.getBackgroundPage()).mailpingDebug.shownAddress());
}

/** The toolbar button's badge and title in `page`'s tab. */
export async function toolbarBadge(firefox: FirefoxExtensionBrowser, page: Page): Promise<{ text: string; title: string }> {
  const tabId = await firefox.tabIdOf(page);
  const host = await firefox.extensionHost();
  return host.evaluate(async (tabId) => {
    const { action } = (globalThis as unknown as ExtensionGlobals).browser;
    return { text: await action.getBadgeText({ tabId }), title: await action.getTitle({ tabId }) };
  }, tabId);
}
