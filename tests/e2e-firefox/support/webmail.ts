/// <reference lib="dom" />
// (Code inside evaluate runs in the browser: it needs the DOM types.)
import type { HTTPRequest, Page } from 'puppeteer-core';
import { expect } from 'vitest';
import { fixtureResponse } from '../../e2e/support/fixture-files';
import type { FirefoxSuite } from './firefox-suite';
import { attributeNow } from './page-reading';

/**
 * The webmail fixtures (tests/e2e/webmail-fixtures) at the webmails' real URLs in Firefox:
 * request interception over BiDi (network.addIntercept + provideResponse) answers every
 * request to a served origin from the fixture files before anything is sent, so the
 * extension's content scripts match https://mail.google.com/… exactly as on the real site, and
 * nothing leaves the machine. Other requests go on (to loopback; anything else meets the dead
 * proxy of firefox-browser.ts). Interception is per tab: each webmail tab is opened here.
 */
export type ServedOrigins = Record<string, Record<string, string>>;

export async function openWebmail(suite: FirefoxSuite, url: string, origins: ServedOrigins): Promise<Page> {
  const page = await suite.firefox.browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.setRequestInterception(true);
  page.on('request', (request: HTTPRequest) => {
    const target = new URL(request.url());
    const pages = origins[target.origin];
    if (!pages) {
      void request.continue().catch(() => {});
      return;
    }
    void fixtureResponse(target, pages).then(
      ({ status, contentType, body }) => request.respond({ status, contentType, body }),
      () => request.abort(),
    );
  });
  await page.goto(url);
  return page;
}

/** The chips a fixture's field holds (its own bookkeeping, as the webmail sees them). */
export function chipsOf(page: Page, field: string): Promise<string[]> {
  return page.evaluate((f) => (window as unknown as { fixture: { chips(f: string): string[] } }).fixture.chips(f), field);
}

/** Adds a chip the way the webmail's own script does (an autocomplete pick, a re-render). */
export function addChipByScript(page: Page, field: string, address: string, name = ''): Promise<void> {
  return page.evaluate((f, a, n) => (window as unknown as { fixture: { addChip(f: string, a: string, n: string): void } }).fixture.addChip(f, a, n), field, address, name);
}

/**
 * A real paste (Ctrl+V) of `text` into `selector`. Firefox hands an untrusted paste event an
 * empty clipboardData (a page cannot fake one), so the text goes through the clipboard: typed
 * into a field of the test site in another tab and copied with Ctrl+C, as a person would.
 */
export async function pasteInto(suite: FirefoxSuite, page: Page, selector: string, text: string): Promise<void> {
  const source = await suite.open(suite.site.url('signup.html'));
  try {
    await source.type('#name', text);
    await source.keyboard.down('Control');
    await source.keyboard.press('a');
    await source.keyboard.press('c');
    await source.keyboard.up('Control');
  } finally {
    await source.close();
  }
  await page.bringToFront();
  await page.click(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('v');
  await page.keyboard.up('Control');
}

/** The mark on a recipient chip (or a hover mark of an opened message, with role 'message'). */
export const markSelector = (address: string, kind?: string) => `mailping-mark[data-address="${address}"]${kind ? `[data-kind="${kind}"]` : ''}`;

export const verdictOf = (page: Page, address: string, kind?: string) => attributeNow(page, markSelector(address, kind), 'data-verdict');

export async function expectVerdict(page: Page, address: string, verdict: string, kind?: string): Promise<void> {
  await expect.poll(() => verdictOf(page, address, kind), { timeout: 25_000 }).toBe(verdict);
}

/** The notice's rows: address, verdict and words, as the person reads them. */
export function noticeRows(page: Page): Promise<{ address: string; verdict: string; text: string }[]> {
  return page.$$eval('mailping-notice >>> li', (items) =>
    items.map((li) => ({ address: li.getAttribute('data-address') ?? '', verdict: li.getAttribute('data-verdict') ?? '', text: (li.textContent ?? '').replace(/\s+/g, ' ').trim() })),
  );
}

export async function noticeAddresses(page: Page): Promise<string[]> {
  return (await noticeRows(page)).map((r) => r.address);
}

/** The notice's one-click fix of a typo in `address` ("Did you mean …?"). */
export const noticeFix = (address: string) => `mailping-notice >>> li[data-address="${address}"] .mp-fix`;

/** Hovers the opened message's sender (#sender, alice@valid.test) until its mark shows. */
export async function hoverSender(page: Page): Promise<string> {
  await page.hover('#sender');
  const mark = `mailping-mark[data-role="message"][data-address="alice@valid.test"]`;
  await expect.poll(async () => (await page.$(mark)) !== null && (await (await page.$(mark))!.isVisible())).toBe(true);
  return mark;
}
