import { parseAddress, type VerificationResult } from '@mailping/shared';
import type { CheckState, DaemonStatus } from '@/lib/messages';
import type { DaemonClient, VerifyHandlers } from './daemon-client';
import type { ResultCache } from './result-cache';
import type { SavedCheck } from './session-items';
import { isFresh } from './verdict-freshness';

/**
 * Between whoever asks (badges, the context menu, the popup) and the daemon client: answers
 * from the cache when the result is fresh enough, asks the daemon once per address however many
 * fields and tabs want it, keeps the pending checks in session storage so a restarted worker
 * sends them again, and tells listeners about every state change of every address.
 */
export type StateListener = (key: string, state: CheckState) => void;

type Client = Pick<DaemonClient, 'verify' | 'cancel' | 'status'>;

interface Pending {
  address: string;
  fresh: boolean;
  requestId: string;
  state: CheckState;
  /** The daemon answered from a cache older than our interval; we asked again with fresh. */
  reasked: boolean;
}

export interface VerificationServiceDeps {
  client: Client;
  cache: ResultCache;
  /** The re-verify interval from the options, in ms. */
  reverifyMs(): number;
  savePending(checks: SavedCheck[]): void;
  now?(): number;
}

export class VerificationService {
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Set<StateListener>();
  readonly #now: () => number;

  constructor(private readonly deps: VerificationServiceDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** The cache key: the normalized address (exact local part, ASCII lower-case domain). */
  keyOf(address: string): string | null {
    const parsed = parseAddress(address);
    return parsed.ok ? parsed.address.normalized : null;
  }

  /** Starts a check unless a fresh answer is known or one is under way; returns the state now. */
  check(address: string, fresh = false): CheckState {
    const parsed = parseAddress(address);
    if (!parsed.ok) return { kind: 'failed', code: 'invalid_address', message: parsed.error.message };
    const key = parsed.address.normalized;

    const cached = this.deps.cache.get(key);
    if (!fresh && cached && isFresh(cached, this.deps.reverifyMs(), this.#now())) {
      return { kind: 'done', result: cached, cached: true };
    }
    const existing = this.#pending.get(key);
    if (existing) {
      if (!fresh || existing.fresh) return existing.state;
      // Someone asked to check again while a cached-allowed request is out: upgrade it.
      this.deps.client.cancel(existing.requestId);
      this.#pending.delete(key);
    }
    // A stale cached result: the daemon's own cache may be just as old, so insist on a new check.
    const insist = fresh || cached !== undefined;
    const pending: Pending = {
      address: parsed.address.input,
      fresh: insist,
      requestId: '',
      state: this.#waitingState(),
      reasked: false,
    };
    this.#pending.set(key, pending);
    pending.requestId = this.deps.client.verify(pending.address, insist, this.#handlers(key, pending));
    this.#savePending();
    this.#emit(key, pending.state);
    return pending.state;
  }

  /** What is known without asking anyone: a check under way, or a cached result (even a stale one). */
  peek(address: string): CheckState | null {
    const key = this.keyOf(address);
    if (key === null) return null;
    const pending = this.#pending.get(key);
    if (pending) return pending.state;
    const cached = this.deps.cache.get(key);
    return cached ? { kind: 'done', result: cached, cached: true } : null;
  }

  onState(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Checks a previous worker left unanswered. */
  restore(saved: readonly SavedCheck[]): void {
    for (const check of saved) this.check(check.address, check.fresh);
  }

  /** The daemon connection changed: every pending check now waits, or is back in the daemon's hands. */
  setStatus(status: DaemonStatus): void {
    for (const [key, pending] of this.#pending) {
      const next = this.#waitingState(status);
      if (next.kind === 'checking' && pending.state.kind === 'checking') continue;
      pending.state = next;
      this.#emit(key, next);
    }
  }

  /** A result the daemon pushed by itself (a greylisted address retried later). */
  applyUpdate(result: VerificationResult): void {
    const key = this.keyOf(result.normalized ?? result.address);
    if (key === null) return;
    this.deps.cache.put(key, result);
    if (this.#pending.has(key)) return; // its own answer is on the way
    this.#emit(key, { kind: 'done', result, cached: false });
  }

  #handlers(key: string, pending: Pending): VerifyHandlers {
    const current = () => this.#pending.get(key) === pending;
    return {
      onProgress: (stage) => {
        if (!current()) return;
        pending.state = { kind: 'checking', stage };
        this.#emit(key, pending.state);
      },
      onResult: (result, cached) => {
        if (!current()) return;
        if (!pending.fresh && !pending.reasked && !isFresh(result, this.deps.reverifyMs(), this.#now())) {
          pending.reasked = true;
          pending.fresh = true;
          pending.requestId = this.deps.client.verify(pending.address, true, this.#handlers(key, pending));
          this.#savePending();
          return;
        }
        this.deps.cache.put(key, result);
        this.#settle(key, { kind: 'done', result, cached });
      },
      onError: (code, message) => {
        if (!current()) return;
        this.#settle(key, { kind: 'failed', code, message });
      },
    };
  }

  #settle(key: string, state: CheckState): void {
    this.#pending.delete(key);
    this.#savePending();
    this.#emit(key, state);
  }

  #waitingState(status: DaemonStatus = this.deps.client.status): CheckState {
    return status.kind === 'connected' || status.kind === 'connecting'
      ? { kind: 'checking', stage: null }
      : { kind: 'waiting', status };
  }

  #savePending(): void {
    this.deps.savePending([...this.#pending.values()].map((p) => ({ address: p.address, fresh: p.fresh })));
  }

  #emit(key: string, state: CheckState): void {
    for (const listener of this.#listeners) {
      try {
        listener(key, state);
      } catch {
        // One broken listener (a closed port) must not stop the others.
      }
    }
  }
}
