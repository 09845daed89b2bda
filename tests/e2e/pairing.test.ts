import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateInContentScript } from './support/content-world';
import { configureExtension } from './support/extension-browser';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { startTestSite } from './support/test-site';

/**
 * Pairing as a person does it: the options page says "not paired", `mailping pair` prints a
 * code, the code goes into the options page, the daemon issues a token bound to the extension's
 * origin, and the popup then says "Connected". The token stays where no content script can read
 * it.
 */

let suite: ExtensionSuite;
/** The token the daemon issued to the extension (set by the pairing test). */
let token: string | null = null;

/** The pairing token as the background keeps it (lib/token-store.ts: IndexedDB "mailping", store "secrets"). */
function tokenInStore(): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('mailping');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction('secrets', 'readonly').objectStore('secrets').get('daemonToken');
      request.onsuccess = () => {
        resolve((request.result as string | undefined) ?? null);
        db.close();
      };
      request.onerror = () => reject(request.error);
    };
  });
}

beforeAll(async () => {
  // Not paired: the test pairs it as a person would.
  suite = await startExtensionSuite({ paired: false });
});

afterAll(() => suite?.stop());

describe('pairing through the options page', () => {
  it('has the id the daemon allow-lists (from the manifest key)', () => {
    expect(suite.browser.extensionId).toBe('egonnibiidoihfhcmkbbbaahcncaldod');
  });

  it('goes from "not paired" to connected with a code from `mailping pair`', async () => {
    // Only the port: a person who runs the daemon on another port sets it here too.
    await configureExtension(await suite.browser.worker(), { port: suite.daemon.port });
    const options = await suite.browser.extensionPage('options.html');
    const status = options.locator('#status');
    await expect.poll(() => status.getAttribute('data-kind'), { timeout: 15_000 }).toBe('not_paired');
    expect(await options.locator('#port').inputValue()).toBe(String(suite.daemon.port));

    await options.locator('#code').fill('WRONG-CODE');
    await options.locator('#pair-button').click();
    const result = options.locator('#pair-result');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 15_000 }).toBe('false');
    expect(await result.textContent()).toMatch(/Pairing failed: .*mailping pair/);

    const code = await suite.daemon.pairingCode();
    await options.locator('#code').fill(code);
    await options.locator('#pair-button').click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => status.getAttribute('data-kind'), { timeout: 15_000 }).toBe('connected');
    await expect.poll(() => options.locator('#pairing-state').textContent()).toContain(`127.0.0.1:${suite.daemon.port}`);
    await saveScreenshot(options, 'options-paired');

    // The token is stored where only the extension reaches (its origin's IndexedDB), and the
    // pairing in storage.local says only where and when.
    const worker = await suite.browser.worker();
    token = await worker.evaluate(tokenInStore);
    expect(token).toMatch(/\S{20,}/);
    const stored = await worker.evaluate(() =>
      (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, { token?: string }>> } } } }).chrome.storage.local.get('pairing'),
    );
    expect(stored.pairing).toEqual({ endpoint: `127.0.0.1:${suite.daemon.port}`, pairedAt: expect.any(String) });
    await options.close();

    const popup = await suite.browser.extensionPage('popup.html');
    await expect.poll(() => popup.locator('#status-pill').getAttribute('data-kind'), { timeout: 15_000 }).toBe('connected');
    expect(await popup.locator('#status-help').isHidden()).toBe(true);
    await popup.close();
  });

  it('keeps the token out of every content script’s reach', async () => {
    expect(token).not.toBeNull();
    const page = await suite.open(suite.site.url('signup.html'));
    try {
      const seen = await evaluateInContentScript<{ local: string; session: string; databases: string }>(
        page,
        `(async () => {
          const local = JSON.stringify(await chrome.storage.local.get(null));
          const session = await chrome.storage.session.get(null).then((v) => JSON.stringify(v), (e) => 'refused: ' + e.message);
          const databases = JSON.stringify(await indexedDB.databases());
          return { local, session, databases };
        })()`,
      );
      // The content script sees the settings it needs, and the pairing's where and when, never the token.
      expect(seen.local).toContain('"pairing"');
      expect(seen.local).not.toContain(token!);
      expect(seen.session).not.toContain(token!);
      // Its IndexedDB is the page's, not the extension's.
      expect(seen.databases).not.toContain('mailping');
    } finally {
      await page.close();
    }
  });

  it('tells "something else answers at that port" from "not running"', async () => {
    // A plain web server where the daemon should be: it answers HTTP but no WebSocket.
    const other = await startTestSite();
    try {
      await configureExtension(await suite.browser.worker(), { port: Number(new URL(other.origin).port) });
      const popup = await suite.browser.extensionPage('popup.html');
      await expect.poll(() => popup.locator('#status-pill').getAttribute('data-kind'), { timeout: 20_000 }).toBe('refused');
      expect(await popup.locator('#status-advice').textContent()).toContain('Check the port');
      await popup.close();
    } finally {
      await other.close();
      await configureExtension(await suite.browser.worker(), { port: suite.daemon.port });
    }
  });

  it('says "not running" with what to do when the daemon is stopped', async () => {
    await suite.daemon.stop();
    const popup = await suite.browser.extensionPage('popup.html');
    await expect.poll(() => popup.locator('#status-pill').getAttribute('data-kind'), { timeout: 20_000 }).toBe('not_running');
    expect(await popup.locator('#status-advice').textContent()).toContain('mailping serve');
    await saveScreenshot(popup, 'popup-daemon-not-running');
    await popup.close();
  });
});
