/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { extensionSettingsItems } from './extension-settings';

/**
 * Debian's Chromium, headless, with the built extension loaded (toolchain notes: the flags keep
 * it off the network and quiet). Playwright never downloads a browser here.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  /** The extension's current service worker (a new one after a stop). */
  worker(): Promise<Worker>;
  /** What Chrome does to an idle worker, forced through CDP (under CDP it is never idled). */
  stopServiceWorker(): Promise<void>;
  extensionPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

/** `args`: more Chromium flags (the server-mode test maps a name and trusts its test certificate). */
export async function launchWithExtension(extensionDir: string, options: { args?: string[] } = {}): Promise<ExtensionBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'mailping-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1000, height: 760 },
      args: [
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        ...(options.args ?? []),
      ],
    });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  // Fail a stuck step in seconds, not in Playwright's default 30 s (polls repeat steps).
  context.setDefaultTimeout(10_000);
  const first = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(first.url()).host;

  const worker = async (): Promise<Worker> => {
    const live = context.serviceWorkers().filter((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
    if (live.length > 0) return live.at(-1)!;
    return context.waitForEvent('serviceworker', { timeout: 15_000 });
  };

  return {
    context,
    extensionId,
    worker,
    async stopServiceWorker() {
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      const gone = context.serviceWorkers().map((w) => new Promise<void>((resolve) => w.once('close', () => resolve())));
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, 5000))]);
      await cdp.detach();
    },
    async extensionPage(path) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${path.replace(/^\//, '')}`);
      return page;
    },
    async close() {
      try {
        await context.close();
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Points the extension at a daemon and gives it a token, as the options page would leave them. */
export async function configureExtension(worker: Worker, settings: { port: number; token?: string }): Promise<void> {
  await worker.evaluate(async (items) => {
    const { chrome } = globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } };
    await chrome.storage.local.set(items);
  }, extensionSettingsItems(settings));
}

/** A page's tab id as the extension knows it: the page is brought to the front and asked for as the active tab. */
export async function tabIdOf(worker: Worker, page: Page): Promise<number> {
  await page.bringToFront();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ id: number }[]> } } };
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab!.id;
  });
}
