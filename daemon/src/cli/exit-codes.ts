import type { VerificationResult } from '@mailping/shared';

/** sysexits(3) EX_USAGE: the command line was wrong. */
export const EXIT_USAGE = 64;

/** 0: every address deliverable; 1: at least one undeliverable; 2: anything else (risky, unknown). */
export function exitCodeFor(results: readonly VerificationResult[]): number {
  if (results.some((r) => r.verdict === 'undeliverable')) return 1;
  if (results.every((r) => r.verdict === 'deliverable')) return 0;
  return 2;
}
