import { BadgeController, type BadgeControllerContext } from '@/components/badge/badge-controller';
import { describeState } from '@/lib/result-details';
import type { RecipientToken } from './adapter';

/**
 * The verdict mark on one recipient chip: the inline badges' state machine, look and details
 * (components/badge/badge-controller.ts), placed at the chip's top-right corner (over its
 * end, mostly outside it, so the chip's text and its × stay usable) or, for a typed entry of a
 * plain text field, right after the entry. It floats on top of the page like the badges:
 * nothing is inserted into the webmail's own markup, so its layout never changes.
 */
export const MARK_TAG = 'mailping-mark';
const SIZE = 14;

export interface MarkContext extends BadgeControllerContext {
  /** The state changed (the compose notice follows). */
  changed(): void;
  /** The person chose a suggestion in the details. */
  fix(mark: RecipientMark, suggestion: string): void;
  /** The person asked for a check by clicking a mark (a recipient nobody checked yet). */
  acted(mark: RecipientMark): void;
  /** Where a typed recipient's text ends (adapters with plain text fields). */
  markPoint?(token: RecipientToken): { left: number; top: number; height: number } | null;
}

export class RecipientMark extends BadgeController<MarkContext> {
  constructor(
    public token: RecipientToken,
    public anchor: Element,
    ctx: MarkContext,
    byPerson: boolean,
  ) {
    super(ctx, MARK_TAG);
    const host = this.element.host;
    host.dataset.address = token.address;
    host.dataset.kind = token.kind;
    // A click on the mark is MailPing's: the webmail's own click handlers do not see it.
    host.addEventListener('click', (e) => e.stopPropagation(), { signal: this.abort.signal });
    this.render();
    // Committed by the person (or on a webmail's own host): checked. Put there by a page we do
    // not know: shown, never sent anywhere, until the person clicks the mark.
    this.dispatch({ type: byPerson ? 'committed' : 'paused', value: token.address });
  }

  override get address(): string {
    return this.token.address;
  }

  /** The same recipient, re-rendered by the webmail (a new chip element). */
  update(token: RecipientToken, anchor: Element): void {
    this.token = token;
    this.anchor = anchor;
  }

  /** "Check again", or a check the person asked for by clicking an unchecked mark. */
  commit(): void {
    if (this.state.committed) this.dispatch({ type: 'recheck', fresh: true });
    else this.dispatch({ type: 'committed', value: this.token.address });
  }

  layout(viewport: { width: number; height: number }): void {
    if (this.destroyed) return;
    const place = this.#placement(viewport);
    this.element.place(place);
    if (place && this.element.popoverOpen) this.element.updatePopover(this.details(), this.anchorRect(), viewport);
  }

  protected override stateChanged(): void {
    this.ctx.changed();
  }

  /** A mark nobody checked yet (put there by the page): the person's click asks for its check. */
  protected override activated(event: Event): void {
    if (!this.state.committed && this.ctx.isTrusted(event)) {
      this.ctx.acted(this);
      this.commit();
    }
  }

  protected peek(): void {
    // Marks never peek: a recipient the page put there learns nothing from the cache.
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

  protected anchorRect(): DOMRect {
    return this.anchor.getBoundingClientRect();
  }

  protected details(): HTMLElement {
    const details = this.detailsWith(
      (suggestion) => {
        this.closePopover();
        this.ctx.fix(this, suggestion);
      },
      () => this.commit(),
    );
    if (!this.state.committed) {
      // Not checked yet (put there by the page): say how to check it.
      const meaning = details.querySelector('.mp-meaning');
      if (meaning) meaning.textContent = 'Click this mark to check the address.';
    }
    return details;
  }

  protected render(): void {
    const title = this.state.committed ? describeState(this.detailsModel()).title : 'Not checked yet';
    this.element.render({ state: this.state.verdict, label: `MailPing, recipient ${this.token.address}: ${title}. Show details.` });
    if (this.element.popoverOpen) this.openPopover();
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
