import { describeState } from '@/lib/result-details';
import { BadgeController, type BadgeControllerContext } from '@/components/badge/badge-controller';
import { placeBadge, type FieldGeometry } from '@/components/badge/badge-position';
import type { BadgeState } from '@/components/badge/badge-state';
import { looksLikeAddress, type FieldKind } from './field-detection';
import { setFieldValue } from '@/components/badge/field-value';
import { measureFieldText } from './text-measure';

/**
 * One field and its badge: listens to the field (typing, leaving it, Enter, autofill), feeds the
 * badge state machine through the controller (components/badge/badge-controller.ts: effects,
 * details, hover), and renders and places the badge when the layer asks.
 */
export interface FieldBadgeContext extends BadgeControllerContext {
  /** How long typing must pause before the local checks run. */
  pauseMs: number;
  /**
   * Values the person typed (and committed) in this document. A value the page put into a
   * field by script is not checked by itself: otherwise any page could use MailPing, and the
   * person's own daemon and IP address, to probe addresses of its choosing.
   */
  userValues: Set<string>;
}

export class FieldBadge extends BadgeController<FieldBadgeContext> {
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;
  #intersecting = true;
  /** The field's value as of the person's last input (typing, pasting, autofill). */
  #typedValue: string | null = null;
  #textWidth: number | null | undefined;

  constructor(
    readonly field: HTMLInputElement,
    public kind: FieldKind,
    ctx: FieldBadgeContext,
  ) {
    super(ctx);
    // Which field this badge belongs to, for people inspecting the page (and for tests).
    const name = field.id || field.name;
    if (name) this.element.host.dataset.field = name;
    this.#listenToField();
    this.render();
    this.dispatch({ type: 'found', value: field.value });
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
    if (this.destroyed) return;
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
    if (this.element.popoverOpen) this.element.updatePopover(this.details(), rect, viewport);
  }

  override destroy(): void {
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    super.destroy();
  }

  protected override stateChanged(before: BadgeState): void {
    if (this.state.address !== before.address) this.#textWidth = undefined;
  }

  /** Escape on the badge gives the focus back to the field. */
  protected override escaped(): void {
    super.escaped();
    this.field.focus();
  }

  protected peek(address: string): void {
    // Only for what the person typed on this page (a field re-rendered by the page's
    // framework): a value the page chose learns nothing from MailPing.
    if (!this.ctx.userValues.has(address)) return;
    void this.ctx.link.peek(address).then((state) => this.dispatch({ type: 'checked', address, state }));
  }

  // ---- the field --------------------------------------------------------------------------

  #listenToField(): void {
    const options = { signal: this.abort.signal };
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
          if (this.#isFocused() && this.state.suggestion && !this.state.committed) this.openPopover();
        }, this.ctx.pauseMs);
      },
      options,
    );
    field.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter' && !e.isComposing && this.ctx.isTrusted(e)) this.#commit();
        else if (e.key === 'Escape') this.closePopover();
        else if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && this.#tabStop()) {
          // The badge is the next stop after its field, wherever its host sits in the page.
          e.preventDefault();
          this.element.host.focus();
        }
      },
      options,
    );
    // From the badge, Tab goes on to what follows the field and Shift+Tab back to the field.
    this.element.host.addEventListener(
      'keydown',
      (e) => {
        if (e.key !== 'Tab' || e.ctrlKey || e.altKey || e.metaKey) return;
        const next = e.shiftKey ? this.field : nextTabbable(this.field);
        if (!next) return;
        e.preventDefault();
        next.focus();
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

  /** Whether Tab from the field stops at the badge: it is on screen and speaks of an address. */
  #tabStop(): boolean {
    return this.element.placement !== null && this.field.value.trim() !== '';
  }

  #isFocused(): boolean {
    const root = this.field.getRootNode() as Document | ShadowRoot;
    return root.activeElement === this.field;
  }

  #wantsVisible(): boolean {
    if (!this.#intersecting) return false;
    if (this.kind === 'username' && !looksLikeAddress(this.field.value)) return false;
    const s = this.state;
    return s.verdict !== 'idle' || s.address !== '' || this.#isFocused();
  }

  // ---- view -------------------------------------------------------------------------------

  protected anchorRect(): DOMRect {
    return this.field.getBoundingClientRect();
  }

  protected details(): HTMLElement {
    return this.detailsWith(
      (suggestion) => {
        this.#typedValue = suggestion;
        setFieldValue(this.field, suggestion);
        this.closePopover();
        this.#commit();
      },
      () => this.dispatch({ type: 'recheck', fresh: true }),
    );
  }

  protected render(): void {
    const model = this.detailsModel();
    const { title } = describeState(model);
    const subject = model.address === '' ? 'this field' : model.address;
    this.element.render({ state: model.state, label: `MailPing, ${subject}: ${title}. Show details.` });
    if (this.element.popoverOpen) this.element.updatePopover(this.details(), this.anchorRect(), this.viewport());
  }
}

const TABBABLE = 'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], [contenteditable=""], [contenteditable="true"]';

/**
 * The element Tab reaches after `from` in its document (or shadow root): the next focusable one in
 * document order. Positive tabindex values, which reorder the page, are rare and not followed.
 */
export function nextTabbable(from: HTMLElement): HTMLElement | null {
  const root = from.getRootNode() as Document | ShadowRoot;
  for (const el of Array.from(root.querySelectorAll<HTMLElement>(TABBABLE))) {
    if (el === from || from.contains(el) || !(from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
    if (el.localName.startsWith('mailping-') || el.tabIndex < 0 || (el as HTMLInputElement).disabled) continue;
    if ((el as HTMLInputElement).type === 'hidden' || el.getClientRects().length === 0) continue;
    return el;
  }
  return null;
}
