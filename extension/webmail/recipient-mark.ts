import type { BackgroundLink } from '@/lib/background-link';
import type { CheckState, DaemonStatusView } from '@/lib/messages';
import { buildDetails, describeState, type DetailsModel } from '@/lib/result-details';
import { BadgeElement } from '@/entrypoints/content/badge-element';
import { badgeTransition, INITIAL_BADGE_STATE, type BadgeEffect, type BadgeEvent, type BadgeState } from '@/entrypoints/content/badge-state';
import type { RecipientToken } from './adapter';

/**
 * The verdict mark on one recipient chip: the inline badges' state machine
 * (entrypoints/content/badge-state.ts), look and details, placed at the chip's top-right corner
 * (over its end, mostly outside it, so the chip's text and its × stay usable) or, for a typed
 * entry of a plain text field, right after the entry. It floats on top of the page like the
 * badges: nothing is inserted into the webmail's own markup, so its layout never changes.
 */
export const MARK_TAG = 'mailping-mark';
const SIZE = 14;
const HOVER_OPEN_MS = 120;
const HOVER_CLOSE_MS = 300;

export interface MarkContext {
  doc: Document;
  link: BackgroundLink;
  announce(text: string): void;
  openOptions(): void;
  requestLayout(): void;
  /** The state changed (the compose notice follows). */
  changed(): void;
  /** The person chose a suggestion in the details. */
  fix(mark: RecipientMark, suggestion: string): void;
  /** The person asked for a check by clicking a mark (a recipient nobody checked yet). */
  acted(mark: RecipientMark): void;
  /** Where a typed recipient's text ends (adapters with plain text fields). */
  markPoint?(token: RecipientToken): { left: number; top: number; height: number } | null;
  isTrusted(event: Event): boolean;
}

export class RecipientMark {
  readonly element: BadgeElement;
  #state: BadgeState = INITIAL_BADGE_STATE;
  #watches = new Map<string, () => void>();
  #recheck: ReturnType<typeof setTimeout> | null = null;
  #hover: ReturnType<typeof setTimeout> | null = null;
  #pinned = false;
  #destroyed = false;
  readonly #abort = new AbortController();

  constructor(
    public token: RecipientToken,
    public anchor: Element,
    private readonly ctx: MarkContext,
    byPerson: boolean,
  ) {
    this.element = new BadgeElement(ctx.doc, MARK_TAG);
    const host = this.element.host;
    host.dataset.address = token.address;
    host.dataset.kind = token.kind;
    this.#listen();
    this.#render();
    // Committed by the person (or on a webmail's own host): checked. Put there by a page we do
    // not know: shown, never sent anywhere, until the person clicks the mark.
    this.dispatch({ type: byPerson ? 'committed' : 'paused', value: token.address });
  }

  get state(): BadgeState {
    return this.#state;
  }

  get address(): string {
    return this.token.address;
  }

  /** The same recipient, re-rendered by the webmail (a new chip element). */
  update(token: RecipientToken, anchor: Element): void {
    this.token = token;
    this.anchor = anchor;
  }

  /** "Check again", or a check the person asked for by clicking an unchecked mark. */
  commit(): void {
    if (this.#state.committed) this.dispatch({ type: 'recheck', fresh: true });
    else this.dispatch({ type: 'committed', value: this.token.address });
  }

  dispatch(event: BadgeEvent): void {
    if (this.#destroyed) return;
    const before = this.#state;
    const { state, effects } = badgeTransition(before, event);
    this.#state = state;
    for (const effect of effects) this.#run(effect);
    if (state === before) return;
    if (state.verdict !== before.verdict && state.committed && state.verdict !== 'checking' && state.verdict !== 'idle') {
      this.ctx.announce(`${state.address}: ${describeState(this.#model()).title}`);
    }
    this.#render();
    this.ctx.changed();
    this.ctx.requestLayout();
  }

  statusChanged(): void {
    if (this.#state.verdict === 'offline') this.#render();
  }

  layout(viewport: { width: number; height: number }): void {
    if (this.#destroyed) return;
    const place = this.#placement(viewport);
    this.element.place(place);
    if (place && this.element.popoverOpen) this.element.updatePopover(this.#details(), this.anchor.getBoundingClientRect(), viewport);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#abort.abort();
    for (const unwatch of this.#watches.values()) unwatch();
    this.#watches.clear();
    for (const timer of [this.#recheck, this.#hover]) if (timer) clearTimeout(timer);
    this.element.destroy();
  }

  #placement(viewport: { width: number; height: number }): { x: number; y: number; size: number; side: 'outside' } | null {
    const rect = this.anchor.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.bottom < 0 || rect.top > viewport.height || rect.right < 0 || rect.left > viewport.width) return null;
    let x: number;
    let y: number;
    if (this.token.textEnd !== undefined) {
      const caret = this.ctx.markPoint?.(this.token) ?? null;
      if (!caret || caret.left < rect.left || caret.left > rect.right || caret.top < rect.top - 2 || caret.top + caret.height > rect.bottom + 2) return null;
      // Over the entry's last letters, raised like a superscript: the ", " and the next address
      // right after it stay readable.
      x = caret.left - SIZE * 0.5;
      y = caret.top - SIZE * 0.5;
    } else {
      x = rect.right - SIZE * 0.6;
      y = rect.top - SIZE * 0.35;
    }
    if (covered(this.anchor, rect)) return null;
    return { x: Math.round(Math.min(x, viewport.width - SIZE)), y: Math.round(Math.max(0, y)), size: SIZE, side: 'outside' };
  }

  #run(effect: BadgeEffect): void {
    switch (effect.type) {
      case 'watch': {
        this.#watches.get(effect.address)?.();
        this.#watches.set(
          effect.address,
          this.ctx.link.watch(effect.address, effect.fresh, (state: CheckState) => this.dispatch({ type: 'checked', address: effect.address, state })),
        );
        return;
      }
      case 'unwatch':
        this.#watches.get(effect.address)?.();
        this.#watches.delete(effect.address);
        return;
      case 'peek':
        // Marks never peek: a recipient the page put there learns nothing from the cache.
        return;
      case 'recheckAt':
        if (this.#recheck) clearTimeout(this.#recheck);
        this.#recheck = setTimeout(() => this.dispatch({ type: 'recheck', fresh: false }), Math.max(0, effect.at - Date.now()));
        return;
    }
  }

  #model(): DetailsModel {
    const s = this.#state;
    return {
      address: this.token.address,
      state: s.verdict,
      check: s.check,
      suggestion: s.suggestion,
      syntaxError: s.syntaxError,
      status: this.ctx.link.status as DaemonStatusView | null,
    };
  }

  #details(): HTMLElement {
    const details = buildDetails(this.ctx.doc, this.#model(), {
      isTrusted: (e) => this.ctx.isTrusted(e),
      applySuggestion: (suggestion) => {
        this.#close();
        this.ctx.fix(this, suggestion);
      },
      recheck: () => this.commit(),
      openOptions: () => this.ctx.openOptions(),
    });
    if (!this.#state.committed) {
      // Not checked yet (put there by the page): say how to check it.
      const meaning = details.querySelector('.mp-meaning');
      if (meaning) meaning.textContent = 'Click this mark to check the address.';
    }
    return details;
  }

  #render(): void {
    const title = this.#state.committed ? describeState(this.#model()).title : 'Not checked yet';
    this.element.render({ state: this.#state.verdict, label: `MailPing, recipient ${this.token.address}: ${title}. Show details.` });
    if (this.element.popoverOpen) this.#open();
  }

  #listen(): void {
    const options = { signal: this.#abort.signal };
    const host = this.element.host;
    host.addEventListener('mouseenter', () => this.#hoverTo(true), options);
    host.addEventListener('mouseleave', () => this.#hoverTo(false), options);
    host.addEventListener('focus', () => this.#open(), options);
    host.addEventListener(
      'focusout',
      (e) => {
        const next = e.relatedTarget as Node | null;
        if (!next || !host.contains(next)) this.#close();
      },
      options,
    );
    host.addEventListener(
      'click',
      (e) => {
        e.preventDefault();
        e.stopPropagation();
        if (!this.#state.committed && this.ctx.isTrusted(e)) {
          this.ctx.acted(this);
          this.commit();
        }
        this.#pinned = !this.#pinned || !this.element.popoverOpen;
        if (this.#pinned) this.#open();
        else this.#close();
      },
      options,
    );
    host.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          if (!this.#state.committed && this.ctx.isTrusted(e)) {
            this.ctx.acted(this);
            this.commit();
          }
          if (this.element.popoverOpen) this.#close();
          else this.#open();
        } else if (e.key === 'Escape') {
          this.#close();
        }
      },
      options,
    );
    // Clicking the mark must not take the focus from the field being typed in.
    host.addEventListener('mousedown', (e) => e.preventDefault(), options);
  }

  #hoverTo(inside: boolean): void {
    if (this.#hover) clearTimeout(this.#hover);
    this.#hover = setTimeout(
      () => {
        this.#hover = null;
        if (inside) this.#open();
        else if (!this.#pinned && !this.element.host.matches(':focus')) this.#close();
      },
      inside ? HOVER_OPEN_MS : HOVER_CLOSE_MS,
    );
  }

  #open(): void {
    if (this.#destroyed || !this.element.placement) return;
    const win = this.ctx.doc.defaultView;
    this.element.openPopover(this.#details(), this.anchor.getBoundingClientRect(), { width: win?.innerWidth ?? 1024, height: win?.innerHeight ?? 768 });
  }

  #close(): void {
    this.#pinned = false;
    this.element.closePopover();
  }
}

/** Whether something else (a dialog, a menu) is on top of the chip: then its mark hides too. */
export function covered(anchor: Element, rect: DOMRect): boolean {
  const root = anchor.getRootNode() as Document | ShadowRoot;
  if (typeof root.elementsFromPoint !== 'function') return false;
  const x = rect.left + rect.width / 2;
  const y = rect.top + rect.height / 2;
  const win = anchor.ownerDocument.defaultView;
  if (win && (x < 0 || y < 0 || x >= win.innerWidth || y >= win.innerHeight)) return false;
  for (const hit of root.elementsFromPoint(x, y)) {
    if (hit.localName.startsWith('mailping-')) continue;
    return !(hit === anchor || anchor.contains(hit) || hit.contains(anchor));
  }
  return false;
}
