/** Long enough for typical greylisting (5 min delay) and a few rate-limit backoffs. */
export const DEFAULT_LIST_RETRY_FOR_MS = 20 * 60_000;

/**
 * Which answers of a queued list `mailping verify --queue` prints, and when. An answer whose
 * greylisting retry is queued (`retrying`) is held until its update arrives, as a local run
 * waits for its retries, but never past `until` (`--retry-for`); then the answer held is the
 * one printed. With nothing to wait for (`until` passed or 0), every first answer goes out at
 * once and later updates are not printed: each address is printed exactly once.
 */
export class RetryGate<T> {
  private readonly held = new Map<string, T>();
  private readonly released = new Set<string>();

  constructor(private readonly until: number) {}

  /** An answer event; returns what to print now. */
  take(address: string, answer: T, retrying: boolean, now = Date.now()): Array<[string, T]> {
    if (this.released.has(address)) return [];
    if (retrying && now < this.until) {
      this.held.set(address, answer);
      return [];
    }
    this.held.delete(address);
    this.released.add(address);
    return [[address, answer]];
  }

  /** Once `until` has passed: the answers still held, as they are. */
  expire(now = Date.now()): Array<[string, T]> {
    if (now < this.until) return [];
    const out = [...this.held];
    for (const [address] of out) this.released.add(address);
    this.held.clear();
    return out;
  }

  /** Addresses printed. */
  get done(): number {
    return this.released.size;
  }

  /** Addresses answered but held for their retry. */
  get waiting(): number {
    return this.held.size;
  }
}
