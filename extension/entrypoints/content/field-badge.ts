import type { BackgroundLink } from '@/lib/background-link';
import type { CheckState, DaemonStatusView } from '@/lib/messages';
import { buildDetails, describeState } from '@/lib/result-details';
import { BadgeElement } from './badge-element';
import { placeBadge, type FieldGeometry } from './badge-position';
import { badgeTransition, INITIAL_BADGE_STATE, type BadgeEffect, type BadgeEvent, type BadgeState } from './badge-state';
import { looksLikeAddress, type FieldKind } from './field-detection';
import { setFieldValue } from './field-value';
import { measureFieldText } from './text-measure';

/**
 * One field and its badge: listens to the field (typing, leaving it, Enter, autofill), runs the
 * badge state machine (badge-state.ts), carries out its effects through the background link,
 * and renders and places the badge when the layer asks.
 */
export interface FieldBadgeContext {
  doc: Document;
  link: BackgroundLink;
  /** Asks for a layout pass (the layer batches them per animation frame). */
  requestLayout(): void;
  announce(text: string): void;
  openOptions(): void;
  /** How long typing must pause before the local checks run. */
  pauseMs: number;
  /**
   * Values the person typed (and committed) in this document. A value the page put into a
   * field by script is not checked by itself: otherwise any page could use MailPing, and the
   * person's own daemon and IP address, to probe addresses of its choosing.
   */
  userValues: Set<string>;
  /** Whether an event came from the person (`event.isTrusted`; tests stand in for the person). */
  isTrusted(event: Event): boolean;
}

const HOVER_OPEN_MS = 120;
const HOVER_CLOSE_MS = 300;

export class FieldBadge {
  readonly element: BadgeElement;
  #state: BadgeState = INITIAL_BADGE_STATE;
  #watches = new Map<string, () => void>();
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;
  #hoverTimer: ReturnType<typeof setTimeout> | null = null;
  #recheckTimer: ReturnType<typeof setTimeout> | null = null;
  #intersecting = true;
  /** The field's value as of the person's last input (typing, pasting, autofill). */
  #typedValue: string | null = null;
  #textWidth: number | null | undefined;
  #pinned = false;
  #destroyed = false;
  readonly #abort = new AbortController();

  constructor(
    readonly field: HTMLInputElement,
    public kind: FieldKind,
    private readonly ctx: FieldBadgeContext,
  ) {
    this.element = new BadgeElement(ctx.doc);
    // Which field this badge belongs to, for people inspecting the page (and for tests).
    const name = field.id || field.name;
    if (name) this.element.host.dataset.field = name;
    this.#listen();
    this.#render();
    this.dispatch({ type: 'found', value: field.value });
  }

  get state(): BadgeState {
    return this.#state;
  }

  dispatch(event: BadgeEvent): void {
    if (this.#destroyed) return;
    const before = this.#state;
    const { state, effects } = badgeTransition(before, event);
    this.#state = state;
    for (const effect of effects) this.#run(effect);
    if (state !== before) {
      if (state.address !== before.address) this.#textWidth = undefined;
      if (state.verdict !== before.verdict && state.committed && state.verdict !== 'checking' && state.verdict !== 'idle') {
        this.ctx.announce(`${state.address}: ${describeState(this.#detailsModel()).title}`);
      }
      this.#render();
      this.ctx.requestLayout();
    }
  }

  /** The daemon status changed: an offline badge's advice depends on it. */
  statusChanged(): void {
    if (this.#state.verdict === 'offline') this.#render();
  }

  setIntersecting(intersecting: boolean): void {
    if (this.#intersecting === intersecting) return;
    this.#intersecting = intersecting;
    this.ctx.requestLayout();
  }

  /** The field's size changed: its text may now run under the badge. */
  resized(): void {
    this.#textWidth = undefined;
  }

  /** Places (or hides) the badge; called by the layer once per frame that needs it. */
  layout(viewport: { width: number; height: number }, covered: (field: HTMLInputElement, rect: DOMRect) => boolean): void {
    if (this.#destroyed) return;
    if (!this.#wantsVisible()) {
      this.element.place(null);
      return;
    }
    const rect = this.field.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.bottom < 0 || rect.top > viewport.height || covered(this.field, rect)) {
      this.element.place(null);
      return;
    }
    const style = this.ctx.doc.defaultView?.getComputedStyle(this.field);
    if (!style || style.visibility === 'hidden') {
      this.element.place(null);
      return;
    }
    if (this.#textWidth === undefined) this.#textWidth = measureFieldText(this.field, style);
    const align = style.textAlign;
    const rtl = style.direction === 'rtl';
    const geometry: FieldGeometry = {
      left: rect.left,
      top: rect.top,
      width: rect.width,
      height: rect.height,
      borderLeft: Number.parseFloat(style.borderLeftWidth) || 0,
      borderRight: Number.parseFloat(style.borderRightWidth) || 0,
      paddingLeft: Number.parseFloat(style.paddingLeft) || 0,
      paddingRight: Number.parseFloat(style.paddingRight) || 0,
      textWidth: this.#textWidth,
      textAlign:
        align === 'center' ? 'center' : align === 'right' || (align === 'end' && !rtl) || (align === 'start' && rtl) ? 'end' : 'start',
    };
    this.element.place(placeBadge(geometry, viewport));
    if (this.element.popoverOpen) this.element.updatePopover(this.#details(), rect, viewport);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#abort.abort();
    for (const unwatch of this.#watches.values()) unwatch();
    this.#watches.clear();
    for (const timer of [this.#pauseTimer, this.#hoverTimer, this.#recheckTimer]) if (timer) clearTimeout(timer);
    this.element.destroy();
  }

  // ---- effects --------------------------------------------------------------------------

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
        // Only for what the person typed on this page (a field re-rendered by the page's
        // framework): a value the page chose learns nothing from MailPing.
        if (!this.ctx.userValues.has(effect.address)) return;
        void this.ctx.link.peek(effect.address).then((state) => this.dispatch({ type: 'checked', address: effect.address, state }));
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

  // ---- the field --------------------------------------------------------------------------

  #listen(): void {
    const options = { signal: this.#abort.signal };
    const field = this.field;
    field.addEventListener(
      'input',
      (e) => {
        if (this.ctx.isTrusted(e)) this.#typedValue = field.value;
        this.dispatch({ type: 'typed', value: field.value });
        if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
        this.#pauseTimer = setTimeout(() => {
          this.#pauseTimer = null;
          this.dispatch({ type: 'paused', value: field.value });
          // A suggestion is worth showing while the person is still in the field.
          if (this.#isFocused() && this.#state.suggestion && !this.#state.committed) this.#openPopover();
        }, this.ctx.pauseMs);
      },
      options,
    );
    field.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter' && !e.isComposing && this.ctx.isTrusted(e)) this.#commit();
        else if (e.key === 'Escape') this.#closePopover();
      },
      options,
    );
    field.addEventListener('blur', () => this.#commit(), options);
    field.addEventListener(
      'change',
      (e) => {
        // Autofill changes values without a blur (and with trusted events).
        if (this.ctx.isTrusted(e)) this.#typedValue = field.value;
        if (!this.#isFocused()) this.#commit();
      },
      options,
    );
    field.addEventListener('focus', () => this.ctx.requestLayout(), options);

    const host = this.element.host;
    host.addEventListener('mouseenter', () => this.#hover(true), options);
    host.addEventListener('mouseleave', () => this.#hover(false), options);
    host.addEventListener('focus', () => this.#openPopover(), options);
    host.addEventListener(
      'focusout',
      (e) => {
        const next = e.relatedTarget as Node | null;
        if (!next || !host.contains(next)) this.#closePopover();
      },
      options,
    );
    host.addEventListener(
      'click',
      (e) => {
        e.preventDefault();
        this.#pinned = !this.#pinned || !this.element.popoverOpen;
        if (this.#pinned) this.#openPopover();
        else this.#closePopover();
      },
      options,
    );
    host.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          if (this.element.popoverOpen) this.#closePopover();
          else this.#openPopover();
        } else if (e.key === 'Escape') {
          this.#closePopover();
          field.focus();
        }
      },
      options,
    );
    // Keep the field focused when the badge itself is clicked.
    host.addEventListener('mousedown', (e) => e.preventDefault(), options);
  }

  #commit(): void {
    if (this.#pauseTimer) {
      clearTimeout(this.#pauseTimer);
      this.#pauseTimer = null;
    }
    const value = this.field.value;
    // A username field only gets checked when it holds something that looks like an address.
    if (this.kind === 'username' && !looksLikeAddress(value)) {
      this.dispatch({ type: 'typed', value });
      return;
    }
    const address = value.trim();
    const byPerson = address === (this.#typedValue ?? '').trim() || this.ctx.userValues.has(address);
    if (!byPerson) {
      // Put there by the page's script: shown as not checked, never sent anywhere.
      this.dispatch({ type: 'found', value });
      return;
    }
    if (address !== '') this.ctx.userValues.add(address);
    this.dispatch({ type: 'committed', value });
  }

  #isFocused(): boolean {
    const root = this.field.getRootNode() as Document | ShadowRoot;
    return root.activeElement === this.field;
  }

  #wantsVisible(): boolean {
    if (!this.#intersecting) return false;
    if (this.kind === 'username' && !looksLikeAddress(this.field.value)) return false;
    const s = this.#state;
    return s.verdict !== 'idle' || s.address !== '' || this.#isFocused();
  }

  // ---- view -------------------------------------------------------------------------------

  #detailsModel() {
    const s = this.#state;
    return {
      address: s.address,
      state: s.verdict,
      check: s.check,
      suggestion: s.suggestion,
      syntaxError: s.syntaxError,
      status: this.ctx.link.status as DaemonStatusView | null,
    };
  }

  #details(): HTMLElement {
    return buildDetails(this.ctx.doc, this.#detailsModel(), {
      // Buttons answer the person's clicks only, not a page script's element.click().
      isTrusted: (event) => this.ctx.isTrusted(event),
      applySuggestion: (suggestion) => {
        this.#typedValue = suggestion;
        setFieldValue(this.field, suggestion);
        this.#closePopover();
        this.#commit();
      },
      recheck: () => this.dispatch({ type: 'recheck', fresh: true }),
      openOptions: () => this.ctx.openOptions(),
    });
  }

  #render(): void {
    const model = this.#detailsModel();
    const { title } = describeState(model);
    const subject = model.address === '' ? 'this field' : model.address;
    this.element.render({ state: model.state, label: `MailPing, ${subject}: ${title}. Show details.` });
    if (this.element.popoverOpen) {
      const win = this.ctx.doc.defaultView;
      this.element.updatePopover(this.#details(), this.field.getBoundingClientRect(), {
        width: win?.innerWidth ?? 1024,
        height: win?.innerHeight ?? 768,
      });
    }
  }

  #hover(inside: boolean): void {
    if (this.#hoverTimer) clearTimeout(this.#hoverTimer);
    this.#hoverTimer = setTimeout(
      () => {
        this.#hoverTimer = null;
        if (inside) this.#openPopover();
        else if (!this.#pinned && !this.element.host.matches(':focus')) this.#closePopover();
      },
      inside ? HOVER_OPEN_MS : HOVER_CLOSE_MS,
    );
  }

  #openPopover(): void {
    if (this.#destroyed || !this.element.placement) return;
    const win = this.ctx.doc.defaultView;
    this.element.openPopover(this.#details(), this.field.getBoundingClientRect(), {
      width: win?.innerWidth ?? 1024,
      height: win?.innerHeight ?? 768,
    });
  }

  #closePopover(): void {
    this.#pinned = false;
    this.element.closePopover();
  }
}
