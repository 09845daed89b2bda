import { classifyField, type FieldKind } from './field-detection';

/**
 * Finds address fields now and later: one pass over the document when the script starts, then
 * a MutationObserver whose records are collected and handled once per animation frame (a page
 * that inserts a thousand rows costs one batch, not a thousand scans). Open shadow roots are
 * scanned and observed like the document; iframes get their own copy of the content script.
 */
export interface FieldWatcherCallbacks {
  found(input: HTMLInputElement, kind: FieldKind): void;
  lost(input: HTMLInputElement): void;
}

/** Runs `work` soon, once per batch (requestAnimationFrame in the page; synchronous in tests). */
export type Scheduler = (work: () => void) => void;

const WATCHED_ATTRIBUTES = ['type', 'name', 'id', 'autocomplete', 'placeholder', 'aria-label', 'disabled', 'readonly', 'inputmode', 'aria-disabled', 'aria-readonly'];

export class FieldWatcher {
  readonly #tracked = new Map<HTMLInputElement, FieldKind>();
  readonly #observed = new WeakSet<Node>();
  readonly #observer: MutationObserver;
  #added = new Set<Node>();
  #changed = new Set<HTMLInputElement>();
  #removals = false;
  #scheduled = false;
  #stopped = false;

  constructor(
    private readonly doc: Document,
    private readonly callbacks: FieldWatcherCallbacks,
    private readonly schedule: Scheduler,
  ) {
    const MutationObserverCtor = doc.defaultView?.MutationObserver ?? MutationObserver;
    this.#observer = new MutationObserverCtor((records) => this.#collect(records));
  }

  start(): void {
    this.#observe(this.doc);
    this.#scan(this.doc);
  }

  stop(): void {
    this.#stopped = true;
    this.#observer.disconnect();
    this.#tracked.clear();
  }

  get fields(): ReadonlyMap<HTMLInputElement, FieldKind> {
    return this.#tracked;
  }

  /** Handles what the observer collected so far, now (tests; a field the person focuses first). */
  flush(): void {
    this.#scheduled = false;
    if (this.#stopped) return;
    const added = this.#added;
    const changed = this.#changed;
    const removals = this.#removals;
    this.#added = new Set();
    this.#changed = new Set();
    this.#removals = false;

    for (const node of added) {
      if (!node.isConnected) continue;
      const el = node as Element;
      if (isOurs(el)) continue;
      if (el.tagName === 'INPUT') this.#consider(el as HTMLInputElement);
      if (el.firstElementChild || el.shadowRoot) this.#scan(el);
    }
    for (const input of changed) this.#consider(input);
    if (removals) {
      for (const input of [...this.#tracked.keys()]) {
        if (!input.isConnected) {
          this.#tracked.delete(input);
          this.callbacks.lost(input);
        }
      }
    }
  }

  /** The single pass: every element once, for inputs and for open shadow roots. */
  #scan(root: ParentNode & Node): void {
    const host = root as Partial<Element>;
    if (host.shadowRoot) this.#enterShadow(host.shadowRoot);
    const all = root.querySelectorAll('*');
    for (let i = 0; i < all.length; i++) {
      const el = all[i]!;
      if (el.tagName === 'INPUT') this.#consider(el as HTMLInputElement);
      else if (el.shadowRoot && !isOurs(el)) this.#enterShadow(el.shadowRoot);
    }
  }

  #enterShadow(shadow: ShadowRoot): void {
    if (this.#observed.has(shadow)) return;
    this.#observe(shadow);
    this.#scan(shadow);
  }

  #observe(target: Node): void {
    this.#observed.add(target);
    this.#observer.observe(target, { childList: true, subtree: true, attributes: true, attributeFilter: WATCHED_ATTRIBUTES });
  }

  #consider(input: HTMLInputElement): void {
    const kind = classifyField(input);
    const known = this.#tracked.get(input);
    if (kind === known) return;
    if (known !== undefined) {
      this.#tracked.delete(input);
      this.callbacks.lost(input);
    }
    if (kind !== null) {
      this.#tracked.set(input, kind);
      this.callbacks.found(input, kind);
    }
  }

  #collect(records: MutationRecord[]): void {
    for (const record of records) {
      if (record.type === 'attributes') {
        const target = record.target as Element;
        if (target.tagName === 'INPUT') this.#changed.add(target as HTMLInputElement);
        // A fieldset disabled or enabled: its fields with it.
        else if (target.tagName === 'FIELDSET') for (const input of Array.from(target.querySelectorAll('input'))) this.#changed.add(input);
        continue;
      }
      for (let i = 0; i < record.addedNodes.length; i++) {
        const node = record.addedNodes[i]!;
        if (node.nodeType === 1) this.#added.add(node);
      }
      if (record.removedNodes.length > 0 && this.#tracked.size > 0) this.#removals = true;
    }
    if (!this.#scheduled && (this.#added.size > 0 || this.#changed.size > 0 || this.#removals)) {
      this.#scheduled = true;
      this.schedule(() => this.flush());
    }
  }
}

/** MailPing's own elements (badges, toasts): never scanned, never observed. */
function isOurs(el: Element): boolean {
  return el.localName.startsWith('mailping-');
}
