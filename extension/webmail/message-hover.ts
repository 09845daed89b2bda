import type { BackgroundLink } from '@/lib/background-link';
import type { CheckState, DaemonStatusView } from '@/lib/messages';
import { buildDetails, describeState } from '@/lib/result-details';
import { BadgeElement } from '@/components/badge/badge-element';
import { displayState } from '@/components/badge/check-display';
import type { IconState } from '@/lib/verdict-icons';
import type { MessageAddress } from './adapter';
import { kindFromLabel } from './recipient-labels';
import { MARK_TAG } from './recipient-mark';

/**
 * Addresses in an opened message (the sender, the recipients): a small mark appears next to
 * the one under the pointer (after a short hover) or the focus, and a click on it verifies the
 * address. One mark at a time and nothing checked without that click, so a long thread never
 * sets off a check per address on screen. The hovered address is also reported to the
 * background, which shows "Verify this email" in the context menu while it is there.
 *
 * On a page MailPing knows nothing about, only addresses in a header line count (next to a
 * "From", "To" or "Cc" label), and known results are not shown before the click (the page
 * must not learn what the person checked before).
 */
const SHOW_MS = 300;
const HIDE_MS = 900;
const SIZE = 16;
const HEADER_LABEL = /^(?:from|to|cc|bcc|reply-to|sender|von|an|de|à|da|a|para|van|aan|från|till|fra|til|od|do|от|кому|差出人|宛先|发件人|收件人)\s*:?$/i;

export interface MessageHoverOptions {
  doc: Document;
  link: BackgroundLink;
  /** The address at a pointer target, per the adapter; null for none. */
  addressAt(target: Element): MessageAddress | null;
  /** A webmail's own host: no header-line test, and known results show at once. */
  trustedHost: boolean;
  /** Targets inside compose recipient fields are the marks' business. */
  inCompose(el: Element): boolean;
  reportHover(address: string | null): void;
  openOptions(): void;
  isTrusted?(event: Event): boolean;
}

/**
 * An address element in a message header: a "From"/"To" label beside it, or the header's
 * subject heading and date a few levels up (a sender shown with an avatar and no label).
 */
export function inHeaderLine(el: Element): boolean {
  let a: Element | null = el;
  for (let i = 0; a && i < 6; i++, a = a.parentElement) {
    if (HEADER_LABEL.test((a.getAttribute('aria-label') ?? '').split(/[:\s]/)[0] ?? '')) return true;
    for (const child of i < 4 ? Array.from(a.children) : []) {
      if (child === el || child.contains(el) || child.childElementCount > 1) continue;
      const text = (child.textContent ?? '').trim();
      if (text.length < 12 && (HEADER_LABEL.test(text) || kindFromLabel(text) !== null)) return true;
    }
    if (i >= 2 && a.querySelector('time') && a.querySelector('h1, h2, h3, h4, h5, h6, [role="heading"]')) return true;
  }
  return false;
}

interface Shown {
  target: MessageAddress;
  mark: BadgeElement;
  unwatch: (() => void) | null;
  state: IconState;
  check: CheckState | null;
}

export class MessageHover {
  readonly #abort = new AbortController();
  #current: Shown | null = null;
  #showTimer: ReturnType<typeof setTimeout> | null = null;
  #hideTimer: ReturnType<typeof setTimeout> | null = null;
  #reported: string | null = null;

  constructor(private readonly options: MessageHoverOptions) {}

  start(): void {
    const { doc } = this.options;
    const opts = { capture: true, passive: true, signal: this.#abort.signal };
    doc.addEventListener('pointerover', (e) => this.#over(e.composedPath()[0] as Element, false), opts);
    doc.addEventListener('focusin', (e) => this.#over(e.composedPath()[0] as Element, true), opts);
    doc.addEventListener('scroll', () => this.#hide(), opts);
  }

  stop(): void {
    this.#abort.abort();
    this.#hide();
    if (this.#showTimer) clearTimeout(this.#showTimer);
    if (this.#hideTimer) clearTimeout(this.#hideTimer);
    this.#report(null);
  }

  /** The address mark on screen now (tests). */
  get mark(): BadgeElement | null {
    return this.#current?.mark ?? null;
  }

  #find(target: Element): MessageAddress | null {
    if (!target || target.nodeType !== 1 || target.localName.startsWith('mailping-')) return null;
    let found: MessageAddress | null = null;
    try {
      found = this.options.addressAt(target);
    } catch {
      return null;
    }
    if (!found || this.options.inCompose(found.element)) return null;
    if (!this.options.trustedHost && !inHeaderLine(found.element)) return null;
    return found;
  }

  #over(target: Element, focused: boolean): void {
    if (target?.localName === MARK_TAG) {
      if (this.#hideTimer) clearTimeout(this.#hideTimer);
      return;
    }
    const found = this.#find(target);
    // A mailto: link has its own menu item.
    this.#report(found && !found.element.closest('a[href^="mailto:" i]') ? found.address : null);
    if (this.#showTimer) clearTimeout(this.#showTimer);
    if (!found) {
      if (this.#current && !this.#current.target.element.contains(target)) this.#scheduleHide();
      return;
    }
    if (this.#hideTimer) clearTimeout(this.#hideTimer);
    if (this.#current?.target.element === found.element) return;
    this.#showTimer = setTimeout(() => this.#show(found), focused ? 0 : SHOW_MS);
  }

  #report(address: string | null): void {
    if (address === this.#reported) return;
    this.#reported = address;
    this.options.reportHover(address);
  }

  #show(target: MessageAddress): void {
    this.#hide();
    const { doc, link } = this.options;
    const mark = new BadgeElement(doc, MARK_TAG);
    mark.host.dataset.address = target.address;
    mark.host.dataset.role = 'message';
    const current: Shown = { target, mark, unwatch: null, state: 'idle', check: null };
    this.#current = current;
    const render = () => {
      const title = current.check ? describeState(this.#model(current)).title : 'Click to verify';
      mark.render({ state: current.state, label: `MailPing, ${target.address}: ${title}.` });
      if (mark.popoverOpen) this.#open();
    };
    const update = (state: CheckState | null) => {
      if (this.#current !== current || !state) return;
      current.check = state;
      current.state = displayState(state);
      render();
    };
    render();
    this.#place();
    if (this.options.trustedHost) void link.peek(target.address).then((state) => state?.kind === 'done' && update(state));
    const host = mark.host;
    host.addEventListener('mouseleave', () => this.#scheduleHide());
    host.addEventListener('mousedown', (e) => e.preventDefault());
    const verify = (e: Event) => {
      e.preventDefault();
      e.stopPropagation();
      if (!(this.options.isTrusted ?? ((ev: Event) => ev.isTrusted))(e)) return;
      if (!current.unwatch || current.check?.kind === 'done') {
        current.unwatch?.();
        current.state = 'checking';
        current.check = { kind: 'checking', stage: null };
        current.unwatch = link.watch(target.address, current.unwatch !== null, update);
      }
      render();
      this.#open();
    };
    host.addEventListener('click', verify);
    host.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') verify(e);
      else if (e.key === 'Escape') this.#hide();
    });
  }

  #model(current: Shown) {
    return {
      address: current.target.address,
      state: current.state,
      check: current.check,
      suggestion: current.check?.kind === 'done' ? current.check.result.suggestion : null,
      syntaxError: current.check?.kind === 'failed' ? current.check.message : null,
      status: this.options.link.status as DaemonStatusView | null,
    };
  }

  #place(): void {
    const current = this.#current;
    if (!current) return;
    const rect = current.target.element.getBoundingClientRect();
    const win = this.options.doc.defaultView;
    const vw = win?.innerWidth ?? 1024;
    if (rect.width === 0 || rect.height === 0) return this.#hide();
    // On the element's top-right corner, like a chip's mark: the text after it stays readable.
    const x = Math.min(vw - SIZE, rect.right - SIZE / 2);
    current.mark.place({ x: Math.round(x), y: Math.round(Math.max(0, rect.top - SIZE * 0.6)), size: SIZE, side: 'outside' });
  }

  #open(): void {
    const current = this.#current;
    if (!current) return;
    const win = this.options.doc.defaultView;
    const details = buildDetails(this.options.doc, this.#model(current), {
      isTrusted: (e) => (this.options.isTrusted ?? ((ev: Event) => ev.isTrusted))(e),
      openOptions: () => this.options.openOptions(),
    });
    if (!current.check) {
      const meaning = details.querySelector('.mp-meaning');
      if (meaning) meaning.textContent = 'Click the mark to verify this address.';
    }
    current.mark.openPopover(details, current.target.element.getBoundingClientRect(), { width: win?.innerWidth ?? 1024, height: win?.innerHeight ?? 768 });
  }

  #scheduleHide(): void {
    if (this.#hideTimer) clearTimeout(this.#hideTimer);
    this.#hideTimer = setTimeout(() => {
      const current = this.#current;
      if (!current) return;
      const host = current.mark.host;
      if (host.matches(':hover') || host.matches(':focus-within') || current.target.element.matches(':hover')) return this.#scheduleHide();
      this.#hide();
    }, HIDE_MS);
  }

  #hide(): void {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    current.unwatch?.();
    current.mark.destroy();
  }
}
