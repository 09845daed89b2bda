import { DETAILS_CSS } from '@/lib/details-styles';
import { createIcon, type IconState } from '@/lib/verdict-icons';
import { attachShadowRoot, hostElement, showInTopLayer } from '../shadow-host';
import type { Placement } from './badge-position';

/**
 * The badge's view: a <mailping-badge> host element on top of the page (a child of <html>, so no
 * page container clips or shifts it) whose shadow root holds the icon and the details popover.
 * The host is focusable with role="button" and an aria-label that says the verdict;
 * data-verdict carries the state for people and tests alike. (Finished checks are announced by
 * the page's live region, components/live-region.ts: a live region inside a button would not be
 * read.) Isolated from the page as everything MailPing shows is (components/shadow-host.ts).
 */
export const BADGE_TAG = 'mailping-badge';

const HOST_STYLE =
  'z-index: 2147483647 !important; margin: 0 !important; padding: 0 !important; border: 0 !important; ' +
  'box-sizing: border-box !important; pointer-events: auto !important; cursor: pointer !important; ';

const BADGE_CSS = `
:host(:focus-visible) { outline: 2px solid #0969da !important; outline-offset: 1px !important; border-radius: 50% !important; }
.mp-icon { display: block; width: 100%; height: 100%; }
.mp-icon svg { display: block; width: 100%; height: 100%; }
.mp-popover { position: fixed; inset: auto; box-sizing: border-box; width: 300px; height: auto; max-width: calc(100vw - 16px);
  margin: 0; overflow: visible; background: #ffffff; color: #1f2328; border: 1px solid #d0d7de; border-radius: 8px;
  padding: 10px 12px; box-shadow: 0 8px 24px rgba(66, 74, 83, 0.24); color-scheme: light; cursor: auto; z-index: 2147483647; }
.mp-popover[hidden] { display: none; }
${DETAILS_CSS}`;

export interface BadgeView {
  state: IconState;
  /** What a screen reader says for the host, e.g. "MailPing: alice@example.com is deliverable". */
  label: string;
}

export class BadgeElement {
  readonly host: HTMLElement;
  /** Built the first time the badge is shown: most fields of a page never need one. */
  #parts: { icon: HTMLElement; popover: HTMLElement } | null = null;
  #state: IconState = 'idle';
  #iconState: IconState | null = null;
  #placement: Placement | null = null;

  /** `tag`: webmail recipient marks reuse the badge under their own name (webmail/recipient-mark.ts). */
  constructor(
    private readonly doc: Document,
    tag: string = BADGE_TAG,
  ) {
    this.host = hostElement(doc, tag, `${HOST_STYLE}display: none !important;`);
    this.host.setAttribute('role', 'button');
    this.host.setAttribute('tabindex', '0');
    this.host.setAttribute('aria-haspopup', 'dialog');
    this.host.setAttribute('aria-expanded', 'false');
  }

  #ensureParts(): { icon: HTMLElement; popover: HTMLElement } {
    if (this.#parts) return this.#parts;
    const shadow = attachShadowRoot(this.host, BADGE_CSS);
    const icon = this.doc.createElement('span');
    icon.className = 'mp-icon';
    const popover = this.doc.createElement('div');
    popover.className = 'mp-popover';
    popover.setAttribute('role', 'dialog');
    popover.setAttribute('aria-label', 'MailPing details');
    // The top layer: above the page's own overlays and the other badges, whatever their z-index.
    popover.setAttribute('popover', 'manual');
    popover.hidden = true;
    shadow.append(icon, popover);
    this.#parts = { icon, popover };
    this.#drawIcon();
    return this.#parts;
  }

  #drawIcon(): void {
    if (!this.#parts || this.#iconState === this.#state) return;
    this.#iconState = this.#state;
    this.#parts.icon.replaceChildren(createIcon(this.doc, this.#state, 16));
  }

  get popoverOpen(): boolean {
    return this.#parts !== null && !this.#parts.popover.hidden;
  }

  render(view: BadgeView): void {
    this.host.dataset.verdict = view.state;
    this.host.setAttribute('aria-label', view.label);
    this.#state = view.state;
    this.#drawIcon();
  }

  /** Where the badge goes; null hides it. */
  place(placement: Placement | null): void {
    const same =
      placement !== null &&
      this.#placement !== null &&
      placement.x === this.#placement.x &&
      placement.y === this.#placement.y &&
      placement.size === this.#placement.size;
    if (same || (placement === null && this.#placement === null)) return;
    this.#placement = placement;
    const style = this.host.style;
    if (placement === null) {
      style.setProperty('display', 'none', 'important');
      this.closePopover();
      return;
    }
    this.#ensureParts();
    // Joined to the page the first time it is shown: a field nobody touches costs the page nothing.
    if (!this.host.isConnected) this.doc.documentElement.append(this.host);
    // Only what moves is written (this runs on every scrolled frame); the reset stays as set.
    style.setProperty('left', `${placement.x}px`, 'important');
    style.setProperty('top', `${placement.y}px`, 'important');
    style.setProperty('width', `${placement.size}px`, 'important');
    style.setProperty('height', `${placement.size}px`, 'important');
    style.setProperty('display', 'block', 'important');
  }

  get placement(): Placement | null {
    return this.#placement;
  }

  /** Shows `content` in the popover, next to `anchor` (the field's rectangle). */
  openPopover(content: HTMLElement, anchor: DOMRect, viewport: { width: number; height: number }): void {
    const { popover } = this.#ensureParts();
    popover.replaceChildren(content);
    popover.hidden = false;
    showInTopLayer(popover, true);
    this.host.setAttribute('aria-expanded', 'true');
    this.#positionPopover(anchor, viewport);
  }

  /** Re-renders an open popover in place. */
  updatePopover(content: HTMLElement, anchor: DOMRect, viewport: { width: number; height: number }): void {
    if (!this.popoverOpen) return;
    this.#parts!.popover.replaceChildren(content);
    this.#positionPopover(anchor, viewport);
  }

  closePopover(): void {
    if (!this.popoverOpen) return;
    const { popover } = this.#parts!;
    showInTopLayer(popover, false);
    popover.hidden = true;
    popover.replaceChildren();
    this.host.setAttribute('aria-expanded', 'false');
  }

  #positionPopover(anchor: DOMRect, viewport: { width: number; height: number }): void {
    const popover = this.#parts!.popover;
    const width = Math.min(300, viewport.width - 16);
    const height = popover.getBoundingClientRect().height || 120;
    const badgeRight = this.#placement ? this.#placement.x + this.#placement.size : anchor.right;
    const left = Math.max(8, Math.min(viewport.width - width - 8, Math.max(anchor.left, badgeRight - width)));
    const below = anchor.bottom + 6;
    const top = below + height <= viewport.height - 8 || anchor.top - 6 - height < 8 ? below : anchor.top - 6 - height;
    popover.style.left = `${Math.round(left)}px`;
    popover.style.top = `${Math.round(top)}px`;
    popover.style.width = `${width}px`;
  }

  destroy(): void {
    this.host.remove();
  }
}

