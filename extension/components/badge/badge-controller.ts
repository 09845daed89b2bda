import type { BackgroundLink } from '@/lib/background-link';
import type { CheckState, DaemonStatusView } from '@/lib/messages';
import { buildDetails, describeState, type DetailsModel } from '@/lib/result-details';
import { BadgeElement } from './badge-element';
import { badgeTransition, INITIAL_BADGE_STATE, type BadgeEffect, type BadgeEvent, type BadgeState } from './badge-state';

/**
 * What a field's badge (field-badge.ts) and a webmail recipient's mark
 * (webmail/recipient-mark.ts) do alike: run the badge state machine (badge-state.ts), carry out
 * its effects through the background link, announce finished checks, and show the details on
 * hover, focus, a click or Enter. Each subclass says what the badge sits on (the popover opens
 * next to it), how it reads, and what a click or a found value asks for.
 */
export interface BadgeControllerContext {
  doc: Document;
  link: BackgroundLink;
  /** Asks for a layout pass (batched per animation frame). */
  requestLayout(): void;
  announce(text: string): void;
  openOptions(): void;
  /** Whether an event came from the person (`event.isTrusted`; tests stand in for the person). */
  isTrusted(event: Event): boolean;
}

const HOVER_OPEN_MS = 120;
const HOVER_CLOSE_MS = 300;

export abstract class BadgeController<C extends BadgeControllerContext> {
  readonly element: BadgeElement;
  protected destroyed = false;
  /** Ends every listener of the badge (and of its subclass) on destroy. */
  protected readonly abort = new AbortController();
  #state: BadgeState = INITIAL_BADGE_STATE;
  #watches = new Map<string, () => void>();
  #hoverTimer: ReturnType<typeof setTimeout> | null = null;
  #recheckTimer: ReturnType<typeof setTimeout> | null = null;
  #pinned = false;

  /** `tag`: the host element's name (the badge's own by default). */
  constructor(
    protected readonly ctx: C,
    tag?: string,
  ) {
    this.element = new BadgeElement(ctx.doc, tag);
    this.#listen();
  }

  get state(): BadgeState {
    return this.#state;
  }

  /** The address the details speak of. */
  get address(): string {
    return this.#state.address;
  }

  dispatch(event: BadgeEvent): void {
    if (this.destroyed) return;
    const before = this.#state;
    const { state, effects } = badgeTransition(before, event);
    this.#state = state;
    for (const effect of effects) this.#run(effect);
    if (state === before) return;
    if (state.verdict !== before.verdict && state.committed && state.verdict !== 'checking' && state.verdict !== 'idle') {
      this.ctx.announce(`${state.address}: ${describeState(this.detailsModel()).title}`);
    }
    this.render();
    this.stateChanged(before);
    this.ctx.requestLayout();
  }

  /** The daemon status changed: an offline badge's advice depends on it. */
  statusChanged(): void {
    if (this.#state.verdict === 'offline') this.render();
  }

  destroy(): void {
    this.destroyed = true;
    this.abort.abort();
    for (const unwatch of this.#watches.values()) unwatch();
    this.#watches.clear();
    for (const timer of [this.#hoverTimer, this.#recheckTimer]) if (timer) clearTimeout(timer);
    this.element.destroy();
  }

  /** Where the badge's subject is on screen: the popover opens next to it. */
  protected abstract anchorRect(): DOMRect;
  /** The popover's content (detailsWith, with the subclass's answers to its buttons). */
  protected abstract details(): HTMLElement;
  /** Draws the state into the element (its label is the subclass's). */
  protected abstract render(): void;
  /** A value found already there may show what the background knows of it: the subclass decides. */
  protected abstract peek(address: string): void;
  /** After a render of a new state, before the layout request. */
  protected stateChanged(_before: BadgeState): void {}
  /** A click on the badge, or Enter or Space on it, before the details toggle. */
  protected activated(_event: Event): void {}
  /** Escape on the badge. */
  protected escaped(): void {
    this.closePopover();
  }

  protected detailsModel(): DetailsModel {
    const s = this.#state;
    return {
      address: this.address,
      state: s.verdict,
      check: s.check,
      suggestion: s.suggestion,
      syntaxError: s.syntaxError,
      status: this.ctx.link.status as DaemonStatusView | null,
    };
  }

  protected detailsWith(applySuggestion: (suggestion: string) => void, recheck: () => void): HTMLElement {
    return buildDetails(this.ctx.doc, this.detailsModel(), {
      // Buttons answer the person's clicks only, not a page script's element.click().
      isTrusted: (event) => this.ctx.isTrusted(event),
      applySuggestion,
      recheck,
      openOptions: () => this.ctx.openOptions(),
    });
  }

  protected viewport(): { width: number; height: number } {
    const win = this.ctx.doc.defaultView;
    return { width: win?.innerWidth ?? 1024, height: win?.innerHeight ?? 768 };
  }

  protected openPopover(): void {
    if (this.destroyed || !this.element.placement) return;
    this.element.openPopover(this.details(), this.anchorRect(), this.viewport());
  }

  protected closePopover(): void {
    this.#pinned = false;
    this.element.closePopover();
  }

  #run(effect: BadgeEffect): void {
    switch (effect.type) {
      case 'watch': {
        this.#watches.get(effect.address)?.();
        const unwatch = this.ctx.link.watch(effect.address, effect.fresh, (state: CheckState) =>
          this.dispatch({ type: 'checked', address: effect.address, state }),
        );
        this.#watches.set(effect.address, unwatch);
        return;
      }
      case 'unwatch':
        this.#watches.get(effect.address)?.();
        this.#watches.delete(effect.address);
        return;
      case 'peek':
        this.peek(effect.address);
        return;
      case 'recheckAt':
        if (this.#recheckTimer) clearTimeout(this.#recheckTimer);
        this.#recheckTimer = setTimeout(() => {
          this.#recheckTimer = null;
          if (this.#state.address === effect.address) this.dispatch({ type: 'recheck', fresh: false });
        }, Math.max(0, effect.at - Date.now()));
        return;
    }
  }

  #listen(): void {
    const options = { signal: this.abort.signal };
    const host = this.element.host;
    host.addEventListener('mouseenter', () => this.#hover(true), options);
    host.addEventListener('mouseleave', () => this.#hover(false), options);
    host.addEventListener('focus', () => this.openPopover(), options);
    host.addEventListener(
      'focusout',
      (e) => {
        const next = e.relatedTarget as Node | null;
        if (!next || !host.contains(next)) this.closePopover();
      },
      options,
    );
    host.addEventListener(
      'click',
      (e) => {
        e.preventDefault();
        this.activated(e);
        this.#pinned = !this.#pinned || !this.element.popoverOpen;
        if (this.#pinned) this.openPopover();
        else this.closePopover();
      },
      options,
    );
    host.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.activated(e);
          if (this.element.popoverOpen) this.closePopover();
          else this.openPopover();
        } else if (e.key === 'Escape') {
          this.escaped();
        }
      },
      options,
    );
    // Clicking the badge must not take the focus from the field being typed in.
    host.addEventListener('mousedown', (e) => e.preventDefault(), options);
  }

  #hover(inside: boolean): void {
    if (this.#hoverTimer) clearTimeout(this.#hoverTimer);
    this.#hoverTimer = setTimeout(
      () => {
        this.#hoverTimer = null;
        if (inside) this.openPopover();
        else if (!this.#pinned && !this.element.host.matches(':focus')) this.closePopover();
      },
      inside ? HOVER_OPEN_MS : HOVER_CLOSE_MS,
    );
  }
}
