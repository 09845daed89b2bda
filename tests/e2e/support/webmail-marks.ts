/// <reference lib="dom" />
// (Code inside evaluateAll runs in the browser: it needs the DOM types.)
import type { Locator, Page, Worker } from 'playwright-core';
import { expect } from 'vitest';
import { attributeNow } from './attribute-now';
import { clickAddressMenu, menuAddress } from './context-menu';

/**
 * What MailPing shows on a webmail page, read as a person (or a screen reader) would: the marks
 * on recipient chips, the compose notice and its rows, the hover marks of an opened message
 * and the context menu's toast. Every message fixture (tests/e2e/webmail-fixtures) has a
 * sender #sender (alice@valid.test, deliverable) and a recipient #recipient-nobody
 * (nobody@valid.test, undeliverable).
 */

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

/** The addresses the notice lists, in its order. */
export async function noticeAddresses(page: Page): Promise<string[]> {
  return (await noticeRows(page)).map((r) => r.address);
}

/** The notice's one-click fix of a typo in `address` ("Did you mean …?"). */
export function noticeFix(page: Page, address: string): Locator {
  return page.locator(`mailping-notice li[data-address="${address}"] .mp-fix`);
}

/** The hover mark of an address in an opened message. */
export function messageMark(page: Page, address: string): Locator {
  return page.locator(`mailping-mark[data-role="message"][data-address="${address}"]`);
}

/** Hovers the opened message's sender until its mark shows. */
export async function hoverSender(page: Page): Promise<Locator> {
  await page.locator('#sender').hover();
  const mark = messageMark(page, 'alice@valid.test');
  await expect.poll(() => mark.isVisible()).toBe(true);
  return mark;
}

/** Hovers the sender and clicks its mark, which checks it: deliverable. */
export async function checkSenderOnHover(page: Page): Promise<Locator> {
  const mark = await hoverSender(page);
  await mark.click();
  await expect.poll(() => mark.getAttribute('data-verdict'), { timeout: 20_000 }).toBe('deliverable');
  return mark;
}

/** The pointer leaves for (x, y): the hover mark goes away. */
export async function leaveMark(page: Page, mark: Locator, x: number, y: number): Promise<void> {
  await page.mouse.move(x, y);
  await expect.poll(() => mark.count(), { timeout: 5_000 }).toBe(0);
}

/** A right-click on the recipient offers it in the context menu; the item checks it (undeliverable, in a toast). */
export async function checkRecipientFromMenu(page: Page, worker: Worker): Promise<void> {
  await page.locator('#recipient-nobody').hover();
  await expect.poll(() => menuAddress(worker)).toBe('nobody@valid.test');
  await page.locator('#recipient-nobody').click({ button: 'right' });
  await clickAddressMenu(worker, page);
  await expect.poll(() => page.locator('mailping-toast').getAttribute('data-verdict'), { timeout: 20_000 }).toBe('undeliverable');
}
