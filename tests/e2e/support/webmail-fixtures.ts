/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page, Worker } from 'playwright-core';
import { expect } from 'vitest';
import { attributeNow } from './attribute-now';

/**
 * Webmail fixture pages served at the webmails' real URLs (https://mail.google.com/…) through
 * Playwright's request routing: nothing reaches the network, and the extension's content
 * scripts match these pages exactly as they match the real sites. `/__fixture__/chip-input.js`
 * is the fixtures' shared recipient-field behaviour.
 */
const FIXTURES = fileURLToPath(new URL('../webmail-fixtures/', import.meta.url));

export async function serveWebmail(context: BrowserContext, origin: string, pages: Record<string, string>): Promise<void> {
  await context.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/__fixture__/chip-input.js') {
      await route.fulfill({ status: 200, contentType: 'text/javascript', body: await readFile(`${FIXTURES}chip-input.js`) });
      return;
    }
    // The longest path prefix that names a fixture.
    const match = Object.keys(pages)
      .filter((prefix) => `${url.pathname}${url.search}`.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0];
    if (match === undefined) {
      await route.fulfill({ status: 404, body: '' });
      return;
    }
    await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: await readFile(`${FIXTURES}${pages[match]}`) });
  });
}

/** The mark on a recipient chip (or a hover mark, with role 'message'). */
export function markOf(page: Page, address: string, kind?: string): Locator {
  return page.locator(`mailping-mark[data-address="${address}"]${kind ? `[data-kind="${kind}"]` : ''}`);
}

export const verdictOf = (page: Page, address: string, kind?: string) => attributeNow(markOf(page, address, kind), 'data-verdict');

export async function expectVerdict(page: Page, address: string, verdict: string, kind?: string): Promise<void> {
  await expect.poll(() => verdictOf(page, address, kind), { timeout: 25_000 }).toBe(verdict);
}

/** The notice's rows: address, verdict and words, as the person reads them. */
export async function noticeRows(page: Page): Promise<{ address: string; verdict: string; text: string }[]> {
  return page.locator('mailping-notice li').evaluateAll((items) =>
    items.map((li) => ({ address: li.getAttribute('data-address') ?? '', verdict: li.getAttribute('data-verdict') ?? '', text: (li.textContent ?? '').replace(/\s+/g, ' ').trim() })),
  );
}

/** The chips a fixture's field holds (its own bookkeeping, as the webmail sees them). */
export function chipsOf(page: Page, field: string): Promise<string[]> {
  return page.evaluate((f) => (window as unknown as { fixture: { chips(f: string): string[] } }).fixture.chips(f), field);
}

/** Adds a chip the way the webmail's own script does (an autocomplete pick, a re-render). */
export function addChipByScript(page: Page, field: string, address: string, name = ''): Promise<void> {
  return page.evaluate(([f, a, n]) => (window as unknown as { fixture: { addChip(f: string, a: string, n: string): void } }).fixture.addChip(f!, a!, n!), [field, address, name]);
}

/** Types an address like a person and commits it with `commit` (Enter, a comma, Tab). */
export async function typeRecipient(page: Page, selector: string, address: string, commit = 'Enter'): Promise<void> {
  const input = page.locator(selector);
  await input.click();
  await input.pressSequentially(address, { delay: 10 });
  await page.keyboard.press(commit);
}

/** A paste into a recipient field, as the browser delivers it (the webmail splits it into chips). */
export function pasteInto(page: Page, selector: string, text: string): Promise<void> {
  return page.locator(selector).evaluate((el, t) => {
    (el as HTMLElement).focus();
    const data = new DataTransfer();
    data.setData('text/plain', t);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Chip geometry before and after marks: MailPing must not move anything. */
export function boxesOf(page: Page, selector: string): Promise<{ x: number; y: number; w: number; h: number }[]> {
  return page.locator(selector).evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
}

interface DebugWorker {
  mailpingDebug: { menuClicked(info: object, tab: object): Promise<void>; shownAddress(): string | null };
  chrome: { tabs: { query(q: object): Promise<{ id: number }[]> } };
}

/** The address the context menu's "Verify this email" item is shown for (null: hidden). */
export function menuAddress(worker: Worker): Promise<string | null> {
  return worker.evaluate(() => (globalThis as unknown as DebugWorker).mailpingDebug.shownAddress());
}

/** What Chrome does on a click of the address item (a native menu cannot be clicked by automation). */
export async function clickAddressMenu(worker: Worker, page: Page): Promise<void> {
  await page.bringToFront();
  const tabId = await worker.evaluate(async () => {
    const [tab] = await (globalThis as unknown as DebugWorker).chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab!.id;
  });
  await worker.evaluate((id) => (globalThis as unknown as DebugWorker).mailpingDebug.menuClicked({ menuItemId: 'mailping-verify-address', frameId: 0 }, { id }), tabId);
}
