/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { BrowserContext, Page } from 'playwright-core';
import { fixtureResponse } from './fixture-files';

/**
 * Webmail fixture pages served at the webmails' real URLs (https://mail.google.com/…) through
 * Playwright's request routing: nothing reaches the network, and the extension's content
 * scripts match these pages exactly as they match the real sites (what each URL answers:
 * fixture-files.ts).
 */

export interface ServeWebmailOptions {
  /** The pages may read and write the clipboard (a real Ctrl+V; a fix offered as a copy). */
  clipboard?: boolean;
}

/** Serves `pages` (a path prefix → a fixture file; the longest matching prefix wins) at `origin`. */
export async function serveWebmail(context: BrowserContext, origin: string, pages: Record<string, string>, options: ServeWebmailOptions = {}): Promise<void> {
  await context.route(`${origin}/**`, async (route) => {
    const { status, contentType, body } = await fixtureResponse(new URL(route.request().url()), pages);
    await route.fulfill({ status, contentType, body });
  });
  if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
}

/** Serves `pages` at the origin of `url` (serveWebmail) and opens `url` in a new tab. */
export async function openWebmail(context: BrowserContext, url: string, pages: Record<string, string>): Promise<Page> {
  await serveWebmail(context, new URL(url).origin, pages);
  const page = await context.newPage();
  await page.goto(url);
  return page;
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
