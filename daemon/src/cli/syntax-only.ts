import { parseAddress, type VerificationResult } from '@mailping/shared';
import { syntaxFailureResult } from '../verify/build-result';
import { exitCodeFor } from './exit-codes';
import { formatResult } from './format-human';

/** What decides whether a run of `mailping verify` can be answered by syntax alone. */
export interface SyntaxOnlyFlags {
  json?: boolean;
  verbose?: boolean;
  out?: string;
  progress: boolean;
}

/**
 * When no address of a run is well-formed, its answer is known before anything is asked: the
 * same results the scheduler gives malformed addresses, printed as `runVerify` prints them.
 * Settings, cache, scheduler and engine (zod, SQLite, the DNS and SMTP code) are then never
 * loaded, which is most of `mailping verify`'s start-up. Returns the exit status, or null when
 * the run needs the engine (an address to ask about, a result file, a progress bar).
 */
export function answerBySyntaxAlone(inputs: readonly string[], flags: SyntaxOnlyFlags): number | null {
  if (inputs.length === 0 || flags.out !== undefined) return null;
  if (flags.progress && process.stderr.isTTY && inputs.length > 1) return null;
  const results: VerificationResult[] = [];
  for (const input of inputs) {
    const parsed = parseAddress(input);
    if (parsed.ok) return null;
    // Timings as the scheduler gives a malformed address (it answers those without timing them).
    results.push(syntaxFailureResult(input.trim(), parsed.error, { syntaxMs: 0, dnsMs: null, smtpMs: null, totalMs: 0 }));
  }
  const width = Math.min(40, Math.max(...inputs.map((a) => a.trim().length)));
  for (const result of results) {
    const text = flags.json ? JSON.stringify(result) : formatResult(result, { verbose: Boolean(flags.verbose), width });
    process.stdout.write(`${text}\n`);
  }
  return exitCodeFor(results);
}
