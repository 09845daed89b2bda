import { DEFAULT_LIST_RETRY_FOR_MS } from './retry-gate';
import type { VerificationResult, Verdict } from '@mailping/shared';
import { loadSettings, SettingsError } from '../config/load-settings';
import { ensureDirectories, mailpingPaths } from '../config/paths';
import type { Settings } from '../config/settings';
import { verifierOptionsFromSettings } from '../config/verifier-options';
import { createScheduler } from '../scheduler/scheduler';
import { openDatabase, type Db } from '../store/database';
import { createVerifier } from '../verify/pipeline';
import { exitCodeFor } from './exit-codes';
import { formatResult } from './format-human';
import { OrderedEmitter } from './ordered-emitter';
import { RetryWait } from './retry-wait';
import type { ResultFile } from './result-file';
import type { ResultFileFormat } from './result-file-format';
import { submitList } from './submit-list';
import { settingsWithFlags } from './verify-settings';

/**
 * What `mailping verify` does once its command line is understood. Apart from the command's
 * definition so that other commands (`serve` above all) never load it: the list machinery
 * (CSV, progress bar) stays out of the daemon's memory.
 */
/** sysexits(3): the settings file is broken; the cache database cannot be opened. */
const EXIT_CONFIG = 78;
const EXIT_IO = 74;
/** 128 + SIGINT, what shells report for a command stopped with Ctrl-C. */
const EXIT_INTERRUPTED = 130;

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
  const paths = mailpingPaths();
  let settings: Settings;
  try {
    settings = settingsWithFlags(loadSettings(paths), flags);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`mailping: ${error.message}\n`);
    return EXIT_CONFIG;
  }

  let db: Db;
  try {
    if (flags.cache) ensureDirectories(paths);
    // --no-cache: a private in-memory database, so the scheduler works the same and nothing is kept.
    db = openDatabase(flags.cache ? paths.database : ':memory:');
  } catch (error) {
    process.stderr.write(`mailping: cannot open the cache ${paths.database}: ${(error as Error).message} (--no-cache goes without it)\n`);
    return EXIT_IO;
  }

  let file: ResultFile | null = null;
  if (flags.out !== undefined && format) {
    try {
      // CSV writing and the progress bar load only when asked for: most runs are a few addresses.
      const { ResultFile } = await import('./result-file');
      file = ResultFile.open(flags.out, format);
    } catch (error) {
      db.close();
      process.stderr.write(`mailping: cannot write ${flags.out}: ${(error as Error).message}\n`);
      return EXIT_IO;
    }
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
    log: (message) => process.stderr.write(`mailping: ${message}\n`),
  });

  const width = Math.min(40, Math.max(...inputs.map((a) => a.trim().length)));
  const progress = flags.progress && process.stderr.isTTY && inputs.length > 1 ? new (await import('./verify-progress')).VerifyProgress(inputs.length) : null;
  const toStdout = file === null || flags.json === true;
  const stdout = new OrderedEmitter<VerificationResult>((result) => {
    const text = flags.json ? JSON.stringify(result) : formatResult(result, { verbose: Boolean(flags.verbose), width });
    if (progress && process.stdout.isTTY) progress.log(text);
    else process.stdout.write(`${text}\n`);
  });
  const written: Record<Verdict, number> = { deliverable: 0, undeliverable: 0, risky: 0, unknown: 0 };
  const toFile = new OrderedEmitter<VerificationResult>((result) => {
    file?.write(result);
    written[result.verdict]++;
  });

  const results: Array<VerificationResult | undefined> = new Array(inputs.length);
  let fromCache = 0;
  const tell = (index: number, { result, cached }: { result: VerificationResult; cached: boolean }): void => {
    results[index] = result;
    if (cached) fromCache++;
    progress?.count(result.verdict, cached);
    if (toStdout) stdout.add(index, result);
    if (file) toFile.add(index, result);
  };
  // Lists wait for greylisting and deferral retries by default; single addresses only when asked.
  const retryFor = flags.retryFor ?? (flags.file !== undefined ? DEFAULT_LIST_RETRY_FOR_MS : 0);
  const retries =
    retryFor > 0
      ? new RetryWait(scheduler, Date.now() + retryFor, tell, (summary) => {
          if (progress) progress.waiting(summary);
          else if (summary) process.stderr.write(`mailping: waiting to ask again: ${summary}\n`);
        })
      : null;

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
    await retries?.finish();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await scheduler.close();
    db.close();
    file?.close();
    progress?.stop();
  }

  const answered = results.filter((r): r is VerificationResult => r !== undefined);
  const say = (line: string): void => void process.stderr.write(`mailping: ${line}\n`);
  if (fromCache > 0) say(`${fromCache} from cache${fromCache === answered.length ? '' : ` of ${answered.length} answered`} (--fresh asks the servers again)`);
  if (file) {
    const summary = (Object.keys(written) as Verdict[]).map((v) => `${written[v]} ${v}`).join(', ');
    say(`${toFile.emitted} results written to ${flags.out} (${summary})`);
  }
  if (interrupted || answered.length < inputs.length) {
    say(`interrupted after ${answered.length} of ${inputs.length} addresses; run the same command again to go on from the cache`);
    return EXIT_INTERRUPTED;
  }
  return exitCodeFor(answered);
}
