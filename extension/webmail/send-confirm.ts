import { attachHost, createShadowHost, showInTopLayer } from '@/components/shadow-host';
import { createIcon } from '@/lib/verdict-icons';
import type { SendBlocker } from './send-blockers';

/**
 * The small confirm a Send meets when a recipient would bounce: "nobody@example.com does not
 * exist (550 5.1.1)." with "Fix" (the typo fix, or back to the recipients) and "Send anyway".
 * It sits just above the Send control, inside the compose window, in a shadow root (px units,
 * fixed colours). It takes the focus (an alert dialog: a screen reader reads it at once);
 * Escape goes back to where the person was. Its buttons answer the person's own clicks only.
 */
export const CONFIRM_TAG = 'mailping-send-confirm';
const WIDTH = 340;
const SHOWN_LINES = 3;

const CSS = `
.mp-confirm { position: fixed; inset: auto; margin: 0; box-sizing: border-box; width: ${WIDTH}px; max-width: calc(100vw - 16px);
  background: #fff; color: #1f2328; border: 1px solid #cf222e; border-left: 4px solid #cf222e; border-radius: 8px;
  padding: 10px 12px; box-shadow: 0 8px 24px rgba(66, 74, 83, 0.28); color-scheme: light; overflow: visible; height: auto;
  font: 400 13px/18px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; text-align: left; }
.mp-confirm:focus { outline: none; }
.mp-head { display: flex; gap: 6px; align-items: center; font-weight: 600; }
.mp-lines { list-style: none; margin: 6px 0 0 0; padding: 0; }
.mp-lines li { margin: 2px 0; word-break: break-word; }
.mp-more { color: #57606a; }
.mp-actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 10px; }
.mp-confirm button { all: unset; box-sizing: border-box; cursor: pointer; border-radius: 6px; padding: 4px 12px;
  font: 500 13px/18px system-ui, sans-serif; border: 1px solid #d0d7de; background: #f6f8fa; color: #1f2328; }
.mp-confirm button:hover { background: #eaeef2; }
.mp-confirm button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
.mp-confirm .mp-fix { background: #1f883d; border-color: #1a7f37; color: #fff; }
.mp-confirm .mp-fix:hover { background: #1a7f37; }
`;

export interface ConfirmActions {
  fix(blockers: readonly SendBlocker[]): void;
  sendAnyway(): void;
  /** Closed without a choice (Escape): back to where the person was. */
  cancel(): void;
  isTrusted(event: Event): boolean;
}

export class SendConfirm {
  readonly host: HTMLElement;
  readonly #card: HTMLElement;
  readonly #lines: HTMLUListElement;
  readonly #fix: HTMLButtonElement;
  #blockers: readonly SendBlocker[] = [];
  #open = false;

  constructor(
    private readonly doc: Document,
    private readonly actions: ConfirmActions,
  ) {
    const { host, shadow } = createShadowHost(doc, CONFIRM_TAG, { css: CSS, hostStyle: 'z-index: 2147483647 !important; display: none !important;' });
    this.host = host;
    this.#card = doc.createElement('section');
    this.#card.className = 'mp-confirm';
    this.#card.setAttribute('role', 'alertdialog');
    this.#card.setAttribute('aria-labelledby', 'mp-confirm-head');
    this.#card.setAttribute('aria-describedby', 'mp-confirm-lines');
    this.#card.setAttribute('popover', 'manual');
    this.#card.tabIndex = -1;
    const head = doc.createElement('div');
    head.className = 'mp-head';
    head.id = 'mp-confirm-head';
    head.append(createIcon(doc, 'undeliverable', 16), doc.createTextNode('This message would bounce'));
    this.#lines = doc.createElement('ul');
    this.#lines.className = 'mp-lines';
    this.#lines.id = 'mp-confirm-lines';
    const buttons = doc.createElement('div');
    buttons.className = 'mp-actions';
    this.#fix = this.#button('mp-fix', 'Fix', () => this.actions.fix(this.#blockers));
    const send = this.#button('mp-send', 'Send anyway', () => this.actions.sendAnyway());
    buttons.append(this.#fix, send);
    this.#card.append(head, this.#lines, buttons);
    this.#card.addEventListener('keydown', (e) => {
      // A held Ctrl+Enter repeats: its repeats must not press a button of the confirm.
      if (e.repeat) {
        e.preventDefault();
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.actions.cancel();
      }
      // The page's own shortcuts stay out of the confirm.
      e.stopPropagation();
    });
    shadow.append(this.#card);
  }

  get open(): boolean {
    return this.#open;
  }

  get blockers(): readonly SendBlocker[] {
    return this.#blockers;
  }

  /** Shows the confirm above `anchor` (the Send control; else the compose window's bottom), within `compose`. */
  show(blockers: readonly SendBlocker[], anchor: DOMRect | null, compose: DOMRect, viewport: { width: number; height: number }): void {
    this.render(blockers);
    attachHost(this.doc, this.host);
    this.host.style.setProperty('display', 'block', 'important');
    if (!this.#open) showInTopLayer(this.#card, true);
    this.#open = true;
    const width = Math.min(WIDTH, viewport.width - 16);
    const height = this.#card.getBoundingClientRect().height || 110;
    const at = anchor ?? new DOMRect(compose.left + 8, Math.min(compose.bottom, viewport.height) - 8, 0, 0);
    const left = Math.max(8, Math.min(viewport.width - width - 8, Math.max(compose.left + 8, at.left), Math.min(compose.right, viewport.width) - width - 8));
    // Above the Send control (usually at the bottom of the window); below it when there is no room.
    const top = at.top - height - 8 >= 8 ? at.top - height - 8 : Math.min(viewport.height - height - 8, at.bottom + 8);
    this.#card.style.left = `${Math.round(left)}px`;
    this.#card.style.top = `${Math.round(Math.max(8, top))}px`;
    this.#card.style.width = `${Math.round(width)}px`;
    this.#card.focus({ preventScroll: true });
  }

  /** The blockers changed while the confirm is open (a fix arrived, a verdict came in). */
  render(blockers: readonly SendBlocker[]): void {
    this.#blockers = blockers;
    const lines = blockers.slice(0, SHOWN_LINES).map((b) => {
      const li = this.doc.createElement('li');
      li.dataset.address = b.address;
      li.textContent = b.text;
      return li;
    });
    if (blockers.length > SHOWN_LINES) {
      const more = this.doc.createElement('li');
      more.className = 'mp-more';
      more.textContent = `and ${blockers.length - SHOWN_LINES} more (listed in MailPing's notice).`;
      lines.push(more);
    }
    this.#lines.replaceChildren(...lines);
    const typos = blockers.filter((b) => b.suggestion !== null);
    // "Fix" applies the typo fixes; with none, it goes back to the recipients to remove the bad one.
    this.#fix.setAttribute(
      'aria-label',
      typos.length > 0 ? `Fix: ${typos.map((b) => `use ${b.suggestion}`).join(', ')}` : 'Fix: back to the recipients',
    );
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    showInTopLayer(this.#card, false);
    this.host.style.setProperty('display', 'none', 'important');
  }

  destroy(): void {
    this.close();
    this.host.remove();
  }

  #button(className: string, text: string, onClick: () => void): HTMLButtonElement {
    const b = this.doc.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    b.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      if (this.actions.isTrusted(e)) onClick();
    });
    return b;
  }
}
