import type { VerificationResult } from '@mailping/shared';

/**
 * Every exit status `mailping` commands return besides the verdict codes below: sysexits(3)'s,
 * so scripts can tell a wrong command line from a broken config file from a server that is not
 * there, and the shells' 128 + signal for a run stopped by a signal.
 */
/** EX_USAGE: the command line was wrong. */
export const EXIT_USAGE = 64;
/** EX_UNAVAILABLE: a server, port or platform feature the command needs is not there. */
export const EXIT_UNAVAILABLE = 69;
/** EX_IOERR: a file (the results file, the cache database) cannot be written or opened. */
export const EXIT_IO = 74;
/** EX_TEMPFAIL: the server said to come back later (HTTP 429, 503). */
export const EXIT_TEMPFAIL = 75;
/** EX_NOPERM: the server refused our token or invite code. */
export const EXIT_NOPERM = 77;
/** EX_CONFIG: the settings file is broken (not the command line). */
export const EXIT_CONFIG = 78;
/** 128 + SIGINT, what shells report for a command stopped with Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
/** 128 + SIGTERM. */
export const EXIT_TERMINATED = 143;

/** 0: every address deliverable; 1: at least one undeliverable; 2: anything else (risky, unknown). */
export function exitCodeFor(results: readonly VerificationResult[]): number {
  if (results.some((r) => r.verdict === 'undeliverable')) return 1;
  if (results.every((r) => r.verdict === 'deliverable')) return 0;
  return 2;
}
