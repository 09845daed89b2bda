import type { Page, Worker } from 'playwright-core';
import { tabIdOf } from './extension-browser';

/**
 * The extension's context menu from its service worker: a native menu cannot be clicked by
 * automation, so the tests call the handler Chrome would call (the background exposes it as
 * `mailpingDebug`), in the tab of the page the person right-clicked.
 */
interface DebugWorker {
  mailpingDebug: { menuClicked(info: object, tab: object): Promise<void>; shownAddress(): string | null };
}

/** What Chrome does on a click of one of our items in `page` (`info` as Chrome passes it). */
export async function clickMenuItem(worker: Worker, page: Page, info: Record<string, unknown>): Promise<void> {
  const tabId = await tabIdOf(worker, page);
  await worker.evaluate(({ info, tabId }) => (globalThis as unknown as DebugWorker).mailpingDebug.menuClicked(info, { id: tabId }), { info, tabId });
}

/** A click of "Verify this email" on the address under the pointer (webmail messages). */
export function clickAddressMenu(worker: Worker, page: Page): Promise<void> {
  return clickMenuItem(worker, page, { menuItemId: 'mailping-verify-address', frameId: 0 });
}

/** The address the "Verify this email" item is shown for (null: hidden). */
export function menuAddress(worker: Worker): Promise<string | null> {
  return worker.evaluate(() => (globalThis as unknown as DebugWorker).mailpingDebug.shownAddress());
}
