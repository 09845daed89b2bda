import type { Frame, Locator, Page } from 'playwright-core';
import { attributeNow } from './attribute-now';

/** The inline badge of a field (by the field's id or name), in a page or a frame. */
export function badgeFor(scope: Page | Frame, field: string): Locator {
  return scope.locator(`mailping-badge[data-field="${field}"]`);
}

/** The badge's state now (null: no badge), for expect.poll. */
export const badgeVerdict = (scope: Page | Frame, field: string) => attributeNow(badgeFor(scope, field), 'data-verdict');

/**
 * Types like a person (one key at a time) into an emptied field, then leaves it with Tab; a second
 * Tab when the first one stopped at the field's badge (the badge is the stop right after its field).
 */
export async function typeAndLeave(scope: Page | Frame, selector: string, text: string): Promise<void> {
  const field = scope.locator(selector);
  await field.click();
  await field.fill('');
  await field.pressSequentially(text, { delay: 15 });
  await field.press('Tab');
  const onBadge = await scope.evaluate(() => document.activeElement?.localName === 'mailping-badge');
  if (onBadge) await ('keyboard' in scope ? scope : scope.page()).keyboard.press('Tab');
}
