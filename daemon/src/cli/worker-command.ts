import net from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_OPTIONS } from '../verify/options';
import { heloName, parseDnsServer, positiveInt } from './option-parsers';
import { redisUrl } from './queue-option';
import { socksUrl } from './socks-option';

export interface WorkerFlags {
  queue: string;
  sourceAddress?: string;
  helo?: string;
  socks?: string;
  dnsServer?: string[];
  /** Default: 16 domains × connectionsPerHost (a batch is one session). */
  concurrency?: number;
  smtpPort?: number;
}

/**
 * `mailping worker`: only the definition lives here; BullMQ and ioredis load when the command
 * runs (worker-run.ts), so every other command starts without them.
 */
export function workerCommand(setExitCode: (code: number) => void): Command {
  return new Command('worker')
    .description('verify domain batches from a shared queue (Redis): politeness caps hold across every worker')
    .requiredOption('--queue <url>', 'the Redis that holds the queue, redis://host:port', redisUrl)
    .option('--source-address <ip>', 'connect to mail servers from this address of this machine', (v) => {
      if (!net.isIP(v.trim())) throw new InvalidArgumentError(`"${v}" is not an IP address`);
      return v.trim();
    })
    .option('--helo <name>', 'name to give in EHLO: the PTR name of the source address (default: the settings\', else the host name)', heloName)
    .option('--socks <url>', 'connect to mail servers through this SOCKS5 proxy, socks5://[user:pass@]host:port', socksUrl)
    .option('--dns-server <ip[:port]>', 'DNS server to ask (repeatable; default: the settings\', else the system\'s)', parseDnsServer)
    .option('--concurrency <n>', `batches (up to two sessions each) verified at the same time (default: ${DEFAULT_OPTIONS.concurrency} × politeness.connectionsPerHost / 2, rounded up)`, (v) => positiveInt(v, 256, 'concurrency'))
    .addOption(new Option('--smtp-port <port>', 'SMTP port of mail servers (tests only)').argParser((v) => positiveInt(v, 65535, 'port')).hideHelp())
    .action(async (flags: WorkerFlags) => {
      const { runWorker } = await import('./worker-run');
      setExitCode(await runWorker(flags));
    });
}
