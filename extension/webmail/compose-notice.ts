import { attachHost, createShadowHost, showInTopLayer } from '@/components/shadow-host';
import { createIcon } from '@/lib/verdict-icons';
import { suggestionText } from '@/lib/verdict-words';
import { KIND_LABELS } from './recipient-labels';
import type { NoticeEntry } from './notice-model';
import { noticeTitle } from './notice-model';

/**
 * The compact notice of a compose window: the recipients that would bounce or may not arrive,
 * why, and a one-click fix for a typo. It floats over the compose window just below its
 * recipient fields, right-aligned, in a shadow root (px units, fixed colours), and never holds
 * up sending: it only informs. It can be folded to its headline or dismissed (until the list
 * changes); its buttons answer the person's own clicks only.
 */
export const NOTICE_TAG = 'mailping-notice';
const WIDTH = 320;

const CSS = `
.mp-card { position: fixed; inset: auto; margin: 0; box-sizing: border-box; width: ${WIDTH}px; max-width: calc(100vw - 16px);
  display: flex; flex-direction: column;
  background: #fff; color: #1f2328; border: 1px solid #d4a72c; border-left: 4px solid #d4a72c; border-radius: 8px;
  padding: 8px 10px; box-shadow: 0 6px 18px rgba(66, 74, 83, 0.22); color-scheme: light; overflow: visible; height: auto;
  font: 400 13px/18px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; text-align: left; }
.mp-card[data-worst="undeliverable"], .mp-card[data-worst="invalid"] { border-color: #cf222e; }
.mp-head { display: flex; align-items: center; gap: 6px; }
.mp-head strong { flex: 1; font-weight: 600; font-size: 13px; }
.mp-card button { all: unset; box-sizing: border-box; cursor: pointer; border-radius: 6px; font: 500 12px/16px system-ui, sans-serif; }
.mp-card button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
.mp-card .mp-icon-button { width: 22px; height: 22px; text-align: center; font-size: 16px !important; line-height: 22px !important; color: #57606a; }
.mp-card .mp-icon-button:hover { background: #eaeef2; }
.mp-list { list-style: none; margin: 6px 0 0 0; padding: 0; max-height: 220px; overflow: auto; flex: 1 1 auto; min-height: 0; }
.mp-list[hidden] { display: none; }
.mp-list li { display: grid; grid-template-columns: 16px 1fr; column-gap: 6px; align-items: start; padding: 4px 0; border-top: 1px solid #eaeef2; }
.mp-list li > svg { margin-top: 1px; }
.mp-addr { font: 500 12px/16px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.mp-why { display: block; color: #57606a; font-size: 12px; line-height: 16px; }
.mp-card .mp-fix { grid-column: 2; justify-self: start; margin-top: 3px; padding: 2px 8px; background: #fff8c5; border: 1px solid #d4a72c !important; color: #1f2328; }
.mp-card .mp-fix:hover { background: #fae17d; }
.mp-message { margin: 6px 0 0 0; font-size: 12px; color: #57606a; }
.mp-message:empty { display: none; }
`;

export interface NoticeActions {
  /** The person picked a suggestion: fix the chip (or copy the address when that cannot be done). */
  fix(entry: NoticeEntry): void;
  isTrusted(event: Event): boolean;
}

export class ComposeNotice {
  readonly host: HTMLElement;
  readonly #card: HTMLElement;
  readonly #title: HTMLElement;
  readonly #list: HTMLUListElement;
  readonly #toggle: HTMLButtonElement;
  readonly #message: HTMLElement;
  readonly #headIcon: HTMLElement;
  #entries: NoticeEntry[] = [];
  #dismissedFor: string | null = null;
  #shown = false;

  constructor(
    private readonly doc: Document,
    private readonly actions: NoticeActions,
    private readonly canFix: boolean,
  ) {
    const { host, shadow } = createShadowHost(doc, NOTICE_TAG, { css: CSS, hostStyle: 'z-index: 2147483646 !important; display: none !important;' });
    this.host = host;
    this.#card = this.#el('section', 'mp-card');
    this.#card.setAttribute('role', 'region');
    this.#card.setAttribute('aria-label', 'MailPing: recipients to look at');
    this.#card.setAttribute('popover', 'manual');
    const head = this.#el('div', 'mp-head');
    this.#headIcon = this.#el('span', '');
    this.#title = this.#el('strong', '');
    this.#toggle = this.#button('mp-icon-button', '▾', () => this.#fold(!this.#list.hidden));
    this.#toggle.setAttribute('aria-expanded', 'true');
    this.#toggle.setAttribute('aria-label', 'Hide the list');
    const close = this.#button('mp-icon-button', '×', () => this.dismiss());
    close.setAttribute('aria-label', 'Dismiss until the recipients change');
    head.append(this.#headIcon, this.#title, this.#toggle, close);
    this.#list = this.doc.createElement('ul');
    this.#list.className = 'mp-list';
    this.#message = this.#el('p', 'mp-message');
    this.#message.setAttribute('role', 'status');
    this.#card.append(head, this.#list, this.#message);
    shadow.append(this.#card);
  }

  get visible(): boolean {
    return this.#shown;
  }

  get entries(): readonly NoticeEntry[] {
    return this.#entries;
  }

  render(entries: NoticeEntry[]): void {
    const key = entries.map((e) => `${e.address}|${e.state}|${e.suggestion ?? ''}`).join(',');
    if (this.#dismissedFor !== null && this.#dismissedFor !== key) this.#dismissedFor = null;
    this.#entries = entries;
    this.#card.dataset.key = key;
    // Red when a recipient would bounce; amber for risky ones and typos alone.
    const worst = entries.some((e) => e.state === 'undeliverable' || e.state === 'invalid') ? 'undeliverable' : 'risky';
    this.#card.dataset.worst = worst;
    this.#title.textContent = noticeTitle(entries.length);
    this.#headIcon.replaceChildren(createIcon(this.doc, worst, 16));
    this.#list.replaceChildren(...entries.map((entry) => this.#row(entry)));
  }

  /** A line under the list: what happened to the last fix. */
  say(text: string): void {
    this.#message.textContent = text;
  }

  dismiss(): void {
    this.#dismissedFor = this.#card.dataset.key ?? '';
    this.place(null);
  }

  /** Puts the notice below `fields` (the recipient area), inside `compose`; null hides it. */
  place(area: { compose: DOMRect; fields: DOMRect } | null, viewport = { width: 1024, height: 768 }): void {
    const wanted = area !== null && this.#entries.length > 0 && this.#dismissedFor === null && area.compose.width > 0 && area.fields.height > 0;
    if (!wanted) {
      if (this.#shown) {
        showInTopLayer(this.#card, false);
        this.host.style.setProperty('display', 'none', 'important');
        this.#shown = false;
      }
      return;
    }
    attachHost(this.doc, this.host);
    const width = Math.min(WIDTH, viewport.width - 16, Math.max(220, area.compose.width - 16));
    const left = Math.max(8, Math.min(viewport.width - width - 8, Math.min(area.compose.right, viewport.width) - width - 8));
    // Below the recipient fields (and subject), as tall as the window leaves room for (the
    // list scrolls); above them only when there is no room at all below.
    const below = area.fields.bottom + 6;
    const room = viewport.height - below - 8;
    this.#card.style.maxHeight = room >= 64 ? `${Math.round(room)}px` : '';
    const height = this.#card.getBoundingClientRect().height || 90;
    const top = room >= 64 ? below : Math.max(8, area.fields.top - height - 6);
    this.host.style.setProperty('display', 'block', 'important');
    this.#card.style.left = `${Math.round(left)}px`;
    this.#card.style.top = `${Math.round(top)}px`;
    this.#card.style.width = `${Math.round(width)}px`;
    if (!this.#shown) showInTopLayer(this.#card, true);
    this.#shown = true;
  }

  destroy(): void {
    this.host.remove();
  }

  #row(entry: NoticeEntry): HTMLLIElement {
    const li = this.doc.createElement('li');
    li.dataset.address = entry.address;
    li.dataset.verdict = entry.state;
    const text = this.#el('div', '');
    const addr = this.#el('span', 'mp-addr');
    addr.textContent = entry.address;
    const why = this.#el('span', 'mp-why');
    why.textContent = `${KIND_LABELS[entry.kind]}: ${entry.reason}`;
    text.append(addr, why);
    li.append(createIcon(this.doc, entry.state, 16), text);
    if (entry.suggestion) {
      const label = this.canFix ? suggestionText(entry.suggestion) : `${suggestionText(entry.suggestion)} Copy it`;
      li.append(this.#button('mp-fix', label, () => this.actions.fix(entry)));
    }
    return li;
  }

  #fold(folded: boolean): void {
    this.#list.hidden = folded;
    this.#toggle.textContent = folded ? '▸' : '▾';
    this.#toggle.setAttribute('aria-expanded', String(!folded));
    this.#toggle.setAttribute('aria-label', folded ? 'Show the list' : 'Hide the list');
  }

  #el(tag: string, className: string): HTMLElement {
    const el = this.doc.createElement(tag);
    if (className) el.className = className;
    return el;
  }

  #button(className: string, text: string, onClick: () => void): HTMLButtonElement {
    const b = this.doc.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    // The focus stays where the person types.
    b.addEventListener('mousedown', (e) => e.preventDefault());
    b.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      if (this.actions.isTrusted(e)) onClick();
    });
    return b;
  }
}
