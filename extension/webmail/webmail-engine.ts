import type { BackgroundLink } from '@/lib/background-link';
import type { WebmailAdapter } from './adapter';
import { ComposeSession } from './compose-session';
import { MessageHover } from './message-hover';
import { LiveRegion } from '@/components/live-region';
import { PersonActivity } from './person-activity';
import { SendGuard } from './send-guard';

/**
 * Webmail recipient checks in one document: finds the compose windows through the adapters
 * (the site's own first, the generic one after), keeps a ComposeSession per window, lays out
 * marks and notices once per animation frame (scrolling, resizing, DOM changes), and runs the
 * opened-message hover marks. One MutationObserver for all of it; the search for new compose
 * windows is throttled (a chatty page costs a few cheap passes a second, most pages none).
 */
export interface WebmailEngineOptions {
  doc: Document;
  link: BackgroundLink;
  /** In order of preference; the first that finds a compose window handles them all. */
  adapters(): readonly WebmailAdapter[];
  trustedHost: boolean;
  openOptions(): void;
  /** Tells the background which address the pointer is on (the context menu item). */
  reportHover(address: string | null): void;
  schedule?(work: () => void): void;
  isTrusted?(event: Event): boolean;
  /** How long DOM changes wait before compose windows are looked for again. */
  discoverEveryMs?: number;
  /** The recipient entries of newly found compose windows (the inline badges let go of them). */
  onRecipientEntries?(entries: HTMLElement[]): void;
  /** Whether a Send to a recipient that would bounce asks first (the setting; on by default). */
  warnBeforeSend?(): boolean;
}

const LIVE_TAG = 'mailping-live';

export class WebmailEngine {
  readonly sessions = new Map<Element, ComposeSession>();
  readonly #activity: PersonActivity;
  readonly #observer: MutationObserver;
  readonly #hover: MessageHover;
  readonly #sendGuard: SendGuard;
  readonly #abort = new AbortController();
  readonly #schedule: (work: () => void) => void;
  readonly #isTrusted: (event: Event) => boolean;
  #layoutScheduled = false;
  #discoverTimer: ReturnType<typeof setTimeout> | null = null;
  #lastDiscovery = 0;
  #dirty = new Set<ComposeSession>();
  #flushScheduled = false;
  readonly #live: LiveRegion;
  #unsubscribeStatus: (() => void) | null = null;
  #adapter: WebmailAdapter | null = null;
  #stopped = false;
  readonly #personAddresses = new Set<string>();

  constructor(private readonly options: WebmailEngineOptions) {
    this.#live = new LiveRegion(options.doc, LIVE_TAG);
    const win = options.doc.defaultView;
    this.#schedule = options.schedule ?? ((work) => (win ? win.requestAnimationFrame(() => work()) : setTimeout(work, 16)));
    this.#isTrusted = options.isTrusted ?? ((e) => e.isTrusted);
    this.#activity = new PersonActivity(options.doc, this.#isTrusted);
    const Observer = win?.MutationObserver ?? MutationObserver;
    this.#observer = new Observer((records) => this.#collect(records));
    this.#hover = new MessageHover({
      doc: options.doc,
      link: options.link,
      trustedHost: options.trustedHost,
      addressAt: (target) => this.#messageAdapter().messageAddressAt(target),
      inCompose: (el) => [...this.sessions.values()].some((s) => s.fields.some((f) => f.element.contains(el))),
      reportHover: options.reportHover,
      openOptions: options.openOptions,
      isTrusted: this.#isTrusted,
    });
    this.#sendGuard = new SendGuard({
      doc: options.doc,
      sessions: () => this.sessions.values(),
      enabled: () => options.warnBeforeSend?.() ?? true,
      isTrusted: this.#isTrusted,
    });
  }

  /** The adapter in charge (the one that found compose windows), for the popup's words. */
  get adapterName(): string | null {
    return this.#adapter?.name ?? (this.sessions.size > 0 ? 'webmail' : null);
  }

  start(): void {
    const { doc } = this.options;
    const attributes = new Set<string>(['aria-label', 'title']);
    for (const adapter of this.options.adapters()) for (const a of adapter.observedAttributes ?? []) attributes.add(a);
    this.#observer.observe(doc, { childList: true, subtree: true, attributes: true, attributeFilter: [...attributes] });
    this.#activity.start();
    this.#hover.start();
    this.#sendGuard.start();
    const passive = { capture: true, passive: true, signal: this.#abort.signal };
    const relayout = () => this.requestLayout();
    doc.addEventListener('scroll', relayout, passive);
    doc.addEventListener('transitionend', relayout, passive);
    doc.defaultView?.addEventListener('resize', relayout, { passive: true, signal: this.#abort.signal });
    // Text fields change without mutations: their sessions look again on input and on leaving them.
    const touched = (e: Event) => this.#touched(e.composedPath()[0] as Node);
    doc.addEventListener('input', touched, passive);
    doc.addEventListener('focusout', touched, passive);
    this.#unsubscribeStatus = this.options.link.onStatus(() => {
      for (const session of this.sessions.values()) session.statusChanged();
    });
    this.discover();
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
    this.#observer.disconnect();
    this.#activity.stop();
    this.#hover.stop();
    this.#sendGuard.stop();
    this.#unsubscribeStatus?.();
    if (this.#discoverTimer) clearTimeout(this.#discoverTimer);
    for (const session of this.sessions.values()) session.destroy();
    this.sessions.clear();
    this.#live.remove();
  }

  /** Whether an element is where a person types recipients (the inline badges leave it alone). */
  isRecipientEntry(el: Element): boolean {
    for (const session of this.sessions.values()) if (session.fields.some((f) => f.entry === el || f.element.contains(el))) return true;
    return false;
  }

  /** Looks for compose windows now, and drops the sessions of windows that closed. */
  discover(): void {
    if (this.#stopped) return;
    this.#lastDiscovery = Date.now();
    let roots: Element[] = [];
    for (const adapter of this.options.adapters()) {
      try {
        roots = adapter.composeWindows(this.options.doc);
      } catch {
        roots = [];
      }
      if (roots.length > 0) {
        this.#adapter = adapter;
        break;
      }
    }
    for (const root of roots) {
      if (this.sessions.has(root)) continue;
      const session = new ComposeSession(root, this.#adapter!, {
        doc: this.options.doc,
        link: this.options.link,
        activity: this.#activity,
        trustedHost: this.options.trustedHost,
        personAddresses: this.#personAddresses,
        announce: (text) => this.#announce(text),
        openOptions: this.options.openOptions,
        requestLayout: () => this.requestLayout(),
        isTrusted: this.#isTrusted,
      });
      this.sessions.set(root, session);
      session.refresh();
      this.options.onRecipientEntries?.(session.fields.map((f) => f.entry).filter((e): e is HTMLElement => e !== null));
    }
    for (const [root, session] of this.sessions) {
      if (root.isConnected && roots.includes(root)) continue;
      session.destroy();
      this.sessions.delete(root);
    }
    this.requestLayout();
  }

  /** Handles pending DOM changes and lays out now (tests). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#discoverTimer) {
      clearTimeout(this.#discoverTimer);
      this.#discoverTimer = null;
      this.discover();
    }
    for (const session of this.#dirty) if (this.sessions.has(session.root)) session.refresh();
    this.#dirty.clear();
    this.#layout();
  }

  requestLayout(): void {
    if (this.#layoutScheduled || this.#stopped) return;
    this.#layoutScheduled = true;
    this.#schedule(() => this.#layout());
  }

  #messageAdapter(): WebmailAdapter {
    const adapters = this.options.adapters();
    return this.#adapter ?? adapters.find((a) => a.matches(this.options.doc.defaultView?.location ?? { hostname: '' })) ?? adapters[adapters.length - 1]!;
  }

  #collect(records: MutationRecord[]): void {
    let added = false;
    for (const record of records) {
      const target = record.target;
      if (target.nodeType === 1 && (target as Element).localName.startsWith('mailping-')) continue;
      let ours = true;
      for (const list of [record.addedNodes, record.removedNodes]) {
        for (let i = 0; i < list.length; i++) {
          const node = list[i]!;
          if (node.nodeType === 1 && !(node as Element).localName.startsWith('mailping-')) {
            ours = false;
            if (list === record.addedNodes) added = true;
          } else if (node.nodeType === 3) ours = false;
        }
      }
      if (record.type === 'childList' && ours) continue;
      for (const session of this.sessions.values()) if (session.root.contains(target)) this.#dirty.add(session);
      if (record.removedNodes.length > 0) for (const session of this.sessions.values()) if (!session.root.isConnected) added = true;
    }
    if (added) this.#scheduleDiscovery();
    if (this.#dirty.size > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#schedule(() => {
        this.#flushScheduled = false;
        for (const session of this.#dirty) if (this.sessions.has(session.root)) session.refresh();
        this.#dirty.clear();
        this.#layout();
      });
    }
  }

  #touched(node: Node): void {
    for (const session of this.sessions.values()) {
      if (!session.root.contains(node)) continue;
      this.#dirty.add(session);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        this.#schedule(() => this.flush());
      }
    }
  }

  #scheduleDiscovery(): void {
    if (this.#discoverTimer) return;
    const every = this.options.discoverEveryMs ?? 400;
    const wait = Math.max(0, this.#lastDiscovery + every - Date.now());
    this.#discoverTimer = setTimeout(() => {
      this.#discoverTimer = null;
      this.discover();
    }, wait);
  }

  #layout(): void {
    this.#layoutScheduled = false;
    if (this.#stopped) return;
    const win = this.options.doc.defaultView;
    const viewport = { width: win?.innerWidth ?? 1024, height: win?.innerHeight ?? 768 };
    for (const session of this.sessions.values()) session.layout(viewport);
  }

  /** One polite live region: "nobody@example.com: Undeliverable". */
  #announce(text: string): void {
    this.#live.announce(text);
  }
}
