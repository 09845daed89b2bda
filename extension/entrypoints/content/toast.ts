import { findAddressIn } from '@/lib/address-extract';
import { addressAround } from '@/webmail/address-in-element';
import type { BackgroundLink } from '@/lib/background-link';
import { DETAILS_CSS } from '@/lib/details-styles';
import type { CheckState } from '@/lib/messages';
import { buildDetails } from '@/lib/result-details';
import { createShadowHost, HOST_RESET, showInTopLayer } from '@/components/shadow-host';
import { displayState } from '@/components/badge/check-display';

/**
 * The context menu's answer, shown where the person right-clicked: a small card in a shadow
 * root (<mailping-toast data-verdict=…>) that follows the check from "checking" to the verdict
 * and closes by itself a while after the verdict, unless the pointer or the focus is on it.
 */
export const TOAST_TAG = 'mailping-toast';
const WIDTH = 320;
const LINGER_MS = 12_000;

const TOAST_CSS = `
.mp-card { position: fixed; inset: auto; margin: 0; overflow: visible; height: auto; color: #1f2328; box-sizing: border-box;
  width: ${WIDTH}px; max-width: calc(100vw - 16px); background: #ffffff; border: 1px solid #d0d7de; border-radius: 8px;
  padding: 10px 32px 8px 12px; box-shadow: 0 8px 24px rgba(66, 74, 83, 0.24); color-scheme: light; }
.mp-close { all: unset; position: absolute; top: 6px; right: 6px; width: 22px; height: 22px; border-radius: 4px; cursor: pointer;
  font: 400 18px/22px system-ui, sans-serif; text-align: center; color: #57606a; }
.mp-close:hover { background: #eaeef2; }
.mp-close:focus-visible { outline: 2px solid #0969da; }
${DETAILS_CSS}`;

interface ContextPoint {
  x: number;
  y: number;
  target: Element | null;
}

/** The address in a right-clicked field: the selected part if it holds one, else the whole value. */
export function addressInElement(target: Element | null): string | null {
  if (!target) return null;
  if (target.localName === 'input' || target.localName === 'textarea') {
    const field = target as HTMLInputElement;
    let selected = '';
    try {
      if (field.selectionStart !== null && field.selectionEnd !== null) selected = field.value.slice(field.selectionStart, field.selectionEnd);
    } catch {
      // type=email inputs have no selection API.
    }
    return findAddressIn(selected) ?? findAddressIn(field.value);
  }
  const editable = target.closest('[contenteditable]:not([contenteditable="false"])');
  if (editable) {
    const selection = target.ownerDocument.defaultView?.getSelection()?.toString() ?? '';
    return findAddressIn(selection) ?? findAddressIn(editable.textContent ?? '');
  }
  // An element that carries an address (a webmail's sender shown by name, with the address in
  // an attribute).
  return addressAround(target)?.address ?? null;
}

export class Toasts {
  #last: ContextPoint | null = null;
  #host: HTMLElement | null = null;
  #unwatch: (() => void) | null = null;
  #closeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly doc: Document,
    private readonly link: BackgroundLink,
    private readonly openOptions: () => void,
  ) {}

  /** Remembers where the context menu was opened (its click carries no coordinates). */
  rememberContextMenu(event: MouseEvent): void {
    const target = (event.composedPath()[0] as Element | undefined) ?? (event.target as Element | null);
    this.#last = { x: event.clientX, y: event.clientY, target: target?.nodeType === 1 ? target : null };
  }

  show(given: string | null, fresh = false): { shown: boolean; address: string | null } {
    const address = given ?? addressInElement(this.#last?.target ?? null);
    this.close();
    const { host, shadow } = createShadowHost(this.doc, TOAST_TAG, { css: TOAST_CSS });
    this.#host = host;
    const card = this.doc.createElement('div');
    card.className = 'mp-card';
    card.setAttribute('role', 'status');
    card.setAttribute('aria-live', 'polite');
    card.setAttribute('popover', 'manual');
    const close = this.doc.createElement('button');
    close.className = 'mp-close';
    close.type = 'button';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', () => this.close());
    const body = this.doc.createElement('div');
    card.append(close, body);
    shadow.append(card);
    host.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
    host.addEventListener('mouseenter', () => this.#holdOpen());
    host.addEventListener('focusin', () => this.#holdOpen());
    this.#place(host, card);
    this.doc.documentElement.append(host);
    showInTopLayer(card, true);

    if (address === null) {
      this.#render(host, body, '', null, 'Select an address, or right-click a field that holds one.');
      this.#scheduleClose(6000);
      return { shown: true, address: null };
    }
    this.#render(host, body, address, { kind: 'checking', stage: null });
    this.#unwatch = this.link.watch(address, fresh, (state) => {
      if (this.#host !== host) return;
      this.#render(host, body, address, state);
      if (state.kind === 'done' || state.kind === 'failed') {
        this.#unwatch?.();
        this.#unwatch = null;
        this.#scheduleClose(LINGER_MS);
      }
    });
    return { shown: true, address };
  }

  close(): void {
    this.#unwatch?.();
    this.#unwatch = null;
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.#host?.remove();
    this.#host = null;
  }

  #render(host: HTMLElement, body: HTMLElement, address: string, state: CheckState | null, message?: string): void {
    const verdict = state ? displayState(state) : 'invalid';
    host.dataset.verdict = verdict;
    const details = buildDetails(
      this.doc,
      {
        address,
        state: verdict,
        check: state,
        suggestion: state?.kind === 'done' ? state.result.suggestion : null,
        syntaxError: message ?? (state?.kind === 'failed' ? state.message : state?.kind === 'done' ? (state.result.syntax.error?.message ?? null) : null),
        status: this.link.status,
      },
      { openOptions: this.openOptions, recheck: () => this.show(address, true), isTrusted: (event) => event.isTrusted },
    );
    body.replaceChildren(details);
  }

  #place(host: HTMLElement, card: HTMLElement): void {
    const win = this.doc.defaultView;
    const vw = win?.innerWidth ?? 1024;
    const vh = win?.innerHeight ?? 768;
    const width = Math.min(WIDTH, vw - 16);
    const point = this.#last ?? { x: vw / 2, y: 80 };
    const left = Math.max(8, Math.min(vw - width - 8, point.x - 16));
    // Below the click, or above it when the click was low on the screen.
    const below = point.y + 14;
    const top = below + 180 <= vh ? below : Math.max(8, point.y - 14 - 180);
    host.style.cssText = `${HOST_RESET}z-index: 2147483647 !important; display: block !important; left: ${Math.round(left)}px !important; top: ${Math.round(top)}px !important;`;
    // The card itself goes to the top layer (above the page's overlays), at the same spot.
    card.style.left = `${Math.round(left)}px`;
    card.style.top = `${Math.round(top)}px`;
  }

  #holdOpen(): void {
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
  }

  #scheduleClose(ms: number): void {
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => {
      const host = this.#host;
      // Still in use: try again later.
      if (host && (host.matches(':hover') || host.matches(':focus-within'))) this.#scheduleClose(ms);
      else this.close();
    }, ms);
  }
}
