import { addressesIn, addressInAttributes } from './address-in-element';
import { kindFromLabel, kindFromName } from './recipient-labels';
import type { RecipientField, RecipientKind, RecipientToken } from './adapter';

/**
 * What every compose window has, whoever built it, read from semantics rather than class
 * names: recipient entries (where a person types an address) labelled To/Cc/Bcc, a subject
 * field, a body editor, and chips that each carry one address. The generic adapter is built
 * from these; the site adapters use them as fallbacks.
 */

/** Elements a person types a recipient into. */
export const ENTRY_SELECTOR =
  'input:not([type]), input[type="text"], input[type="email"], input[type="search"], textarea, [contenteditable=""], [contenteditable="true"], [role="combobox"], [role="textbox"]';

const SUBJECT_WORDS = /\b(?:subject|betreff|objet|asunto|oggetto|onderwerp|assunto|ämne|emne|aihe|temat|předmět|tárgy|konu|тема|件名|主题|主旨|제목)\b/iu;

function text(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** The text of the elements an aria-labelledby names. */
function labelledByText(el: Element): string {
  const ids = el.getAttribute('aria-labelledby');
  if (!ids) return '';
  const root = el.getRootNode() as Document | ShadowRoot;
  return ids
    .split(/\s+/)
    .map((id) => text(root.getElementById?.(id)))
    .join(' ');
}

/** The label a form control has through <label for> or by being inside a <label>. */
function labelText(el: Element): string {
  const labels = (el as HTMLInputElement).labels;
  return labels ? Array.from(labels, (l) => text(l)).join(' ') : '';
}

/** What an element says it is: its accessible labels and its id and name. */
function ownKind(el: Element): RecipientKind | null {
  return (
    kindFromLabel(el.getAttribute('aria-label')) ??
    kindFromLabel(labelledByText(el)) ??
    kindFromLabel(labelText(el)) ??
    kindFromLabel(el.getAttribute('placeholder')) ??
    kindFromLabel(el.getAttribute('title')) ??
    kindFromName(el.getAttribute('name')) ??
    kindFromName(el.id)
  );
}

/** A visible label among an element's children: "To" beside the chips (Roundcube, SOGo). */
function childLabelKind(el: Element): RecipientKind | null {
  for (const child of Array.from(el.children)) {
    const tag = child.localName;
    if (tag === 'label' || tag === 'th' || tag === 'dt' || child.getAttribute('role') === 'heading' || (tag === 'span' && child.childElementCount === 0)) {
      const kind = kindFromLabel(text(child));
      if (kind) return kind;
    }
  }
  return null;
}

/**
 * The recipient kind of an entry: its own labels, then what its containers say (a labelled
 * group, a "To" label next to it, a hidden field it stands in for), up to `levels` ancestors
 * and never past one that holds another entry.
 */
export function entryKind(entry: Element, others: readonly Element[], levels = 6): RecipientKind | null {
  const own = ownKind(entry);
  if (own) return own;
  let el = entry.parentElement;
  for (let i = 0; el && i < levels; i++, el = el.parentElement) {
    if (others.some((o) => o !== entry && el!.contains(o))) return null;
    const kind =
      kindFromLabel(el.getAttribute('aria-label')) ??
      kindFromLabel(labelledByText(el)) ??
      childLabelKind(el) ??
      // A form control this widget replaced (Roundcube keeps textarea#_to next to its chips).
      hiddenFieldKind(el, entry) ??
      kindFromName(el.id);
    if (kind) return kind;
  }
  return null;
}

function hiddenFieldKind(container: Element, entry: Element): RecipientKind | null {
  for (const field of Array.from(container.querySelectorAll('textarea, input'))) {
    if (field === entry) continue;
    const kind = kindFromName(field.getAttribute('name')) ?? kindFromName(field.id) ?? kindFromLabel(labelText(field));
    if (kind) return kind;
  }
  return null;
}

export function isSubjectField(el: Element): boolean {
  if (el.localName !== 'input') return false;
  const hints = `${el.getAttribute('name') ?? ''} ${el.id} ${el.getAttribute('aria-label') ?? ''} ${el.getAttribute('placeholder') ?? ''} ${labelText(el)}`;
  return SUBJECT_WORDS.test(hints.replace(/[_-]/g, ' '));
}

/** A message body editor: a rich editor (contenteditable or its iframe) or a big textarea. */
export function isBodyEditor(el: Element): boolean {
  if (el.localName === 'iframe') return true;
  // A recipient well can be a multi-line textbox too (Outlook's To): its label says which it is.
  if (kindFromLabel(el.getAttribute('aria-label'))) return false;
  if (el.localName === 'textarea') return (el as HTMLTextAreaElement).rows >= 4 || /body|text|message|content|editor/i.test(`${el.id} ${el.getAttribute('name')}`);
  const role = el.getAttribute('role');
  return el.getAttribute('contenteditable') === 'true' && (role === 'textbox' || el.getAttribute('aria-multiline') === 'true' || /body|message|editor/i.test(`${el.getAttribute('aria-label') ?? ''} ${el.className}`));
}

/** The smallest ancestor of an entry that also holds a subject field or a body editor: its compose window. */
export function composeRootOf(entry: Element, levels = 16): Element | null {
  let el = entry.parentElement;
  for (let i = 0; el && i < levels; i++, el = el.parentElement) {
    for (const candidate of Array.from(el.querySelectorAll('input, textarea, iframe, [contenteditable="true"]'))) {
      if (candidate === entry || entry.contains(candidate) || candidate.contains(entry)) continue;
      if (isSubjectField(candidate) || isBodyEditor(candidate)) return el;
    }
    if (el.localName === 'body') return null;
  }
  return null;
}

/**
 * The compose windows around some elements of theirs (recipient rows, entries): each element's
 * nearest `around` (the webmail's own compose container), else the smallest ancestor that also
 * holds a subject or a body. Each window once.
 */
export function composeRootsOf(elements: Iterable<Element>, around: string): Element[] {
  const roots = new Set<Element>();
  for (const el of elements) {
    const compose = el.closest(around) ?? composeRootOf(el);
    if (compose) roots.add(compose);
  }
  return [...roots];
}

/**
 * A field's recipients from its chips: each chip with the address `read` finds in it. A field
 * without the chips the adapter knows (another build of the webmail) falls back to the generic
 * chip finder (tokensInScope).
 */
export function chipTokens(field: RecipientField, chips: readonly Element[], read: (chip: Element) => string | null): RecipientToken[] {
  if (chips.length === 0) return tokensInScope(field.element, field.entry, field.kind);
  const tokens: RecipientToken[] = [];
  for (const chip of chips) {
    const address = read(chip);
    if (address && address.includes('@')) tokens.push({ kind: field.kind, address, element: chip });
  }
  return tokens;
}

/**
 * The whole field of an entry: its largest ancestor inside the compose window that holds no
 * other entry, no subject and no body, so the chips of this field are inside and nothing else is.
 */
export function fieldScopeOf(entry: Element, compose: Element, entries: readonly Element[]): Element {
  let scope: Element = entry;
  let el = entry.parentElement;
  while (el && el !== compose && compose.contains(el)) {
    const crowded =
      entries.some((o) => o !== entry && el!.contains(o)) ||
      Array.from(el.querySelectorAll('input, textarea, iframe, [contenteditable="true"]')).some(
        (c) => c !== entry && !entry.contains(c) && (isSubjectField(c) || isBodyEditor(c)),
      );
    if (crowded) break;
    scope = el;
    el = el.parentElement;
  }
  return scope;
}

/** Elements whose address evidence never counts: autocomplete lists the entry controls, and ours. */
function ignoredInside(entry: Element | null): Element[] {
  if (!entry) return [];
  const root = entry.getRootNode() as Document | ShadowRoot;
  const ids = `${entry.getAttribute('aria-controls') ?? ''} ${entry.getAttribute('aria-owns') ?? ''}`.split(/\s+/).filter((id) => id !== '');
  return ids.map((id) => root.getElementById?.(id)).filter((el): el is HTMLElement => !!el);
}

/**
 * The chips of a field, found by their addresses alone: every piece of evidence (an
 * address-bearing attribute, a text) climbs to the highest element that still holds just that
 * one address and not the entry. Whatever the markup (li, md-chip, div[role=option], span),
 * that element is the chip. What the person is typing is the entry's value, not an element,
 * so it is never a chip.
 */
export function tokensInScope(scope: Element, entry: Element | null, kind: RecipientKind): RecipientToken[] {
  const ignored = ignoredInside(entry);
  const addressesOf = new Map<Element, Set<string>>();
  const evidence: { el: Element; address: string }[] = [];
  const note = (el: Element, address: string) => {
    evidence.push({ el, address });
    for (let a: Element | null = el; a && a !== scope; a = a.parentElement) {
      let set = addressesOf.get(a);
      if (!set) addressesOf.set(a, (set = new Set()));
      set.add(address.toLowerCase());
    }
  };
  const walker = scope.ownerDocument.createTreeWalker(scope, 1 | 4 /* SHOW_ELEMENT | SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === 1) {
      const el = node as Element;
      if (el === entry || el.localName.startsWith('mailping-') || ignored.some((i) => i.contains(el))) continue;
      const address = addressInAttributes(el) ?? (el.localName === 'input' && (el as HTMLInputElement).type === 'hidden' ? addressesIn((el as HTMLInputElement).value)[0] : null);
      if (address) note(el, address);
    } else {
      const parent = node.parentElement;
      if (!parent || parent === entry || ignored.some((i) => i.contains(parent))) continue;
      for (const address of addressesIn(node.nodeValue ?? '')) note(parent, address);
    }
  }
  const tokens: RecipientToken[] = [];
  const seen = new Set<Element>();
  for (const { el, address } of evidence) {
    if (entry && el.contains(entry)) continue;
    let token: Element | null = null;
    for (let a: Element | null = el; a && a !== scope; a = a.parentElement) {
      if ((entry && a.contains(entry)) || (addressesOf.get(a)?.size ?? 0) !== 1) break;
      token = a;
    }
    if (!token || seen.has(token)) continue;
    seen.add(token);
    tokens.push({ kind, address, element: token });
  }
  return tokens;
}

const REMOVE_WORDS = /remove|delete|close|clear|entfernen|löschen|supprimer|retirer|eliminar|quitar|rimuovi|verwijder|ta bort|fjern|usuń|odebrat|удалить|削除|删除|삭제|[×✕✖✗]/i;

/** The control that removes a chip (its × button), or null when it has none we can tell. */
export function removeControlOf(token: Element): HTMLElement | null {
  const candidates = Array.from(token.querySelectorAll<HTMLElement>('button, [role="button"], a, [aria-label], [title]')).filter((c) => c !== token);
  for (const c of candidates) {
    const words = `${c.getAttribute('aria-label') ?? ''} ${c.getAttribute('title') ?? ''} ${c.getAttribute('data-testid') ?? ''} ${c.getAttribute('data-test-id') ?? ''} ${typeof c.className === 'string' ? c.className : ''} ${text(c)}`;
    if (REMOVE_WORDS.test(words)) return c;
  }
  return null;
}

/** "Send", "Send (Ctrl-Enter)", "Senden", "Envoyer"…: a Send control's label starts with it. */
const SEND_WORDS = /^\s*(?:send|senden|envoyer|enviar|invia|verzenden|skicka|send nu|lähetä|wyślij|odeslat|küldés|gönder|отправить|送信|发送|發送|보내기)(?!\p{L})/iu;
const CONTROL = 'button, [role="button"], a[href], input[type="submit"], input[type="button"]';

function controlLabel(el: Element): string {
  return el.getAttribute('aria-label') ?? el.getAttribute('data-tooltip') ?? el.getAttribute('title') ?? ((el as HTMLInputElement).value || text(el));
}

/** Whether a control's label says Send (not "Send later", a menu, or "Sending options"). */
export function isSendControl(el: Element): boolean {
  if (el.getAttribute('aria-haspopup') === 'true' || el.getAttribute('aria-haspopup') === 'menu') return false;
  const label = controlLabel(el);
  return SEND_WORDS.test(label) && !/later|schedule|options|sp[äa]ter|plus tard/i.test(label);
}

/**
 * The Send controls of a compose window: inside it, or in the nearest container around it that
 * has one (Roundcube's toolbar sits beside its form), never one that belongs to another compose
 * window on the page.
 */
export function sendControlsNear(compose: Element, levels = 4): Element[] {
  let el: Element | null = compose;
  for (let i = 0; el && i <= levels && el.localName !== 'body'; i++, el = el.parentElement) {
    const found = Array.from(el.querySelectorAll(CONTROL)).filter(isSendControl);
    if (found.length === 0) continue;
    // A container this wide holds other compose windows too: only the controls near this one count.
    const others = Array.from(el.querySelectorAll('form, [role="dialog"], [role="region"]')).filter((o) => o !== compose && !o.contains(compose) && !compose.contains(o));
    return found.filter((c) => compose.contains(c) || !others.some((o) => o.contains(c)));
  }
  return [];
}

/** The Send controls a site adapter knows by `selector`; by their label when this build has none. */
export function sendControlsBy(compose: Element, selector: string): Element[] {
  const own = Array.from(compose.querySelectorAll(selector)).filter((el) => el.getAttribute('aria-haspopup') !== 'true' && el.getAttribute('aria-haspopup') !== 'menu');
  return own.length > 0 ? own : sendControlsNear(compose);
}

/** Whether a Send control says Ctrl+Enter (or Cmd+Enter) sends: "Send (Ctrl-Enter)", aria-keyshortcuts. */
export function advertisesCtrlEnter(control: Element): boolean {
  const hints = `${control.getAttribute('aria-keyshortcuts') ?? ''} ${controlLabel(control)} ${control.getAttribute('title') ?? ''}`;
  return /(?:ctrl|control|cmd|command|meta|⌘)\s*[-+]\s*(?:enter|return)/i.test(hints);
}

/** Ctrl+Enter, or Cmd+Enter on a Mac: the keyboard's Send in the webmails. */
export function isCtrlEnter(event: KeyboardEvent): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
}
