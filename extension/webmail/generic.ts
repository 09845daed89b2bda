import { addressAround, addressInAttributes } from './address-in-element';
import type { RecipientField, WebmailAdapter } from './adapter';
import {
  composeRootOf,
  ENTRY_SELECTOR,
  entryKind,
  fieldScopeOf,
  isBodyEditor,
  isSubjectField,
  sendControlsNear,
  tokensInScope,
  advertisesCtrlEnter,
} from './compose-structure';
import { replaceChip } from './recipient-fix';

/**
 * The adapter that needs no site knowledge, for webmails nobody wrote an adapter for. A compose
 * window is found from its subject field or body editor outward to the recipient entries
 * labelled To/Cc/Bcc (aria-label, <label>, a "To" beside the chips, the name of the field the
 * widget replaced); chips are found by the one address each carries (compose-structure.ts).
 * Proven on Roundcube's and SOGo's compose windows (tests/e2e/webmail-fixtures/).
 *
 * It runs on every page, so the first step is cheap and usually the last: no subject field and
 * no rich editor, no compose window.
 */

function usable(el: Element): boolean {
  if ((el as HTMLInputElement).disabled || (el as HTMLInputElement).readOnly) return false;
  const style = el.ownerDocument.defaultView?.getComputedStyle(el);
  // Hidden stand-ins (Roundcube keeps its original textarea#_to, transparent and off screen).
  return !style || (style.display !== 'none' && style.visibility !== 'hidden' && style.opacity !== '0');
}

function anchors(root: ParentNode): Element[] {
  return Array.from(root.querySelectorAll('input, textarea, [contenteditable="true"]')).filter((el) => isSubjectField(el) || (el.localName !== 'input' && isBodyEditor(el)));
}

/** The usable entries of a container that are not its subject or body. */
function entriesIn(root: ParentNode): Element[] {
  return Array.from(root.querySelectorAll(ENTRY_SELECTOR)).filter((el) => !isSubjectField(el) && !isBodyEditor(el) && usable(el));
}

export function genericFields(compose: Element): RecipientField[] {
  const entries = entriesIn(compose);
  const kinded = entries.map((entry) => ({ entry, kind: entryKind(entry, entries) })).filter((e) => e.kind !== null);
  const kindedEntries = kinded.map((e) => e.entry);
  return kinded.map(({ entry, kind }) => ({ kind: kind!, entry: entry as HTMLElement, element: fieldScopeOf(entry, compose, kindedEntries) }));
}

export const genericAdapter: WebmailAdapter = {
  name: 'webmail',
  matches: () => true,

  composeWindows(doc) {
    const roots = new Set<Element>();
    for (const anchor of anchors(doc)) {
      // Outward from the subject or editor to the nearest container with labelled recipient entries.
      let el = anchor.parentElement;
      for (let i = 0; el && i < 12 && el.localName !== 'body'; i++, el = el.parentElement) {
        const entries = entriesIn(el);
        if (entries.length === 0) continue;
        // Past the size of any compose form: this editor is something else (a chat box, a CMS).
        if (entries.length > 24) break;
        if (entries.some((entry) => entryKind(entry, entries) !== null)) {
          const first = entries.find((entry) => entryKind(entry, entries) !== null)!;
          roots.add(composeRootOf(first) ?? el);
          break;
        }
      }
    }
    return [...roots].filter((root) => ![...roots].some((other) => other !== root && other.contains(root)));
  },

  recipientFields: genericFields,

  recipientTokens: (field) => tokensInScope(field.element, field.entry, field.kind),

  replaceRecipient: (field, token, address) => replaceChip(token.element, field.entry, address),

  sendControls: (compose) => sendControlsNear(compose),
  // A webmail nobody wrote an adapter for may use Ctrl+Enter for something else: only when its
  // Send control says so.
  sendsOnCtrlEnter: (compose) => sendControlsNear(compose).some(advertisesCtrlEnter),

  messageAddressAt(target) {
    const link = target.closest('a[href^="mailto:" i]');
    if (link) {
      const address = addressInAttributes(link);
      return address ? { element: link, address } : null;
    }
    return addressAround(target, 2);
  },
};
