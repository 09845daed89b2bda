import { isCtrlEnter } from './compose-structure';
import type { ComposeSession } from './compose-session';

/**
 * Stops a Send that would bounce, before the webmail sees it: the person's press of a Send
 * control (pointer, or Enter/Space on it) or Ctrl/Cmd+Enter in a compose window is caught in the
 * capture phase on the window, ahead of the page's own handlers. When a recipient is
 * undeliverable (or a likely typo) the events are swallowed and the session's confirm opens;
 * "Send anyway" replays the gesture on the same element, and the page's handler runs as if
 * nothing happened. Otherwise nothing is held: the check is a walk over the marks already there
 * (no message, no wait), and a recipient still being checked never holds up a Send.
 *
 * Only the person's own events are judged (isTrusted): the replay, and a page's own scripted
 * sends, pass untouched.
 */
export interface SendGuardOptions {
  doc: Document;
  sessions(): Iterable<ComposeSession>;
  /** The "warn before sending" setting. */
  enabled(): boolean;
  isTrusted(event: Event): boolean;
}

const POINTER_EVENTS = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click'] as const;

/** How to do again what the person did, once they chose "Send anyway". */
export type Replay = () => void;

export class SendGuard {
  readonly #abort = new AbortController();
  /** The press in progress (down → up → click): its events all share the first one's fate. */
  #gesture: { target: EventTarget; blocked: boolean } | null = null;
  /** A swallowed keydown: its keyup is swallowed too. */
  #blockedKey: string | null = null;

  constructor(private readonly options: SendGuardOptions) {}

  start(): void {
    const win = this.options.doc.defaultView;
    if (!win) return;
    const listen = { capture: true, signal: this.#abort.signal };
    for (const type of POINTER_EVENTS) win.addEventListener(type, (e) => this.#pointer(e as MouseEvent), listen);
    win.addEventListener('keydown', (e) => this.#keydown(e), listen);
    win.addEventListener('keyup', (e) => this.#keyup(e), listen);
  }

  stop(): void {
    this.#abort.abort();
  }

  #pointer(event: MouseEvent): void {
    if (event.button !== 0 || !this.options.isTrusted(event)) return;
    const first = event.type === 'pointerdown' || (event.type === 'mousedown' && this.#gesture === null);
    if (!first && this.#gesture) {
      if (this.#gesture.blocked) swallow(event);
      if (event.type === 'click') this.#gesture = null;
      return;
    }
    const path = event.composedPath();
    const blocked = this.#judge(path, (session, control) => replayPointer(path[0] ?? control, control, event));
    if (blocked) swallow(event);
    this.#gesture = event.type === 'click' ? null : { target: path[0] ?? event.target!, blocked };
  }

  #keydown(event: KeyboardEvent): void {
    if (!this.options.isTrusted(event) || (event.key !== 'Enter' && event.key !== ' ')) return;
    const path = event.composedPath();
    let blocked = false;
    if (isCtrlEnter(event)) {
      const session = this.#sessionAround(path);
      if (session && session.adapter.sendsOnCtrlEnter(session.root)) {
        blocked = this.#decide(session, null, () => replayKey(path[0] ?? session.root, event));
      }
    } else if (!event.ctrlKey && !event.metaKey && !event.altKey) {
      blocked = this.#judge(path, (_session, control) => replayKeyOn(control, path[0] ?? control, event));
    }
    if (blocked) {
      swallow(event);
      this.#blockedKey = event.key;
    }
  }

  #keyup(event: KeyboardEvent): void {
    if (this.#blockedKey !== null && event.key === this.#blockedKey && this.options.isTrusted(event)) {
      this.#blockedKey = null;
      swallow(event);
    }
  }

  /** Whether the event is on a Send control that must wait; opens the confirm when it must. */
  #judge(path: EventTarget[], replay: (session: ComposeSession, control: Element) => void): boolean {
    if (!this.options.enabled()) return false;
    for (const session of this.options.sessions()) {
      // Cheap first: a compose window with nothing to warn about needs no look at its controls.
      if (!session.confirmOpen && session.sendBlockers().length === 0) continue;
      let controls: Element[] = [];
      try {
        controls = session.adapter.sendControls?.(session.root) ?? [];
      } catch {
        controls = [];
      }
      const control = controls.find((c) => path.includes(c));
      if (control) return this.#decide(session, control, () => replay(session, control));
    }
    return false;
  }

  #decide(session: ComposeSession, control: Element | null, replay: Replay): boolean {
    if (!this.options.enabled()) return false;
    // A second press while the confirm is open answers nothing: the confirm keeps the focus.
    if (session.confirmOpen) {
      session.focusConfirm();
      return true;
    }
    const blockers = session.sendBlockers();
    if (blockers.length === 0) return false;
    session.openConfirm(blockers, control, replay);
    return true;
  }

  #sessionAround(path: EventTarget[]): ComposeSession | null {
    for (const session of this.options.sessions()) if (path.includes(session.root)) return session;
    return null;
  }
}

function swallow(event: Event): void {
  event.preventDefault();
  event.stopImmediatePropagation();
}

/** The press again, on the element the person pressed (or the control, if that one is gone). */
function replayPointer(target: EventTarget, control: Element, original: MouseEvent): void {
  const el = target instanceof Node && target.isConnected ? (target as Element) : control;
  const win = el.ownerDocument?.defaultView;
  if (!win) return;
  const init = {
    bubbles: true,
    cancelable: true,
    composed: true,
    clientX: original.clientX,
    clientY: original.clientY,
    screenX: original.screenX,
    screenY: original.screenY,
    button: 0,
    view: win,
  };
  const Pointer = win.PointerEvent ?? win.MouseEvent;
  el.dispatchEvent(new Pointer('pointerdown', { ...init, buttons: 1, pointerId: 1, isPrimary: true, pointerType: 'mouse' }));
  el.dispatchEvent(new win.MouseEvent('mousedown', { ...init, buttons: 1, detail: 1 }));
  el.dispatchEvent(new Pointer('pointerup', { ...init, buttons: 0, pointerId: 1, isPrimary: true, pointerType: 'mouse' }));
  el.dispatchEvent(new win.MouseEvent('mouseup', { ...init, buttons: 0, detail: 1 }));
  el.dispatchEvent(new win.MouseEvent('click', { ...init, buttons: 0, detail: 1 }));
}

/** A key press again on `target` (its focus given back first): Ctrl+Enter in the body. */
function replayKey(target: EventTarget, original: KeyboardEvent): void {
  const el = target instanceof Node && target.isConnected ? (target as HTMLElement) : null;
  if (!el) return;
  const win = el.ownerDocument.defaultView;
  if (!win) return;
  if (typeof el.focus === 'function') el.focus({ preventScroll: true });
  const init = {
    key: original.key,
    code: original.code,
    keyCode: original.keyCode,
    which: original.keyCode,
    ctrlKey: original.ctrlKey,
    metaKey: original.metaKey,
    shiftKey: original.shiftKey,
    altKey: original.altKey,
    bubbles: true,
    cancelable: true,
    composed: true,
    view: win,
  };
  el.dispatchEvent(new win.KeyboardEvent('keydown', init));
  el.dispatchEvent(new win.KeyboardEvent('keyup', init));
}

/**
 * Enter or Space on a Send control again: a native button or link acts on its click (a script's
 * key event has no default action), a div[role=button] on the key itself.
 */
function replayKeyOn(control: Element, target: EventTarget, original: KeyboardEvent): void {
  const native = control.matches('button, a[href], input[type="submit"], input[type="button"]');
  if (native) (control as HTMLElement).click();
  else replayKey(target, original);
}
