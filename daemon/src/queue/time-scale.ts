/**
 * MAILPING_TIME_SCALE (tests and benches only): one factor applied to every duration of the
 * queue — lease TTLs, the minute of a token bucket, 421 backoff, greylisting delays, BullMQ's
 * lock and stall checks — so a test sees minutes of politeness in seconds. 1 in production.
 */
export function timeScale(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.MAILPING_TIME_SCALE ?? 1);
  return Number.isFinite(value) && value > 0 && value <= 1 ? value : 1;
}

export function scaled(ms: number, scale: number): number {
  return Math.max(1, Math.round(ms * scale));
}
