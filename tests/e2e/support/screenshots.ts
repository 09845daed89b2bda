import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

/**
 * Screenshots of what the tests saw, for people to look at: tests/.artifacts/screenshots
 * (gitignored), or docs/images when `pnpm screenshots` runs the tests that take the documented ones.
 */
export const SCREENSHOT_DIR = process.env.MAILPING_SCREENSHOT_DIR
  ? `${process.env.MAILPING_SCREENSHOT_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../../.artifacts/screenshots/', import.meta.url));

export async function saveScreenshot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}${name}.png`;
  await page.screenshot({ path, clip: clip ?? (await contentBox(page)) });
  return path;
}

/** What the page's content covers (a popup or an options page is narrower than the viewport), with a margin. */
async function contentBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  return page.evaluate(() => {
    const rects = [...document.body.children].map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
    const right = Math.min(window.innerWidth, Math.max(0, ...rects.map((r) => r.right)) + 10);
    const bottom = Math.min(window.innerHeight, Math.max(0, ...rects.map((r) => r.bottom)) + 10);
    return rects.length === 0 ? { x: 0, y: 0, width: window.innerWidth, height: window.innerHeight } : { x: 0, y: 0, width: right, height: bottom };
  });
}

/** The area around a field, wide enough for its badge (and its popover when open, with `below`). */
export async function saveFieldScreenshot(page: Page, field: Locator, name: string, options: { below?: number } = {}): Promise<string> {
  const box = await field.boundingBox();
  if (!box) throw new Error(`no box for ${name}`);
  const viewport = page.viewportSize() ?? { width: 1000, height: 760 };
  const x = Math.max(0, box.x - 180);
  const y = Math.max(0, box.y - 12);
  const width = Math.min(viewport.width - x, box.width + 260);
  const height = Math.min(viewport.height - y, box.height + 24 + (options.below ?? 0));
  return saveScreenshot(page, name, { x, y, width, height });
}
