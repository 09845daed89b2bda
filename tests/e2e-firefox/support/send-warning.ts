/// <reference lib="dom" />
// (Code inside evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import type { FixtureSend } from '../../e2e/support/send-warning';
import { isShown } from './page-reading';

/**
 * The fixtures' own Send (tests/e2e/webmail-fixtures/send-button.js) and MailPing's confirm in
 * front of it, over puppeteer, as tests/e2e/support/send-warning.ts reads them for Playwright.
 */
export function sendsOf(page: Page): Promise<FixtureSend[]> {
  return page.evaluate(() => (window as unknown as { fixtureSends: FixtureSend[] }).fixtureSends.slice());
}

export const SEND_CONFIRM = 'mailping-send-confirm >>> [role="alertdialog"]';
export const SEND_ANYWAY = 'mailping-send-confirm >>> button.mp-send';
export const CONFIRM_FIX = 'mailping-send-confirm >>> button.mp-fix';

export const confirmShown = (page: Page) => isShown(page, SEND_CONFIRM);

/** The confirm's lines, one per recipient that would bounce. */
export function confirmLines(page: Page): Promise<string[]> {
  return page.$$eval('mailping-send-confirm >>> li', (items) => items.map((li) => (li.textContent ?? '').trim()));
}

/** Ctrl+Enter, as a person presses it. */
export async function pressCtrlEnter(page: Page): Promise<void> {
  await page.keyboard.down('Control');
  await page.keyboard.press('Enter');
  await page.keyboard.up('Control');
}
