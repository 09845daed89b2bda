import { onlyAddressIn } from './address-in-element';

/**
 * Recipients typed into a plain text field ("Alice <alice@example.com>, bob@example.com, ca"):
 * an entry counts as committed once a separator follows it, or once the person left the field;
 * the entry still being typed does not. Separators inside quotes or angle brackets do not split.
 */
export interface TextEntry {
  address: string;
  /** Index just past the entry's last non-space character. */
  end: number;
}

export function committedEntries(value: string, focused: boolean): TextEntry[] {
  const entries: TextEntry[] = [];
  let start = 0;
  let quoted = false;
  let angled = false;
  const close = (end: number, separated: boolean) => {
    const raw = value.slice(start, end);
    const address = onlyAddressIn(raw);
    if (address && (separated || !focused)) entries.push({ address, end: start + raw.trimEnd().length });
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === '<' && !quoted) angled = true;
    else if (c === '>' && !quoted) angled = false;
    else if ((c === ',' || c === ';' || c === '\n') && !quoted && !angled) {
      close(i, true);
      start = i + 1;
    }
  }
  close(value.length, false);
  return entries;
}

const COPIED = [
  'boxSizing', 'width', 'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth', 'paddingTop', 'paddingRight',
  'paddingBottom', 'paddingLeft', 'fontStyle', 'fontVariant', 'fontWeight', 'fontStretch', 'fontSize', 'lineHeight', 'fontFamily',
  'textAlign', 'textTransform', 'textIndent', 'letterSpacing', 'wordSpacing', 'tabSize',
] as const;

/** Measured offsets per field, valid while its value, width and font stay the same. */
const measured = new WeakMap<Element, { key: string; offsets: Map<number, { left: number; top: number; height: number }> }>();

/**
 * Where a character of a text field is drawn (viewport coordinates), measured on an invisible
 * copy of the field with the same box and font: the mark of a typed recipient sits right after it.
 */
export function caretRect(field: HTMLTextAreaElement | HTMLInputElement, index: number): { left: number; top: number; height: number } | null {
  const doc = field.ownerDocument;
  const style = doc.defaultView?.getComputedStyle(field);
  if (!style) return null;
  const rect = field.getBoundingClientRect();
  // Layout runs on every scrolled frame: measure once per text and size, then only move.
  const key = `${field.value}\u0000${rect.width}\u0000${style.font}`;
  let cache = measured.get(field);
  if (!cache || cache.key !== key) measured.set(field, (cache = { key, offsets: new Map() }));
  let offset = cache.offsets.get(index);
  if (!offset) {
    offset = measure(field, style, index);
    cache.offsets.set(index, offset);
  }
  return { left: rect.left + offset.left - field.scrollLeft, top: rect.top + offset.top - field.scrollTop, height: offset.height };
}

function measure(field: HTMLTextAreaElement | HTMLInputElement, style: CSSStyleDeclaration, index: number): { left: number; top: number; height: number } {
  const doc = field.ownerDocument;
  // One of ours (mailping-*): the observers that watch the page skip it.
  const mirror = doc.createElement('mailping-mirror');
  const ms = mirror.style;
  for (const prop of COPIED) ms[prop] = style[prop];
  ms.display = 'block';
  ms.position = 'absolute';
  ms.visibility = 'hidden';
  ms.top = '0';
  ms.left = '-9999px';
  ms.whiteSpace = field.localName === 'textarea' ? 'pre-wrap' : 'pre';
  ms.overflowWrap = 'break-word';
  ms.overflow = 'hidden';
  mirror.textContent = field.value.slice(0, index);
  const marker = doc.createElement('span');
  marker.textContent = '\u200b';
  mirror.append(marker);
  doc.documentElement.append(mirror);
  const result = { left: marker.offsetLeft, top: marker.offsetTop, height: marker.offsetHeight || Number.parseFloat(style.lineHeight) || 16 };
  mirror.remove();
  return result;
}
