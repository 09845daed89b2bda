/**
 * 421 is a server saying "not now" (RFC 5321 §4.2.2: service not available, closing): too many
 * connections, too many errors, rate limits. The polite answer is to leave it alone for a while,
 * so the next batch for that domain — or for any domain on that MX address — waits. The engine
 * records such deferrals on the result (`smtp.deferral`); this is only the clock.
 */
/** Until when each key (a domain, or an MX IP address) is left alone. */
export class Backoff {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  set(key: string, ms: number): void {
    const at = this.now() + ms;
    if (at > (this.until.get(key) ?? 0)) this.until.set(key, at);
  }

  /** Milliseconds left for the longest of `keys`, 0 when none is backing off. */
  msLeft(...keys: Array<string | null | undefined>): number {
    const now = this.now();
    let left = 0;
    for (const key of keys) {
      if (!key) continue;
      const at = this.until.get(key);
      if (at === undefined) continue;
      if (at <= now) this.until.delete(key);
      else left = Math.max(left, at - now);
    }
    return left;
  }
}
