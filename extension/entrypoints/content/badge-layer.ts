import type { BackgroundLink } from '@/lib/background-link';
import { BADGE_TAG } from '@/components/badge/badge-element';
import { LiveRegion } from '@/components/live-region';
import { FieldBadge } from './field-badge';
import type { FieldKind } from './field-detection';
import { FieldWatcher, type Scheduler } from './field-watcher';

/**
 * All badges of one document: finds the fields (field-watcher.ts), gives each a FieldBadge, and
 * keeps every badge on its field. Layout work is batched into one pass per animation frame,
 * triggered by what can move a field: scrolling (any scroll container, captured, passive),
 * resizing, the field's own size (ResizeObserver), its visibility (IntersectionObserver), DOM
 * changes and CSS transitions. A badge over a field that something else covers (a modal) hides.
 */
export interface BadgeLayerOptions {
  doc: Document;
  link: BackgroundLink;
  openOptions(): void;
  /** Defaults to the window's requestAnimationFrame. */
  schedule?: Scheduler;
  pauseMs?: number;
  /** Defaults to `event.isTrusted` (see FieldBadgeContext.userValues for why it matters). */
  isTrusted?(event: Event): boolean;
  /** Fields that get no badge: where a webmail's recipients are typed (their chips get marks). */
  skip?(input: HTMLInputElement): boolean;
}

const LIVE_TAG = 'mailping-live';

export class BadgeLayer {
  readonly #badges = new Map<HTMLInputElement, FieldBadge>();
  readonly #watcher: FieldWatcher;
  readonly #schedule: Scheduler;
  readonly #abort = new AbortController();
  #resizeObserver: ResizeObserver | null = null;
  #intersectionObserver: IntersectionObserver | null = null;
  #layoutScheduled = false;
  readonly #live: LiveRegion;
  #unsubscribeStatus: (() => void) | null = null;
  readonly #userValues = new Set<string>();

  constructor(private readonly options: BadgeLayerOptions) {
    this.#live = new LiveRegion(options.doc, LIVE_TAG);
    const win = options.doc.defaultView;
    this.#schedule = options.schedule ?? ((work) => (win ? win.requestAnimationFrame(() => work()) : setTimeout(work, 16)));
    this.#watcher = new FieldWatcher(
      options.doc,
      {
        found: (input, kind) => this.#add(input, kind),
        lost: (input) => this.#remove(input),
      },
      (work) =>
        this.#schedule(() => {
          work();
          this.requestLayout();
        }),
    );
  }

  start(): void {
    const { doc } = this.options;
    const win = doc.defaultView;
    if (win?.ResizeObserver) {
      this.#resizeObserver = new win.ResizeObserver((entries) => {
        for (const entry of entries) this.#badges.get(entry.target as HTMLInputElement)?.resized();
        this.requestLayout();
      });
    }
    if (win?.IntersectionObserver) {
      this.#intersectionObserver = new win.IntersectionObserver((entries) => {
        for (const entry of entries) this.#badges.get(entry.target as HTMLInputElement)?.setIntersecting(entry.isIntersecting);
      });
    }
    const passive = { capture: true, passive: true, signal: this.#abort.signal };
    const relayout = () => this.requestLayout();
    doc.addEventListener('scroll', relayout, passive);
    doc.addEventListener('transitionend', relayout, passive);
    doc.addEventListener('animationend', relayout, passive);
    win?.addEventListener('resize', relayout, { passive: true, signal: this.#abort.signal });
    this.#unsubscribeStatus = this.options.link.onStatus(() => {
      for (const badge of this.#badges.values()) badge.statusChanged();
    });
    this.#watcher.start();
    this.requestLayout();
  }

  stop(): void {
    this.#abort.abort();
    this.#watcher.stop();
    this.#resizeObserver?.disconnect();
    this.#intersectionObserver?.disconnect();
    this.#unsubscribeStatus?.();
    for (const badge of this.#badges.values()) badge.destroy();
    this.#badges.clear();
    this.#live.remove();
  }

  get badges(): ReadonlyMap<HTMLInputElement, FieldBadge> {
    return this.#badges;
  }

  /** Handles pending DOM changes and lays out now (tests, benchmarks). */
  flush(): void {
    this.#watcher.flush();
    this.#layout();
  }

  requestLayout(): void {
    if (this.#layoutScheduled) return;
    this.#layoutScheduled = true;
    this.#schedule(() => this.#layout());
  }

  #layout(): void {
    this.#layoutScheduled = false;
    const win = this.options.doc.defaultView;
    const viewport = { width: win?.innerWidth ?? 1024, height: win?.innerHeight ?? 768 };
    for (const badge of this.#badges.values()) badge.layout(viewport, isCovered);
  }

  /** Drops a field's badge (it turned out to be a webmail's recipient entry). */
  release(input: HTMLInputElement): void {
    this.#remove(input);
  }

  #add(input: HTMLInputElement, kind: FieldKind): void {
    if (this.options.skip?.(input)) return;
    const existing = this.#badges.get(input);
    if (existing) {
      existing.kind = kind;
      return;
    }
    const badge = new FieldBadge(input, kind, {
      doc: this.options.doc,
      link: this.options.link,
      requestLayout: () => this.requestLayout(),
      announce: (text) => this.#announce(text),
      openOptions: this.options.openOptions,
      pauseMs: this.options.pauseMs ?? 700,
      userValues: this.#userValues,
      isTrusted: this.options.isTrusted ?? ((event) => event.isTrusted),
    });
    this.#badges.set(input, badge);
    this.#resizeObserver?.observe(input);
    this.#intersectionObserver?.observe(input);
  }

  #remove(input: HTMLInputElement): void {
    const badge = this.#badges.get(input);
    if (!badge) return;
    this.#badges.delete(input);
    this.#resizeObserver?.unobserve(input);
    this.#intersectionObserver?.unobserve(input);
    badge.destroy();
  }

  /** One polite live region for the whole page: "alice@example.com: Deliverable". */
  #announce(text: string): void {
    this.#live.announce(text);
  }
}

/**
 * Whether something other than the field is on top of it (a modal, a cookie banner): then the
 * badge, which floats above everything, would float above that too.
 */
function isCovered(field: HTMLInputElement, rect: DOMRect): boolean {
  const root = field.getRootNode() as Document | ShadowRoot;
  if (typeof root.elementsFromPoint !== 'function') return false;
  const x = rect.left + Math.min(rect.width / 2, 12);
  const y = rect.top + rect.height / 2;
  const win = field.ownerDocument.defaultView;
  if (win && (x < 0 || y < 0 || x >= win.innerWidth || y >= win.innerHeight)) return false;
  for (const hit of root.elementsFromPoint(x, y)) {
    if (hit.localName === BADGE_TAG || hit.localName.startsWith('mailping-')) continue;
    return !(hit === field || field.contains(hit) || hit.contains(field) || hit.localName === 'label');
  }
  return false;
}
