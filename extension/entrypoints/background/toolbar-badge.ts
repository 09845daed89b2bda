import { browser } from 'wxt/browser';
import type { CheckState } from '@/lib/messages';
import { toolbarLook } from '@/components/badge/check-display';
import { checkHeadline } from '@/lib/verdict-words';

/** The toolbar icon's badge for a tab: the context menu's last result at a glance (the popup has the details). */
export async function showOnToolbar(tabId: number, address: string, state: CheckState): Promise<void> {
  const look = toolbarLook(state);
  try {
    await Promise.all([
      browser.action.setBadgeText({ tabId, text: look.text }),
      browser.action.setBadgeBackgroundColor({ tabId, color: look.color }),
      browser.action.setTitle({ tabId, title: `MailPing: ${address} — ${checkHeadline(state)}` }),
    ]);
  } catch {
    // The tab closed meanwhile.
  }
}

export async function clearToolbar(tabId: number): Promise<void> {
  try {
    await Promise.all([browser.action.setBadgeText({ tabId, text: '' }), browser.action.setTitle({ tabId, title: 'MailPing' })]);
  } catch {
    // The tab closed meanwhile.
  }
}
