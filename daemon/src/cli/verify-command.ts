import { Command, Option } from 'commander';
import { DEFAULT_OPTIONS } from '../verify/options';
import { EXIT_USAGE } from './exit-codes';
import { duration, heloName, parseDnsServer, positiveInt, seconds, senderAddress } from './option-parsers';
import { resultFileFormat, type ResultFileFormat } from './result-file-format';
import { redisUrl } from './queue-option';
import { socksUrl } from './socks-option';
import type { VerifyFlags } from './verify-run';

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
    .option('--concurrency <n>', `domains verified at the same time (default: ${DEFAULT_OPTIONS.concurrency})`, (v) => positiveInt(v, 256, 'concurrency'))
    .addOption(new Option('--tls <mode>', 'STARTTLS: "auto" when the server requires it, "always" when offered (default: auto)').choices(['auto', 'always']))
    .option('--no-probe', 'skip the catch-all probe (a random address asked in the same session)')
    .option('--socks <url>', 'connect to mail servers through this SOCKS5 proxy, socks5://[user:pass@]host:port (default: the settings\')', socksUrl)
    .option('--retry-for <duration>', 'wait up to this long to ask greylisted and deferred addresses again, e.g. 20m, 90s (default: 20m with --file, else 0: no wait)', duration)
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('--server <url>', 'send the list to a MailPing server (https://…) with the token of MAILPING_TOKEN or `mailping connect`')
    .option('--list <id>', 'with --server: read the answers of a list sent before (after an interruption); with --queue: the list\'s id (default: a new one), the same id again adds nothing and follows it from the start')
    .addOption(new Option('--resolve <name:address>', 'with --server: connect to this address for this name, like curl --resolve').hideHelp())
    .option('--queue <url>', 'put the list on a shared queue (Redis, redis://host:port) for `mailping worker`s, and print their answers', redisUrl)
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
          const { readAddressFile } = await import('./read-addresses');
          inputs.push(...(await readAddressFile(flags.file, flags.column)));
        } catch (error) {
          if (error instanceof Error && error.name === 'InputError') usage(error.message);
          throw error;
        }
      }
      inputs = inputs.filter((a) => a.trim() !== '');
      if (flags.list !== undefined && flags.server === undefined && flags.queue === undefined) usage('--list names a list on a server or a queue: give --server or --queue too');
      if (flags.queue !== undefined) {
        if (inputs.length === 0) usage('give at least one address, or --file');
        const { runQueueVerify } = await import('./queue-verify-run');
        setExitCode(await runQueueVerify(inputs, { ...flags, queue: flags.queue }, format));
        return;
      }
      if (inputs.length === 0 && flags.list === undefined) usage('give at least one address, or --file');
      if (flags.server !== undefined) {
        const { runRemoteVerify } = await import('./remote-verify');
        setExitCode(await runRemoteVerify(inputs, { ...flags, server: flags.server }, format));
        return;
      }
      // Malformed addresses only (a typo, `mailping verify not-an-address`): answered without the engine.
      const bySyntax = (await import('./syntax-only')).answerBySyntaxAlone(inputs, flags);
      if (bySyntax !== null) {
        setExitCode(bySyntax);
        return;
      }
      // Every address answered recently (`mailping verify` of one address again): from the cache alone.
      const fromCache = (await import('./cached-answers')).answerFromCache(inputs, flags);
      if (fromCache !== null) {
        setExitCode(fromCache);
        return;
      }
      const { runVerify } = await import('./verify-run');
      setExitCode(await runVerify(inputs, flags, format));
    });
}

