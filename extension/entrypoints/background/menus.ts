import { browser, type Browser } from 'wxt/browser';
import { addressFromMailto, findAddressIn } from '@/lib/address-extract';
import { askContent } from '@/lib/messaging';

/**
 * "Verify this email" on a selection, in an editable field, and on mailto: links. Two items,
 * because a link item without a URL filter would show on every link of the web. The result
 * appears where the person clicked (the content script's toast) and on the toolbar badge.
 */
export const MENU_TEXT = 'mailping-verify';
export const MENU_MAILTO = 'mailping-verify-mailto';
/**
 * On an address in an opened webmail message (a sender's name that carries the address, say):
 * hidden, and shown while the content script reports the pointer on such an address, so it
 * never clutters the menu anywhere else.
 */
export const MENU_ADDRESS = 'mailping-verify-address';
const TITLE = 'Verify this email';

function createItem(properties: Parameters<typeof browser.contextMenus.create>[0]): Promise<boolean> {
  return new Promise((resolve) => {
    browser.contextMenus.create(properties, () => resolve(!browser.runtime.lastError));
  });
}

/** Menus persist across worker restarts; they are (re)made on install and update only. */
export async function createMenus(): Promise<void> {
  await browser.contextMenus.removeAll();
  await createItem({ id: MENU_TEXT, title: TITLE, contexts: ['selection', 'editable'] });
  // A browser that refuses a mailto: URL pattern still verifies a selected link text.
  await createItem({ id: MENU_MAILTO, title: TITLE, contexts: ['link'], targetUrlPatterns: ['mailto:*'] });
  await createItem({ id: MENU_ADDRESS, title: TITLE, contexts: ['page', 'link', 'image'], visible: false });
  addressShown = null;
}

let addressShown: string | null = null;

/** Shows the address item while the pointer is on an address (null hides it). */
export async function showAddressItem(address: string | null): Promise<void> {
  if (address === addressShown) return;
  addressShown = address;
  try {
    await browser.contextMenus.update(MENU_ADDRESS, { visible: address !== null });
  } catch {
    // The menus are being re-made (an update): they start hidden.
  }
}

/** The address the item is shown for, if any (the end-to-end tests look). */
export function shownAddress(): string | null {
  return addressShown;
}

export interface MenuClick {
  menuItemId: string | number;
  linkUrl?: string;
  selectionText?: string;
  frameId?: number;
}

/** What the click itself tells; null for a field without a selected address (its content script knows). */
export function addressFromClick(info: MenuClick): string | null {
  if (info.menuItemId === MENU_MAILTO && info.linkUrl) return addressFromMailto(info.linkUrl);
  return info.selectionText ? findAddressIn(info.selectionText) : null;
}

export interface MenuDeps {
  /** Starts the check and shows it on the toolbar (null: nothing to check, clear the badge). */
  track(tabId: number, address: string | null): void;
}

export async function handleMenuClick(info: MenuClick, tab: Browser.tabs.Tab | undefined, deps: MenuDeps): Promise<void> {
  const tabId = tab?.id;
  if (tabId === undefined || tabId < 0) return;
  const frameId = info.frameId ?? 0;
  const address = addressFromClick(info);
  const target = { tabId, frameId };

  let answer = await askContent(target, 'showToast', { address });
  if (answer === null) {
    // No content script in that frame (the tab was open before MailPing was installed, or the
    // page is one it cannot run in): the click granted activeTab, so inject it now.
    try {
      await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: ['/content-scripts/content.js'] });
      answer = await askContent(target, 'showToast', { address });
    } catch {
      // A page no extension may script (the web store, about: pages): the toolbar still shows it.
    }
  }
  deps.track(tabId, answer?.address ?? address);
}
