import type { CheckState } from '@/lib/messages';
import { ICON_COLORS, type IconState } from '@/lib/verdict-icons';

/**
 * The one mapping from what the background knows about an address to what MailPing shows: the
 * badge and the recipient marks, the context menu's toast, the popup's rows and the toolbar icon
 * all go through `displayState`, then draw that state their way (verdict-icons.ts for the icon,
 * verdict-words.ts for the words, TOOLBAR_TEXT here for the toolbar's few characters).
 */
export type DisplayState = IconState;

export function displayState(check: CheckState | null): DisplayState {
  if (!check) return 'idle';
  switch (check.kind) {
    case 'checking':
      return 'checking';
    case 'waiting':
      return 'offline';
    case 'failed':
      return check.code === 'invalid_address' ? 'invalid' : 'unknown';
    case 'done':
      return check.result.reason === 'invalid_syntax' ? 'invalid' : check.result.verdict;
  }
}

/** A state in two or three words, where a whole sentence does not fit (the popup's lists). */
export const SHORT_WORDS: Record<DisplayState, string> = {
  idle: 'not checked',
  checking: 'checking…',
  deliverable: 'deliverable',
  undeliverable: 'undeliverable',
  risky: 'risky',
  unknown: 'unknown',
  offline: 'waiting for daemon',
  invalid: 'not an address',
};

/** The toolbar icon's badge text: shapes differ as well as colours, so it reads without colour vision. */
export const TOOLBAR_TEXT: Record<DisplayState, string> = {
  idle: '',
  checking: '…',
  deliverable: '✓',
  undeliverable: '✗',
  risky: '!',
  unknown: '?',
  offline: 'off',
  invalid: '✗',
};

export function toolbarLook(check: CheckState): { text: string; color: string } {
  const state = displayState(check);
  return { text: TOOLBAR_TEXT[state], color: ICON_COLORS[state] };
}
