import { DEFAULT_LIST_RETRY_FOR_MS } from './retry-gate';
import type { VerificationResult } from '@mailping/shared';
import { ensureDirectories, mailpingPaths } from '../config/paths';
import { verifierOptionsFromSettings } from '../config/verifier-options';
import { createScheduler } from '../scheduler/scheduler';
import { openDatabase, type Db } from '../store/database';
import { createVerifier } from '../verify/pipeline';
import { trace } from '../metrics/timing-trace';
import { commandSettings } from './command-settings';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_IO, exitCodeFor } from './exit-codes';
import { columnWidth, ListOutput } from './list-output';
import { RetryWait } from './retry-wait';
import type { ResultFileFormat } from './result-file-format';
import { submitList } from './submit-list';
import { settingsWithFlags } from './verify-settings';

/**
 * What `mailping verify` does once its command line is understood. Apart from the command's
 * definition so that other commands (`serve` above all) never load it: the list machinery
 * (CSV, progress bar) stays out of the daemon's memory.
 */
export interface VerifyFlags {
  file?: string;
  column?: string;
  json?: boolean;
  verbose?: boolean;
  dnsServer?: string[];
  helo?: string;
  from?: string;
  timeout?: number;
  concurrency?: number;
  tls?: 'auto' | 'always';
  probe: boolean;
  smtpPort?: number;
  socks?: string;
  progress: boolean;
  out?: string;
  format?: ResultFileFormat;
  fresh?: boolean;
  cache: boolean;
  /** How long to wait for greylisting and deferral retries (ms); default: 20 min for --file, else 0. */
  retryFor?: number;
  server?: string | true;
  list?: string;
  resolve?: string;
  /** Set: the list goes to the shared queue (queue-verify-run.ts) instead. */
  queue?: string;
}

export { DEFAULT_LIST_RETRY_FOR_MS } from './retry-gate';

export async function runVerify(inputs: string[], flags: VerifyFlags, format: ResultFileFormat | null): Promise<number> {
  trace('verify.start', { addresses: inputs.length });
  const say = (line: string): void => void process.stderr.write(`mailping: ${line}\n`);
  const paths = mailpingPaths();
  const settings = commandSettings(say, { paths, adjust: (s) => settingsWithFlags(s, flags) });
  if (!settings) return EXIT_CONFIG;

  let db: Db;
  try {
    if (flags.cache) ensureDirectories(paths);
    // --no-cache: a private in-memory database, so the scheduler works the same and nothing is kept.
    db = openDatabase(flags.cache ? paths.database : ':memory:');
  } catch (error) {
    say(`cannot open the cache ${paths.database}: ${(error as Error).message} (--no-cache goes without it)`);
    return EXIT_IO;
  }

  const output = await ListOutput.open(flags, format, { total: inputs.length, width: columnWidth(inputs), say });
  if (!output) {
    db.close();
    return EXIT_IO;
  }

  const verifier = createVerifier({
    ...verifierOptionsFromSettings(settings),
    probeCatchAll: flags.probe,
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
    ...(flags.smtpPort !== undefined && { port: flags.smtpPort }),
  });
  // Greylisting retries are only recorded here: the daemon runs them (a CLI run is over by then).
  const scheduler = createScheduler({
    verifier,
    db,
    settings,
    runRetries: false,
    log: say,
  });

  trace('verify.ready');
  const results: Array<VerificationResult | undefined> = new Array(inputs.length);
  let fromCache = 0;
  const tell = (index: number, answer: { result: VerificationResult; cached: boolean }): void => {
    results[index] = answer.result;
    if (answer.cached) fromCache++;
    output.add(index, answer);
  };
  // Lists wait for greylisting and deferral retries by default; single addresses only when asked.
  const retryFor = flags.retryFor ?? (flags.file !== undefined ? DEFAULT_LIST_RETRY_FOR_MS : 0);
  const retries = retryFor > 0 ? new RetryWait(scheduler, Date.now() + retryFor, tell, (summary) => output.waiting(summary)) : null;

  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    retries?.cancel();
    // Queued addresses are dropped, sessions under way finish (and say QUIT), their results are kept.
    void scheduler.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await submitList(scheduler, inputs, {
      fresh: Boolean(flags.fresh),
      window: settings.limits.maxQueued,
      onAnswer: (index, answer) => (retries ? retries.answer(index, inputs[index]!, answer) : tell(index, answer)),
    });
    trace('verify.answered');
    await retries?.finish();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await scheduler.close();
    db.close();
    output.close();
  }

  trace('verify.closed');
  const answered = results.filter((r): r is VerificationResult => r !== undefined);
  if (fromCache > 0) say(`${fromCache} from cache${fromCache === answered.length ? '' : ` of ${answered.length} answered`} (--fresh asks the servers again)`);
  output.reportFile();
  if (interrupted || answered.length < inputs.length) {
    say(`interrupted after ${answered.length} of ${inputs.length} addresses; run the same command again to go on from the cache`);
    return EXIT_INTERRUPTED;
  }
  return exitCodeFor(answered);
}
