import { browser } from 'wxt/browser';
import type { CheckState } from '@/lib/messages';
import { checkHeadline } from '@/lib/verdict-words';

/**
 * The toolbar icon's badge for a tab: the context menu's last result at a glance (the popup
 * has the details). Shapes differ as well as colours, so the badge reads without colour vision.
 */
export interface ToolbarLook {
  text: string;
  color: string;
}

export function toolbarLook(state: CheckState): ToolbarLook {
  switch (state.kind) {
    case 'checking':
      return { text: '…', color: '#0969da' };
    case 'waiting':
      return { text: 'off', color: '#57606a' };
    case 'failed':
      return { text: '!', color: '#57606a' };
    case 'done':
      switch (state.result.verdict) {
        case 'deliverable':
          return { text: '✓', color: '#1a7f37' };
        case 'undeliverable':
          return { text: '✗', color: '#cf222e' };
        case 'risky':
          return { text: '!', color: '#9a6700' };
        case 'unknown':
          return { text: '?', color: '#57606a' };
      }
  }
}

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
