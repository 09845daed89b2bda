import { setFieldValue } from '@/components/badge/field-value';
import { removeControlOf } from './compose-structure';

/**
 * The one-click typo fix, done the way a person would do it, so the webmail's own state follows:
 * remove the chip with its × control, then give the corrected address to the field where a
 * person types (as a paste, which chip widgets turn into a chip; else typed, then Enter). Each
 * step uses the events the webmails listen to; nothing is written into their data directly.
 * Whether the new chip appeared is checked by the caller (compose-session.ts), which falls back
 * to copying the address when it did not.
 */

function press(target: HTMLElement, key: string, code: string, keyCode: number): void {
  const init = { key, code, keyCode, which: keyCode, bubbles: true, cancelable: true, composed: true };
  const win = target.ownerDocument.defaultView;
  const Ctor = win?.KeyboardEvent ?? KeyboardEvent;
  target.dispatchEvent(new Ctor('keydown', init));
  target.dispatchEvent(new Ctor('keypress', init));
  target.dispatchEvent(new Ctor('keyup', init));
}

/** Clicks like a pointer does: some widgets act on mousedown, others on click. */
export function clickLikeAPerson(el: HTMLElement): void {
  const win = el.ownerDocument.defaultView;
  const Mouse = win?.MouseEvent ?? MouseEvent;
  for (const type of ['mousedown', 'mouseup']) el.dispatchEvent(new Mouse(type, { bubbles: true, cancelable: true, composed: true, button: 0 }));
  el.click();
}

/** Enters an address where a person types recipients, and commits it. */
export function enterRecipient(entry: HTMLElement, address: string): void {
  const doc = entry.ownerDocument;
  const win = doc.defaultView;
  entry.focus();
  // A paste first: Gmail, Roundcube and Proton turn pasted addresses into chips themselves.
  try {
    const data = new (win?.DataTransfer ?? DataTransfer)();
    data.setData('text/plain', address);
    const paste = new (win?.ClipboardEvent ?? ClipboardEvent)('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true });
    entry.dispatchEvent(paste);
    if (paste.defaultPrevented) return;
  } catch {
    // No DataTransfer constructor here: type it instead.
  }
  if (entry instanceof (win?.HTMLInputElement ?? HTMLInputElement) || entry instanceof (win?.HTMLTextAreaElement ?? HTMLTextAreaElement)) {
    setFieldValue(entry as HTMLInputElement | HTMLTextAreaElement, address);
  } else {
    // A contenteditable field: insert at the end, as typing would.
    const selection = win?.getSelection();
    const range = doc.createRange();
    range.selectNodeContents(entry);
    range.collapse(false);
    selection?.removeAllRanges();
    selection?.addRange(range);
    if (!doc.execCommand('insertText', false, address)) entry.append(doc.createTextNode(address));
  }
  press(entry, 'Enter', 'Enter', 13);
}

/** Removes a chip with its own × control, then enters the replacement. False without a control. */
export function replaceChip(token: Element, entry: HTMLElement | null, address: string, remove = removeControlOf(token)): boolean {
  if (!remove || !entry) return false;
  clickLikeAPerson(remove);
  enterRecipient(entry, address);
  return true;
}

/** Replaces one entry of a plain text recipient field (a comma-separated list). */
export function replaceInTextField(field: HTMLInputElement | HTMLTextAreaElement, from: string, to: string): boolean {
  const at = field.value.toLowerCase().indexOf(from.toLowerCase());
  if (at < 0) return false;
  setFieldValue(field, field.value.slice(0, at) + to + field.value.slice(at + from.length));
  return true;
}
