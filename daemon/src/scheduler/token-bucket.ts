/**
 * At most `perMinute` RCPTs per minute to one domain: a bucket holding up to `perMinute` tokens,
 * refilled continuously at perMinute/60 s. A burst of a full minute's worth goes at once, then
 * the steady rate; one token is one address asked. Time comes from `now` so tests can drive it.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number,
  ) {
    if (!(perMinute > 0)) throw new RangeError('perMinute must be positive');
    this.tokens = perMinute;
    this.updatedAt = now();
    this.perMs = perMinute / 60_000;
  }

  /** Whole tokens available now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Takes up to `wanted` whole tokens and returns how many it took. */
  take(wanted: number): number {
    const n = Math.max(0, Math.min(Math.floor(wanted), this.available()));
    this.tokens -= n;
    return n;
  }

  /** Milliseconds until `n` whole tokens are available (0 if they are now). */
  msUntil(n = 1): number {
    this.refill();
    const missing = Math.min(n, this.perMinute) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil(missing / this.perMs);
  }

  /** Full again: nothing to remember about this domain. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.perMinute;
  }

  private refill(): void {
    const now = this.now();
    // A clock that went backwards (or a test's) neither adds nor removes tokens.
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.perMinute, this.tokens + elapsed * this.perMs);
    this.updatedAt = now;
  }
}
