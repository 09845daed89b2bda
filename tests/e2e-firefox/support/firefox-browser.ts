/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import { randomUUID } from 'node:crypto';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { extensionSettingsItems } from '../../e2e/support/extension-settings';
import { freePort } from '../../support/daemon-process';

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi by puppeteer-core (no geckodriver,
 * no browser download), with the built extension installed as a temporary add-on. The recipe
 * and its gotchas: ../shared/notes/firefox-e2e.md. Firefox's own prefs stay at their defaults
 * (above all its MV3 extension-page CSP: the suite must see what a person's Firefox does),
 * except the extension's uuid, pinned so its origin is known, and a proxy that keeps every
 * non-loopback request on this machine.
 */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** browser_specific_settings.gecko.id in wxt.config.ts. */
export const GECKO_ID = 'mailping@mailping.dev';

/** The extension's background, reached from one of its own pages (runtime.getBackgroundPage). */
interface DebugBackground {
  mailpingDebug: { menuClicked(info: object, tab: object): Promise<void>; shownAddress(): string | null };
}
/** The `browser` global of an extension page (only what the tests use). */
export interface ExtensionGlobals {
  browser: {
    runtime: { getBackgroundPage(): Promise<DebugBackground> };
    storage: { local: { set(items: object): Promise<void>; get(key: string): Promise<Record<string, unknown>> } };
    tabs: { query(q: object): Promise<{ id: number; url?: string; active: boolean }[]>; get(id: number): Promise<object> };
    action: { getBadgeText(d: { tabId: number }): Promise<string>; getTitle(d: { tabId: number }): Promise<string> };
    permissions: { getAll(): Promise<{ origins?: string[] }> };
  };
}

export interface FirefoxExtensionBrowser {
  browser: Browser;
  /** moz-extension://<uuid>: the Origin the background's WebSocket sends. */
  origin: string;
  /** A tab at an extension page (options.html, popup.html?tab=…), loaded. */
  extensionPage(path: string): Promise<Page>;
  /**
   * An extension page kept open in the background of the test: it has the `browser.*` APIs
   * and the background page's window (where the context-menu handler is exposed).
   */
  extensionHost(): Promise<Page>;
  /** A page's tab id as the extension knows it. */
  tabIdOf(page: Page): Promise<number>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Extra prefs, over the suite's (a name mapped to an address, a proxy exception). */
  prefs?: Record<string, unknown>;
  /** A profile directory made beforehand (support/trusting-profile.ts); the caller removes it. */
  profile?: string;
}

export async function launchFirefoxWithExtension(extensionDir: string, options: LaunchOptions = {}): Promise<FirefoxExtensionBrowser> {
  const uuid = randomUUID();
  const origin = `moz-extension://${uuid}`;
  // Nothing listens there: a request that would leave loopback fails at once (Firefox never
  // proxies 127.0.0.1 itself, so the daemon and the test site are reached directly).
  const deadProxy = await freePort();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width: 1000, height: 760 },
    // BiDi may navigate to moz-extension:// pages only with this (notes §3a).
    args: ['--remote-allow-system-access'],
    ...(options.profile !== undefined && { userDataDir: options.profile }),
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      'network.proxy.type': 1,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': deadProxy,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': deadProxy,
      ...options.prefs,
    },
  });
  let host: Page | null = null;
  try {
    const id = await browser.installExtension(extensionDir);
    if (id !== GECKO_ID) throw new Error(`installed ${id}, expected ${GECKO_ID}`);
  } catch (e) {
    await browser.close();
    throw e;
  }

  const extensionPage = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const url = `${origin}/${path.replace(/^\//, '')}`;
    // No load event ever comes for a moz-extension page: start the navigation, then watch the document.
    page.goto(url).catch(() => {});
    const deadline = Date.now() + 15_000;
    for (;;) {
      const state = await page.evaluate(() => `${document.readyState} ${location.href}`).catch(() => '');
      if (state === `complete ${url}`) return page;
      if (Date.now() > deadline) throw new Error(`${url} did not load (last: ${state || 'no document'})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const extensionHost = async (): Promise<Page> => {
    if (!host || host.isClosed()) host = await extensionPage('options.html');
    return host;
  };

  return {
    browser,
    origin,
    extensionPage,
    extensionHost,
    async tabIdOf(page) {
      const url = page.url();
      await page.bringToFront();
      const hostPage = await extensionHost();
      return hostPage.evaluate(async (url) => {
        const { browser } = globalThis as unknown as ExtensionGlobals;
        const tabs = await browser.tabs.query({});
        const same = tabs.filter((t) => t.url === url);
        const tab = same.length === 1 ? same[0] : same.find((t) => t.active);
        if (!tab) throw new Error(`no tab at ${url}`);
        return tab.id;
      }, url);
    },
    close: () => browser.close(),
  };
}

/** Points the extension at a daemon and gives it a token, as the options page would leave them. */
export async function configureExtension(host: Page, settings: { port: number; token?: string }): Promise<void> {
  await host.evaluate(async (items) => {
    await (globalThis as unknown as ExtensionGlobals).browser.storage.local.set(items);
  }, extensionSettingsItems(settings));
}
