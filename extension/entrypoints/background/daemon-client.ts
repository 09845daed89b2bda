import {
  decodeServerMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ErrorCode,
  type ProgressStage,
  type ServerMessage,
  type VerificationResult,
} from '@mailping/shared';
import type { DaemonStatus, Outcome } from '@/lib/messages';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './reconnect-backoff';

/**
 * The one WebSocket to the daemon. It owns the connection's whole life: connect, authenticate
 * (hello with the token, or pair with a code), keep requests that cannot be sent yet in an
 * outbox, send them when the daemon is there, put what was in flight back in the outbox when
 * the connection drops, reconnect with backoff, and ping while work is pending (each message
 * resets Chrome's 30-second idle timer of the service worker; a missing pong reveals a dead
 * connection). Nothing here touches `browser.*`: the background wires it to storage and
 * events, tests wire it to a real WebSocket server.
 */

/** What the client needs of a WebSocket: the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown }) => void): void;
}

export interface DaemonConfig {
  url: string;
  /** null for a server elsewhere: there is nothing to probe without a host permission. */
  healthUrl: string | null;
  token: string | null;
}

export interface VerifyHandlers {
  onProgress(stage: ProgressStage): void;
  onResult(result: VerificationResult, cached: boolean): void;
  /** A final refusal; transient ones (rate limits, a daemon restart) are retried here. */
  onError(code: ErrorCode, message: string): void;
}

export interface DaemonClientOptions {
  createSocket(url: string): WebSocketLike;
  /** Read before every attempt: the endpoint or the token may have changed. */
  loadConfig(): Promise<DaemonConfig>;
  /** Whether anything answers HTTP at the daemon's address (tells "not running" from "refused"). */
  probe(healthUrl: string | null): Promise<boolean>;
  saveToken(token: string): Promise<void>;
  onStatus(status: DaemonStatus): void;
  /** Results the daemon pushes on its own (greylisting retries). */
  onUpdate(result: VerificationResult): void;
  /** Called on every keepalive tick while work is pending, connected or not. */
  onKeepalive?(): void;
  clientInfo: { name: string; version: string };
  backoff?: BackoffPolicy;
  connectTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  keepaliveMs?: number;
  pongTimeoutMs?: number;
  historyTimeoutMs?: number;
  random?: () => number;
}

type Phase = 'idle' | 'connecting' | 'handshake' | 'ready' | 'backoff' | 'stopped';

interface VerifyRequest {
  id: string;
  address: string;
  fresh: boolean;
  handlers: VerifyHandlers;
  /** Transient refusals so far; after a few the request fails for good. */
  retries: number;
}

interface Waiter<T> {
  resolve(outcome: Outcome<T>): void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;
const MAX_IN_FLIGHT = 64;
const MAX_TRANSIENT_RETRIES = 5;
/** A new request while retrying: try at once if the last attempt is at least this old. */
const EAGER_RETRY_AFTER_MS = 2000;
const TRANSIENT_ERRORS: ReadonlySet<ErrorCode> = new Set(['rate_limited', 'queue_full', 'shutting_down', 'cancelled']);

export class DaemonClient {
  readonly #o: Required<Omit<DaemonClientOptions, 'onKeepalive'>> & Pick<DaemonClientOptions, 'onKeepalive'>;
  #phase: Phase = 'idle';
  #status: DaemonStatus = { kind: 'connecting' };
  #socket: WebSocketLike | null = null;
  /** Bumped on every attempt, so late events of an old socket or probe are ignored. */
  #generation = 0;
  /** The attempt whose failure the status shows: an older probe must not overwrite a newer one. */
  #reportedGeneration = 0;
  #attempt = 0;
  #lastAttemptAt = 0;
  #nextId = 1;
  #maxInFlight = MAX_IN_FLIGHT;
  #pairing: { code: string; label?: string; waiter: Waiter<void> } | null = null;
  readonly #outbox: VerifyRequest[] = [];
  readonly #inFlight = new Map<string, VerifyRequest>();
  readonly #delayed = new Map<string, { request: VerifyRequest; timer: ReturnType<typeof setTimeout> }>();
  readonly #histories = new Map<string, Waiter<VerificationResult[]>>();
  readonly #readyWaiters: ((ready: boolean) => void)[] = [];
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #phaseTimer: ReturnType<typeof setTimeout> | null = null;
  #keepaliveTimer: ReturnType<typeof setInterval> | null = null;
  #pongTimer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;

  constructor(options: DaemonClientOptions) {
    this.#o = {
      backoff: DEFAULT_BACKOFF,
      connectTimeoutMs: 5000,
      handshakeTimeoutMs: 5000,
      keepaliveMs: 20_000,
      pongTimeoutMs: 10_000,
      historyTimeoutMs: 10_000,
      random: Math.random,
      ...options,
    };
  }

  get status(): DaemonStatus {
    return this.#status;
  }

  /** Verifications not answered yet (queued, in flight, or waiting to be retried). */
  get pendingCount(): number {
    return this.#outbox.length + this.#inFlight.size + this.#delayed.size;
  }

  /** Queues a verification; it is sent as soon as the daemon is there. Returns the request id. */
  verify(address: string, fresh: boolean, handlers: VerifyHandlers): string {
    const request: VerifyRequest = { id: `v${this.#nextId++}`, address, fresh, handlers, retries: 0 };
    this.#outbox.push(request);
    this.#afterNewWork();
    return request.id;
  }

  /** Stops caring about a request: dropped if unsent, cancelled at the daemon if in flight. */
  cancel(id: string): void {
    const queued = this.#outbox.findIndex((r) => r.id === id);
    if (queued >= 0) this.#outbox.splice(queued, 1);
    const delayed = this.#delayed.get(id);
    if (delayed) {
      clearTimeout(delayed.timer);
      this.#delayed.delete(id);
    }
    if (this.#inFlight.delete(id)) this.#send({ type: 'cancel', id });
    this.#updateKeepalive();
    this.#pump();
  }

  /** The daemon's latest results. Not queued: a person looking at the popup wants an answer now. */
  async history(limit: number): Promise<Outcome<VerificationResult[]>> {
    if (!(await this.#whenReady())) return { ok: false, message: 'not connected to the daemon' };
    const id = `h${this.#nextId++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#histories.delete(id);
        resolve({ ok: false, message: 'the daemon did not answer in time' });
      }, this.#o.historyTimeoutMs);
      this.#histories.set(id, { resolve, timer });
      this.#send({ type: 'history', id, limit });
    });
  }

  /**
   * Pairs with a code from `mailping pair` on a fresh connection. On success the token is saved
   * (through `saveToken`) and the same connection carries on, authenticated.
   */
  pair(code: string, label?: string): Promise<Outcome<void>> {
    this.#pairing?.waiter.resolve({ ok: false, message: 'replaced by a newer pairing attempt' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.#pairing?.waiter.timer === timer) this.#finishPairing({ ok: false, message: 'the daemon did not answer in time' });
      }, this.#o.connectTimeoutMs + this.#o.handshakeTimeoutMs);
      this.#pairing = { code, ...(label !== undefined && { label }), waiter: { resolve, timer } };
      this.#drop();
      this.#attempt = 0;
      void this.#connect();
    });
  }

  /** Resolves true once connected; false if the attempt under way (if any) fails. */
  #whenReady(): Promise<boolean> {
    if (this.#phase === 'ready') return Promise.resolve(true);
    if (this.#phase !== 'connecting' && this.#phase !== 'handshake') return Promise.resolve(false);
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  #settleReadyWaiters(ready: boolean): void {
    for (const resolve of this.#readyWaiters.splice(0)) resolve(ready);
  }

  /** Someone needs the daemon (a popup opened, a page asked): connect if idle, retry early if waiting. */
  connect(): void {
    if (this.#disposed) return;
    if (this.#phase === 'idle') void this.#connect();
    else if (this.#phase === 'backoff' && Date.now() - this.#lastAttemptAt >= EAGER_RETRY_AFTER_MS) void this.#connect();
  }

  /** A person asked to retry, or the settings changed: start over with a fresh connection. */
  restart(): void {
    if (this.#disposed) return;
    this.#drop();
    this.#attempt = 0;
    void this.#connect();
  }

  /** Keepalive, and a liveness check: a connection that does not answer within the timeout is dropped. */
  ping(): void {
    if (this.#phase !== 'ready' || this.#pongTimer) return;
    this.#send({ type: 'ping', id: `k${this.#nextId++}` });
    const generation = this.#generation;
    this.#pongTimer = setTimeout(() => {
      this.#pongTimer = null;
      if (generation === this.#generation && this.#phase === 'ready') this.#lost(true);
    }, this.#o.pongTimeoutMs);
  }

  dispose(): void {
    this.#disposed = true;
    this.#drop();
    this.#clearReconnect();
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    this.#stopKeepalive();
  }

  // ---- connection life ------------------------------------------------------------------

  async #connect(): Promise<void> {
    this.#clearReconnect();
    const generation = ++this.#generation;
    this.#lastAttemptAt = Date.now();
    this.#phase = 'connecting';
    const config = await this.#o.loadConfig();
    if (generation !== this.#generation || this.#disposed) return;
    if (!this.#pairing && !config.token) {
      this.#phase = 'stopped';
      this.#setStatus({ kind: 'not_paired' });
      this.#settleReadyWaiters(false);
      return;
    }
    if (this.#status.kind === 'not_paired' || this.#status.kind === 'unauthorized' || this.#status.kind === 'incompatible') {
      this.#setStatus({ kind: 'connecting' });
    }

    let socket: WebSocketLike;
    try {
      socket = this.#o.createSocket(config.url);
    } catch {
      // A malformed URL: nothing will ever answer there.
      this.#failedToOpen(generation, config);
      return;
    }
    this.#socket = socket;
    let opened = false;
    this.#phaseTimer = setTimeout(() => {
      if (generation === this.#generation) this.#lost(opened, config);
    }, this.#o.connectTimeoutMs);

    socket.addEventListener('open', () => {
      if (generation !== this.#generation) return;
      opened = true;
      this.#phase = 'handshake';
      this.#clearPhaseTimer();
      this.#phaseTimer = setTimeout(() => {
        if (generation === this.#generation) this.#lost(true, config);
      }, this.#o.handshakeTimeoutMs);
      if (this.#pairing) {
        const { code, label } = this.#pairing;
        this.#send({ type: 'pair', version: PROTOCOL_VERSION, code, ...(label !== undefined && { label }) });
      } else {
        this.#send({ type: 'hello', version: PROTOCOL_VERSION, token: config.token ?? '', client: this.#o.clientInfo });
      }
    });
    socket.addEventListener('message', (event) => {
      if (generation !== this.#generation || typeof event.data !== 'string') return;
      const decoded = decodeServerMessage(event.data);
      // A frame we cannot read is the daemon's bug, not a reason to drop the connection.
      if (decoded.ok) this.#receive(decoded.message);
    });
    // Browsers fire `error` then `close`; ws (in tests) does the same. Either one ends the attempt.
    const ended = () => {
      if (generation === this.#generation && this.#socket === socket) this.#lost(opened, config);
    };
    socket.addEventListener('error', ended);
    socket.addEventListener('close', ended);
  }

  #receive(message: ServerMessage): void {
    this.#clearPongTimer();
    switch (message.type) {
      case 'paired':
        void this.#o.saveToken(message.token);
        return;
      case 'welcome':
        this.#clearPhaseTimer();
        this.#phase = 'ready';
        this.#attempt = 0;
        this.#maxInFlight = Math.max(1, Math.min(MAX_IN_FLIGHT, message.limits.maxPending));
        this.#setStatus({ kind: 'connected', daemonVersion: message.daemon.version });
        this.#finishPairing({ ok: true, value: undefined });
        this.#settleReadyWaiters(true);
        this.#pump();
        this.#updateKeepalive();
        return;
      case 'progress':
        this.#inFlight.get(message.id)?.handlers.onProgress(message.stage);
        return;
      case 'result': {
        const request = this.#inFlight.get(message.id);
        if (!request) return;
        this.#inFlight.delete(message.id);
        request.handlers.onResult(message.result, message.cached);
        this.#afterSettled();
        return;
      }
      case 'update':
        this.#o.onUpdate(message.result);
        return;
      case 'history_result': {
        const waiter = this.#histories.get(message.id);
        if (!waiter) return;
        clearTimeout(waiter.timer);
        this.#histories.delete(message.id);
        waiter.resolve({ ok: true, value: message.results });
        return;
      }
      case 'error':
        this.#receiveError(message);
        return;
      case 'pong':
        return;
    }
  }

  #receiveError(message: Extract<ServerMessage, { type: 'error' }>): void {
    const { id, code } = message;
    // A server budgets wrong codes per source address: past it, pairing is refused for a while.
    if ((code === 'pairing_failed' || (code === 'rate_limited' && id === undefined)) && this.#pairing) {
      this.#finishPairing({ ok: false, message: message.message });
      // Back to the saved token, if there is one.
      this.restart();
      return;
    }
    if (code === 'unauthorized' || code === 'version_mismatch') {
      this.#stop(
        code === 'unauthorized'
          ? { kind: 'unauthorized', message: message.message }
          : { kind: 'incompatible', message: message.message },
      );
      return;
    }
    if (id === undefined) return;
    const history = this.#histories.get(id);
    if (history) {
      clearTimeout(history.timer);
      this.#histories.delete(id);
      history.resolve({ ok: false, message: message.message });
      return;
    }
    const request = this.#inFlight.get(id);
    if (!request) return;
    this.#inFlight.delete(id);
    if (TRANSIENT_ERRORS.has(code) && request.retries < MAX_TRANSIENT_RETRIES) {
      request.retries += 1;
      const delay = message.retryAfterMs ?? backoffDelay(request.retries, this.#o.backoff, this.#o.random);
      const timer = setTimeout(() => {
        this.#delayed.delete(request.id);
        this.#outbox.unshift(request);
        this.#pump();
      }, delay);
      this.#delayed.set(request.id, { request, timer });
    } else {
      request.handlers.onError(code, message.message);
    }
    this.#afterSettled();
  }

  /** The connection ended (or never opened): requeue, tell, and try again later. */
  #lost(opened: boolean, config?: DaemonConfig): void {
    const wasReady = this.#phase === 'ready';
    this.#drop();
    if (this.#pairing) {
      this.#finishPairing({
        ok: false,
        message: opened ? 'the daemon closed the connection' : 'could not reach the daemon: is `mailping serve` running?',
      });
    }
    if (!opened && config) {
      this.#failedToOpen(this.#generation, config);
      return;
    }
    if (wasReady) this.#setStatus({ kind: 'connecting' });
    this.#attempt = 0;
    this.#scheduleReconnect();
  }

  #failedToOpen(generation: number, config: DaemonConfig): void {
    this.#settleReadyWaiters(false);
    this.#phase = 'backoff';
    const delay = this.#scheduleReconnect();
    const nextAttemptAt = delay === null ? null : Date.now() + delay;
    void this.#o.probe(config.healthUrl).then((answers) => {
      // A later attempt may have connected (or been refused for good) while the probe ran.
      if (this.#phase === 'ready' || this.#phase === 'stopped' || generation < this.#reportedGeneration) return;
      this.#reportedGeneration = generation;
      this.#setStatus({ kind: answers ? 'refused' : 'not_running', nextAttemptAt });
    });
  }

  /** Returns the delay, or null when nothing is pending (the next request reconnects). */
  #scheduleReconnect(): number | null {
    this.#clearReconnect();
    if (this.#disposed || this.#phase === 'stopped') return null;
    if (this.pendingCount === 0 && this.#histories.size === 0 && !this.#pairing) {
      this.#phase = 'idle';
      return null;
    }
    this.#phase = 'backoff';
    const delay = backoffDelay(this.#attempt, this.#o.backoff, this.#o.random);
    this.#attempt += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#connect();
    }, delay);
    return delay;
  }

  /** Refused for good (bad token, other protocol): wait for new settings or a person's retry. */
  #stop(status: DaemonStatus): void {
    this.#drop();
    this.#phase = 'stopped';
    this.#setStatus(status);
    this.#finishPairing({ ok: false, message: status.kind === 'unauthorized' ? status.message : 'the daemon refused the connection' });
  }

  /** Closes the socket, if any, and puts every in-flight request back at the head of the outbox. */
  #drop(): void {
    this.#generation += 1;
    this.#clearPhaseTimer();
    this.#clearPongTimer();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      try {
        socket.close(1000, 'reconnecting');
      } catch {
        // Already closed.
      }
    }
    this.#outbox.unshift(...this.#inFlight.values());
    this.#inFlight.clear();
    for (const [id, waiter] of this.#histories) {
      clearTimeout(waiter.timer);
      waiter.resolve({ ok: false, message: 'the connection to the daemon closed' });
      this.#histories.delete(id);
    }
    if (this.#phase !== 'stopped') this.#phase = 'idle';
    this.#settleReadyWaiters(false);
  }

  // ---- sending --------------------------------------------------------------------------

  #pump(): void {
    while (this.#phase === 'ready' && this.#inFlight.size < this.#maxInFlight && this.#outbox.length > 0) {
      const request = this.#outbox.shift()!;
      this.#inFlight.set(request.id, request);
      this.#send({ type: 'verify', id: request.id, address: request.address, ...(request.fresh && { fresh: true }) });
    }
  }

  #send(message: ClientMessage): void {
    const socket = this.#socket;
    if (socket?.readyState !== OPEN) return;
    try {
      socket.send(encodeMessage(message));
    } catch {
      // The close event follows and requeues whatever was in flight.
    }
  }

  #afterNewWork(): void {
    this.#updateKeepalive();
    if (this.#phase === 'ready') this.#pump();
    else this.connect();
  }

  #afterSettled(): void {
    this.#pump();
    this.#updateKeepalive();
  }

  // ---- keepalive ------------------------------------------------------------------------

  #updateKeepalive(): void {
    if (this.pendingCount > 0 && !this.#disposed) {
      this.#keepaliveTimer ??= setInterval(() => {
        this.ping();
        this.#o.onKeepalive?.();
      }, this.#o.keepaliveMs);
    } else {
      this.#stopKeepalive();
    }
  }

  #stopKeepalive(): void {
    if (this.#keepaliveTimer) clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = null;
  }

  // ---- small helpers ----------------------------------------------------------------------

  #setStatus(status: DaemonStatus): void {
    const same = JSON.stringify(status) === JSON.stringify(this.#status);
    this.#status = status;
    if (!same) this.#o.onStatus(status);
  }

  #finishPairing(outcome: Outcome<void>): void {
    const pairing = this.#pairing;
    if (!pairing) return;
    this.#pairing = null;
    clearTimeout(pairing.waiter.timer);
    pairing.waiter.resolve(outcome);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  #clearPhaseTimer(): void {
    if (this.#phaseTimer) clearTimeout(this.#phaseTimer);
    this.#phaseTimer = null;
  }

  #clearPongTimer(): void {
    if (this.#pongTimer) clearTimeout(this.#pongTimer);
    this.#pongTimer = null;
  }
}
