/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Locator, Page } from 'playwright-core';

/**
 * The fixtures' own Send (webmail-fixtures/send-button.js) and MailPing's confirm in front of
 * it, read the way the tests need them: how many times the page's send handler ran, and what
 * the confirm says.
 */
export interface FixtureSend {
  via: 'click' | 'key' | 'shortcut';
  compose: string;
  /** false: a script's event (MailPing's "Send anyway" replays the person's press). */
  trusted: boolean;
  delayMs: number;
}

export function sendsOf(page: Page): Promise<FixtureSend[]> {
  return page.evaluate(() => (window as unknown as { fixtureSends: FixtureSend[] }).fixtureSends.slice());
}

export function sendConfirm(page: Page): Locator {
  return page.locator('mailping-send-confirm [role="alertdialog"]');
}

/** The confirm's lines, one per recipient that would bounce. */
export function confirmLines(page: Page): Promise<string[]> {
  return page.locator('mailping-send-confirm li').evaluateAll((items) => items.map((li) => (li.textContent ?? '').trim()));
}

export const sendAnyway = (page: Page) => page.locator('mailping-send-confirm button.mp-send');
export const confirmFix = (page: Page) => page.locator('mailping-send-confirm button.mp-fix');

/** Lets whatever a press would have caused happen (a handler, a confirm) before asserting it did not. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
