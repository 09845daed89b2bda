import type { CheckState, ChecksClientMessage, ChecksServerMessage, DaemonStatusView } from './messages';

/**
 * A page's end of the "checks" port (content scripts and the popup). The port is opened when
 * something is watched and closed a little after nothing is, so an idle tab never keeps the
 * background awake. When the port breaks while addresses are watched (the service worker was
 * stopped or restarted), it reconnects and watches them again: that is how a worker restart
 * loses nothing from the page's point of view.
 */
export interface PortLike {
  postMessage(message: ChecksClientMessage): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: ChecksServerMessage) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export type CheckListener = (state: CheckState) => void;

export interface BackgroundLinkOptions {
  connect(): PortLike;
  /** Close the port this long after the last watch ends (Infinity: keep it, as the popup does). */
  idleCloseMs?: number;
  reconnectDelaysMs?: readonly number[];
}

export class BackgroundLink {
  readonly #connect: () => PortLike;
  readonly #idleCloseMs: number;
  readonly #delays: readonly number[];
  #port: PortLike | null = null;
  readonly #watchers = new Map<string, Set<CheckListener>>();
  /** Addresses whose watch asked for a fresh check and has no final answer yet. */
  readonly #fresh = new Set<string>();
  readonly #peeks = new Map<string, ((state: CheckState | null) => void)[]>();
  readonly #statusListeners = new Set<(status: DaemonStatusView) => void>();
  #status: DaemonStatusView | null = null;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #failures = 0;
  #closed = false;

  constructor(options: BackgroundLinkOptions) {
    this.#connect = options.connect;
    this.#idleCloseMs = options.idleCloseMs ?? 3000;
    this.#delays = options.reconnectDelaysMs ?? [50, 250, 1000, 2000];
  }

  get status(): DaemonStatusView | null {
    return this.#status;
  }

  /** Watches an address until the returned function is called. */
  watch(address: string, fresh: boolean, listener: CheckListener): () => void {
    let listeners = this.#watchers.get(address);
    if (!listeners) {
      listeners = new Set();
      this.#watchers.set(address, listeners);
    }
    listeners.add(listener);
    if (fresh) this.#fresh.add(address);
    this.#send({ type: 'watch', address, ...(fresh && { fresh: true }) });
    return () => {
      const set = this.#watchers.get(address);
      if (!set?.delete(listener) || set.size > 0) return;
      this.#watchers.delete(address);
      this.#fresh.delete(address);
      this.#send({ type: 'unwatch', address });
      this.#maybeIdle();
    };
  }

  /** What the background knows about an address, without starting a check. */
  peek(address: string): Promise<CheckState | null> {
    return new Promise((resolve) => {
      const waiting = this.#peeks.get(address) ?? [];
      waiting.push(resolve);
      this.#peeks.set(address, waiting);
      this.#send({ type: 'peek', address });
    });
  }

  onStatus(listener: (status: DaemonStatusView) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Asks for the daemon status (the background sends it to every new port). */
  requestStatus(): void {
    this.#ensurePort();
    this.#maybeIdle();
  }

  close(): void {
    this.#closed = true;
    this.#clearTimers();
    this.#watchers.clear();
    for (const waiting of this.#peeks.values()) for (const resolve of waiting) resolve(null);
    this.#peeks.clear();
    const port = this.#port;
    this.#port = null;
    try {
      port?.disconnect();
    } catch {
      // Already gone.
    }
  }

  #send(message: ChecksClientMessage): void {
    const port = this.#ensurePort();
    if (!port) return;
    try {
      port.postMessage(message);
    } catch {
      // The port broke between connect and send; onDisconnect resends what is watched.
    }
  }

  #ensurePort(): PortLike | null {
    if (this.#closed) return null;
    if (this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    if (this.#port) return this.#port;
    let port: PortLike;
    try {
      port = this.#connect();
    } catch {
      // The extension was reloaded or removed: this script is an orphan now.
      this.close();
      return null;
    }
    this.#port = port;
    port.onMessage.addListener((message) => {
      if (this.#port === port) this.#receive(message);
    });
    port.onDisconnect.addListener(() => {
      if (this.#port !== port) return;
      this.#port = null;
      this.#onBroken();
    });
    return port;
  }

  #receive(message: ChecksServerMessage): void {
    this.#failures = 0;
    if (message.type === 'status') {
      this.#status = message.status;
      for (const listener of this.#statusListeners) listener(message.status);
      return;
    }
    const waiting = this.#peeks.get(message.address);
    if (waiting) {
      this.#peeks.delete(message.address);
      for (const resolve of waiting) resolve(message.state);
    }
    if (message.state !== null) {
      if (message.state.kind === 'done' || message.state.kind === 'failed') this.#fresh.delete(message.address);
      for (const listener of this.#watchers.get(message.address) ?? []) listener(message.state);
    }
    this.#maybeIdle();
  }

  #onBroken(): void {
    // Peeks are cheap to lose: say "unknown" rather than hang.
    for (const waiting of this.#peeks.values()) for (const resolve of waiting) resolve(null);
    this.#peeks.clear();
    const keepOpen = !Number.isFinite(this.#idleCloseMs);
    if ((this.#watchers.size === 0 && !keepOpen) || this.#closed) return;
    const delay = this.#delays[Math.min(this.#failures, this.#delays.length - 1)] ?? 1000;
    this.#failures += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#ensurePort();
      for (const address of this.#watchers.keys()) {
        this.#send({ type: 'watch', address, ...(this.#fresh.has(address) && { fresh: true }) });
      }
    }, delay);
  }

  #maybeIdle(): void {
    if (this.#watchers.size > 0 || this.#peeks.size > 0 || !this.#port || this.#idleTimer) return;
    if (!Number.isFinite(this.#idleCloseMs)) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#watchers.size > 0 || this.#peeks.size > 0) return;
      const port = this.#port;
      this.#port = null;
      try {
        port?.disconnect();
      } catch {
        // Already gone.
      }
    }, this.#idleCloseMs);
  }

  #clearTimers(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#idleTimer = null;
    this.#reconnectTimer = null;
  }
}
