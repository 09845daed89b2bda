/**
 * Whether a new chip came from the person. On a webmail's own host every recipient is checked;
 * on a page MailPing knows nothing about, a chip is checked only when it appears right after
 * the person did something in that compose window (typed, pasted, dropped, clicked a
 * suggestion): otherwise any page could put addresses of its choosing into a "compose window"
 * and use the person's daemon to probe them (the inline badges follow the same rule).
 * Only trusted events count: a page's script cannot make them.
 */
const WINDOW_MS = 4000;
const EVENTS = ['keydown', 'pointerdown', 'paste', 'drop', 'input', 'cut', 'compositionend'] as const;

export class PersonActivity {
  #at = Number.NEGATIVE_INFINITY;
  #target: EventTarget | null = null;
  readonly #abort = new AbortController();

  constructor(
    private readonly doc: Document,
    private readonly isTrusted: (event: Event) => boolean = (e) => e.isTrusted,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    for (const type of EVENTS) {
      this.doc.addEventListener(
        type,
        (e) => {
          if (!this.isTrusted(e)) return;
          this.#at = this.now();
          this.#target = e.composedPath()[0] ?? e.target;
        },
        { capture: true, passive: true, signal: this.#abort.signal },
      );
    }
  }

  stop(): void {
    this.#abort.abort();
  }

  /** Something the person did in or for MailPing's own UI about this compose window (a fix). */
  note(target: Node): void {
    this.#at = this.now();
    this.#target = target;
  }

  /** The person acted inside `root` (or with the focus inside it) a moment ago. */
  actedIn(root: Node): boolean {
    if (this.now() - this.#at > WINDOW_MS) return false;
    const target = this.#target as Node | null;
    const active = this.doc.activeElement;
    return (target !== null && typeof target.nodeType === 'number' && root.contains(target)) || (active !== null && root.contains(active));
  }
}
