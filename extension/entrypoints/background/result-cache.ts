import type { VerificationResult } from '@mailping/shared';

/**
 * Results by normalized address: a Map in memory (read synchronously on every check) mirrored
 * to storage.session (so a restarted service worker does not ask again). Bounded: the oldest
 * entries go first, and a write is coalesced with the ones that follow within a few ms.
 */
export interface CacheStore {
  load(): Promise<Record<string, VerificationResult>>;
  save(entries: Record<string, VerificationResult>): Promise<void>;
}

export class ResultCache {
  readonly #entries = new Map<string, VerificationResult>();
  #saveScheduled = false;

  constructor(
    private readonly store: CacheStore,
    private readonly maxEntries = 300,
  ) {}

  async load(): Promise<void> {
    const saved = await this.store.load();
    for (const [key, result] of Object.entries(saved)) {
      // Entries stored while this copy was loading are newer: keep them.
      if (!this.#entries.has(key)) this.#entries.set(key, result);
    }
    this.#trim();
  }

  get(key: string): VerificationResult | undefined {
    return this.#entries.get(key);
  }

  put(key: string, result: VerificationResult): void {
    this.#entries.delete(key);
    this.#entries.set(key, result);
    this.#trim();
    this.#scheduleSave();
  }

  get size(): number {
    return this.#entries.size;
  }

  #trim(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(key);
    }
  }

  #scheduleSave(): void {
    if (this.#saveScheduled) return;
    this.#saveScheduled = true;
    setTimeout(() => {
      this.#saveScheduled = false;
      void this.store.save(Object.fromEntries(this.#entries));
    }, 20);
  }
}
