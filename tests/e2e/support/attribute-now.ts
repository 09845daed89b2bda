import type { Locator } from 'playwright-core';

/**
 * An attribute's value right now, or null when the element is not there: for expect.poll,
 * where Playwright's own waiting (up to its default timeout per call) would stretch each poll.
 */
export async function attributeNow(locator: Locator, name: string): Promise<string | null> {
  return (await locator.count()) === 0 ? null : locator.first().getAttribute(name);
}
