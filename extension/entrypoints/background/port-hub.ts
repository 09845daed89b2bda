import type { Browser } from 'wxt/browser';
import { checksClientMessageSchema, type CheckState, type ChecksServerMessage, type DaemonStatusView } from '@/lib/messages';
import type { VerificationService } from './verification-service';

/**
 * The "checks" ports: each page part that waits on verifications (a content script with badges
 * or a toast, the popup) holds one. A port watches addresses; every state change of a watched
 * address is pushed to it. When the worker stops, the ports break and their owners connect
 * again and re-watch, which is what makes a worker restart lose nothing.
 */
type Port = Browser.runtime.Port;

interface Watcher {
  port: Port;
  /** Normalized key → the spellings this port asked with (answers use the port's own spelling). */
  watched: Map<string, Set<string>>;
}

export class PortHub {
  readonly #watchers = new Set<Watcher>();

  constructor(
    private readonly service: VerificationService,
    private readonly ready: Promise<void>,
    private readonly statusView: () => DaemonStatusView,
  ) {
    service.onState((key, state) => this.#push(key, state));
  }

  accept(port: Port): void {
    const watcher: Watcher = { port, watched: new Map() };
    this.#watchers.add(watcher);
    port.onDisconnect.addListener(() => this.#watchers.delete(watcher));
    // Listen at once: messages that arrive before the cache is loaded must not be lost.
    port.onMessage.addListener((raw: unknown) => {
      void this.ready.then(() => this.#receive(watcher, raw));
    });
    void this.ready.then(() => this.#post(watcher, { type: 'status', status: this.statusView() }));
  }

  broadcastStatus(view: DaemonStatusView): void {
    for (const watcher of this.#watchers) this.#post(watcher, { type: 'status', status: view });
  }

  get size(): number {
    return this.#watchers.size;
  }

  #receive(watcher: Watcher, raw: unknown): void {
    const parsed = checksClientMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    const key = this.service.keyOf(message.address);
    switch (message.type) {
      case 'watch': {
        // Answer this port directly (a cached or already-running check announces nothing), and
        // only then subscribe it, so a newly started check is not reported to it twice.
        const state = this.service.check(message.address, message.fresh ?? false);
        this.#post(watcher, { type: 'state', address: message.address, state });
        if (key !== null) {
          const spellings = watcher.watched.get(key) ?? new Set();
          spellings.add(message.address);
          watcher.watched.set(key, spellings);
        }
        return;
      }
      case 'unwatch': {
        if (key === null) return;
        const spellings = watcher.watched.get(key);
        spellings?.delete(message.address);
        if (spellings?.size === 0) watcher.watched.delete(key);
        return;
      }
      case 'peek':
        this.#post(watcher, { type: 'state', address: message.address, state: this.service.peek(message.address) });
        return;
    }
  }

  #push(key: string, state: CheckState): void {
    for (const watcher of this.#watchers) {
      for (const address of watcher.watched.get(key) ?? []) this.#post(watcher, { type: 'state', address, state });
    }
  }

  #post(watcher: Watcher, message: ChecksServerMessage): void {
    try {
      watcher.port.postMessage(message);
    } catch {
      this.#watchers.delete(watcher);
    }
  }
}
