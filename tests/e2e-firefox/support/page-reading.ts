/// <reference lib="dom" />
// (Code inside evaluate runs in the browser: it needs the DOM types.)
import type { Frame, Page } from 'puppeteer-core';

/**
 * Reading and typing into pages the way tests/e2e does with Playwright's locators, over
 * puppeteer's BiDi pages. Selectors may pierce open shadow roots with `>>>`. Every read is
 * "right now" (null when the element is not there), for expect.poll.
 */
type Scope = Page | Frame;

export async function attributeNow(scope: Scope, selector: string, name: string): Promise<string | null> {
  const element = await scope.$(selector);
  if (!element) return null;
  try {
    return await element.evaluate((el, n) => el.getAttribute(n), name);
  } finally {
    await element.dispose();
  }
}

export async function textNow(scope: Scope, selector: string): Promise<string | null> {
  const element = await scope.$(selector);
  if (!element) return null;
  try {
    return await element.evaluate((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
  } finally {
    await element.dispose();
  }
}

export async function countNow(scope: Scope, selector: string): Promise<number> {
  const elements = await scope.$$(selector);
  await Promise.all(elements.map((e) => e.dispose()));
  return elements.length;
}

export async function isShown(scope: Scope, selector: string): Promise<boolean> {
  const element = await scope.$(selector);
  if (!element) return false;
  try {
    return await element.isVisible();
  } finally {
    await element.dispose();
  }
}

/** Types like a person (one key at a time) into an emptied field, then leaves it with Tab. */
export async function typeAndLeave(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector);
  await page.$eval(selector, (el) => {
    (el as HTMLInputElement).value = '';
  });
  await page.type(selector, text, { delay: 15 });
  await page.keyboard.press('Tab');
  // The field's badge is the keyboard stop right after it: a second Tab moves on, as a person would.
  if (await page.evaluate(() => document.activeElement?.localName === 'mailping-badge')) await page.keyboard.press('Tab');
}

/** Types a recipient like a person and commits it with `commit` (Enter, a comma, Tab). */
export async function typeRecipient(page: Page, selector: string, address: string, commit = 'Enter'): Promise<void> {
  await page.click(selector);
  await page.type(selector, address, { delay: 10 });
  await page.keyboard.press(commit as Parameters<Page['keyboard']['press']>[0]);
}
