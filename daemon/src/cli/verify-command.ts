import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { VerificationResult, Verdict } from '@mailping/shared';
import { createVerifier } from '../verify/pipeline';
import type { VerifierOptions } from '../verify/options';
import { EXIT_USAGE, exitCodeFor } from './exit-codes';
import { formatResult } from './format-human';
import { heloName, parseDnsServer, positiveInt, seconds, senderAddress } from './option-parsers';
import { InputError, readAddressFile } from './read-addresses';

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
  tls: 'auto' | 'always';
  probe: boolean;
  smtpPort?: number;
  progress: boolean;
}

export function verifyCommand(setExitCode: (code: number) => void): Command {
  return new Command('verify')
    .description('verify email addresses: syntax, DNS and an SMTP ping that never sends mail')
    .argument('[address...]', 'addresses to verify')
    .option('-f, --file <path>', 'read addresses from a file (one per line, or a CSV column); "-" reads stdin')
    .option('--column <name|number>', 'the CSV column that holds the addresses (default: found by name or content)')
    .option('--json', 'print NDJSON: one result object per line, in input order')
    .option('-v, --verbose', 'show the SMTP conversation of each address')
    .option('--dns-server <ip[:port]>', 'DNS server to ask (repeatable; default: the system\'s)', parseDnsServer)
    .option('--helo <name>', 'name to give in EHLO (default: this machine\'s host name)', heloName)
    .option('--from <address>', 'envelope sender for MAIL FROM (default: the null sender <>)', senderAddress)
    .option('--timeout <seconds>', 'give up on an address after this long (default: 30)', seconds)
    .option('--concurrency <n>', 'domains verified at the same time (default: 8)', (v) => positiveInt(v, 256, 'concurrency'))
    .addOption(new Option('--tls <mode>', 'STARTTLS: "auto" when the server requires it, "always" when offered').choices(['auto', 'always']).default('auto'))
    .option('--no-probe', 'skip the catch-all probe (a random address asked in the same session)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addOption(new Option('--smtp-port <port>', 'SMTP port of mail servers (tests only)').argParser((v) => positiveInt(v, 65535, 'port')).hideHelp())
    .action(async (addresses: string[], flags: VerifyFlags, command: Command) => {
      let inputs = [...addresses];
      if (flags.file) {
        try {
          inputs.push(...(await readAddressFile(flags.file, flags.column)));
        } catch (error) {
          if (error instanceof InputError) command.error(`error: ${error.message}`, { exitCode: EXIT_USAGE });
          throw error;
        }
      }
      inputs = inputs.filter((a) => a.trim() !== '');
      if (inputs.length === 0) command.error('error: give at least one address, or --file', { exitCode: EXIT_USAGE });
      setExitCode(await runVerify(inputs, flags));
    });
}

async function runVerify(inputs: string[], flags: VerifyFlags): Promise<number> {
  const options: Partial<VerifierOptions> = {
    dnsServers: flags.dnsServer ?? [],
    tls: flags.tls,
    probeCatchAll: flags.probe,
    ...(flags.helo !== undefined && { helo: flags.helo }),
    ...(flags.from !== undefined && { from: flags.from }),
    ...(flags.timeout !== undefined && { timeoutMs: flags.timeout * 1000 }),
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
    ...(flags.smtpPort !== undefined && { port: flags.smtpPort }),
  };
  if (flags.timeout !== undefined) {
    const ms = flags.timeout * 1000;
    Object.assign(options, { connectTimeoutMs: Math.min(10_000, ms), greetingTimeoutMs: Math.min(25_000, ms), commandTimeoutMs: Math.min(20_000, ms) });
  }
  const verifier = createVerifier(options);
  const width = Math.min(40, Math.max(...inputs.map((a) => a.trim().length)));

  const progress = flags.progress && process.stderr.isTTY && inputs.length > 1 ? new Progress(inputs.length) : null;
  const out = new OrderedPrinter((result) => {
    const text = flags.json ? JSON.stringify(result) : formatResult(result, { verbose: Boolean(flags.verbose), width });
    if (progress && process.stdout.isTTY) progress.log(text);
    else process.stdout.write(`${text}\n`);
  });

  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const results = await verifier.verify(inputs, {
      signal: abort.signal,
      onResult: (result, index) => {
        progress?.count(result.verdict);
        out.add(index, result);
      },
    });
    return exitCodeFor(results);
  } finally {
    process.off('SIGINT', onSignal);
    progress?.stop();
  }
}

/** Results arrive as domains finish; they are printed in input order as soon as that allows. */
class OrderedPrinter {
  private next = 0;
  private readonly waiting = new Map<number, VerificationResult>();
  constructor(private readonly print: (result: VerificationResult) => void) {}

  add(index: number, result: VerificationResult): void {
    this.waiting.set(index, result);
    while (this.waiting.has(this.next)) {
      this.print(this.waiting.get(this.next)!);
      this.waiting.delete(this.next++);
    }
  }
}

/** A progress bar on stderr with counts by verdict, for lists on a terminal. */
class Progress {
  private readonly bars = new cliProgress.MultiBar(
    {
      format: ' {bar} {value}/{total} | ✔ {deliverable}  ✘ {undeliverable}  ! {risky}  ? {unknown} | {duration_formatted}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  private readonly counts: Record<Verdict, number> = { deliverable: 0, undeliverable: 0, risky: 0, unknown: 0 };
  private readonly bar: cliProgress.SingleBar;

  constructor(total: number) {
    this.bar = this.bars.create(total, 0, this.counts);
  }

  count(verdict: Verdict): void {
    this.counts[verdict]++;
    this.bar.increment(1, this.counts);
  }

  log(text: string): void {
    this.bars.log(`${text}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}
