/**
 * How long to wait before the next connection attempt: doubling from `baseMs` up to `capMs`,
 * with ±20 % jitter so several browsers (or a restarted worker) do not knock in step.
 * The cap stays short (10 s): the daemon is on this machine, an attempt costs nothing, and a
 * person who just started `mailping serve` should not wait long for their checks.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 10_000 };

export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
