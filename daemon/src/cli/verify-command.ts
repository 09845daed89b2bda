import { Command, Option } from 'commander';
import type { VerificationResult, Verdict } from '@mailping/shared';
import { loadSettings, SettingsError } from '../config/load-settings';
import { ensureDirectories, mailpingPaths } from '../config/paths';
import type { Settings } from '../config/settings';
import { verifierOptionsFromSettings } from '../config/verifier-options';
import { createScheduler } from '../scheduler/scheduler';
import { openDatabase, type Db } from '../store/database';
import { createVerifier } from '../verify/pipeline';
import { EXIT_USAGE, exitCodeFor } from './exit-codes';
import { formatResult } from './format-human';
import { heloName, parseDnsServer, positiveInt, seconds, senderAddress } from './option-parsers';
import { OrderedEmitter } from './ordered-emitter';
import { InputError, readAddressFile } from './read-addresses';
import { ResultFile, resultFileFormat, type ResultFileFormat } from './result-file';
import { submitList } from './submit-list';
import { VerifyProgress } from './verify-progress';
import { settingsWithFlags } from './verify-settings';
import { socksUrl } from './socks-option';

/** sysexits(3): the settings file is broken; the cache database cannot be opened. */
const EXIT_CONFIG = 78;
const EXIT_IO = 74;
/** 128 + SIGINT, what shells report for a command stopped with Ctrl-C. */
const EXIT_INTERRUPTED = 130;

interface VerifyFlags {
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
}

export function verifyCommand(setExitCode: (code: number) => void): Command {
  return new Command('verify')
    .description('verify email addresses: syntax, DNS and an SMTP ping that never sends mail')
    .argument('[address...]', 'addresses to verify')
    .option('-f, --file <path>', 'read addresses from a file (one per line, or a CSV column); "-" reads stdin')
    .option('--column <name|number>', 'the CSV column that holds the addresses (default: found by name or content)')
    .option('--json', 'print NDJSON: one result object per line, in input order')
    .option('-v, --verbose', 'show the SMTP conversation of each address')
    .option('-o, --out <path>', 'write the results to a file as they arrive, in input order (CSV or NDJSON); nothing per address on stdout unless --json')
    .addOption(new Option('--format <format>', 'format of --out (default: from its extension, .csv or .ndjson)').choices(['csv', 'ndjson']))
    .option('--fresh', 'ask the mail servers again, even for addresses answered recently (the cache is still updated)')
    .option('--no-cache', 'neither read nor write the cache: the database is not opened')
    .option('--dns-server <ip[:port]>', 'DNS server to ask (repeatable; default: the settings\', else the system\'s)', parseDnsServer)
    .option('--helo <name>', 'name to give in EHLO (default: this machine\'s host name)', heloName)
    .option('--from <address>', 'envelope sender for MAIL FROM (default: the null sender <>)', senderAddress)
    .option('--timeout <seconds>', 'give up on an address after this long (default: 30)', seconds)
    .option('--concurrency <n>', 'domains verified at the same time (default: 8)', (v) => positiveInt(v, 256, 'concurrency'))
    .addOption(new Option('--tls <mode>', 'STARTTLS: "auto" when the server requires it, "always" when offered (default: auto)').choices(['auto', 'always']))
    .option('--no-probe', 'skip the catch-all probe (a random address asked in the same session)')
    .option('--socks <url>', 'connect to mail servers through this SOCKS5 proxy, socks5://[user:pass@]host:port (default: the settings\')', socksUrl)
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addOption(new Option('--smtp-port <port>', 'SMTP port of mail servers (tests only)').argParser((v) => positiveInt(v, 65535, 'port')).hideHelp())
    .action(async (addresses: string[], flags: VerifyFlags, command: Command) => {
      const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: EXIT_USAGE });
      let format: ResultFileFormat | null = null;
      if (flags.out !== undefined) {
        format = resultFileFormat(flags.out, flags.format);
        if (!format) usage(`cannot tell the format of ${flags.out} from its name: use --format csv or --format ndjson`);
      } else if (flags.format) {
        usage('--format is the format of --out: give --out too');
      }
      let inputs = [...addresses];
      if (flags.file) {
        try {
          inputs.push(...(await readAddressFile(flags.file, flags.column)));
        } catch (error) {
          if (error instanceof InputError) usage(error.message);
          throw error;
        }
      }
      inputs = inputs.filter((a) => a.trim() !== '');
      if (inputs.length === 0) usage('give at least one address, or --file');
      setExitCode(await runVerify(inputs, flags, format));
    });
}

async function runVerify(inputs: string[], flags: VerifyFlags, format: ResultFileFormat | null): Promise<number> {
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
  const progress = flags.progress && process.stderr.isTTY && inputs.length > 1 ? new VerifyProgress(inputs.length) : null;
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

  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    // Queued addresses are dropped, sessions under way finish (and say QUIT), their results are kept.
    void scheduler.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await submitList(scheduler, inputs, {
      fresh: Boolean(flags.fresh),
      window: settings.limits.maxQueued,
      onAnswer: (index, { result, cached }) => {
        results[index] = result;
        if (cached) fromCache++;
        progress?.count(result.verdict, cached);
        if (toStdout) stdout.add(index, result);
        if (file) toFile.add(index, result);
      },
    });
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
