import { Queue, Worker } from 'bullmq';
import type { Settings } from '../config/settings';
import { cachingResolver } from '../verify/dns/caching-resolver';
import { createResolver } from '../verify/dns/mx-lookup';
import type { VerifierOptions } from '../verify/options';
import { directDialer, type Dialer } from '../verify/smtp/dial';
import { answerGivenUp, leasesLost, processBatch, type BatchData } from './batch-processor';
import { HostLeases } from './host-leases';
import { keys, QUEUE_NAME } from './keys';
import { politenessCommands } from './politeness-scripts';
import { bullConnection, politenessConnection, reportOutages } from './redis-connection';
import { scaled } from './time-scale';
import { watch421 } from './watch-421-dialer';

export interface WorkerOptions {
  url: string;
  settings: Settings;
  /** The engine's options (HELO, DNS, dialer with the source address or SOCKS, timeouts). */
  verifierOptions: Partial<VerifierOptions>;
  /** Batches (domains) this worker runs at once. */
  concurrency: number;
  scale: number;
  log: (message: string) => void;
}

export interface RunningWorker {
  leases: HostLeases;
  close(): Promise<void>;
}

/** BullMQ's defaults (30 s lock, 30 s stall check), shrunk with the time scale in tests. */
const LOCK_MS = 30_000;
const LEASE_TTL_MS = 15_000;
const LEASE_POLL_MS = 100;
const MIN_LEASE_TTL_MS = 4000;
const MIN_LOCK_MS = 6000;

/**
 * `mailping worker`: pulls domain batches from the queue and verifies them from this machine
 * (its source address, HELO and SOCKS), keeping the politeness every worker shares in Redis.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { settings, scale, log } = options;
  // Never below a few seconds, whatever the time scale: a process starved of CPU for longer
  // than the TTL cannot stop its sessions in time (on a loaded test machine, that happens).
  const ttlMs = Math.max(MIN_LEASE_TTL_MS, scaled(LEASE_TTL_MS, scale));
  const bull = bullConnection(options.url);
  const redis = politenessCommands(politenessConnection(options.url, Math.max(50, Math.floor(ttlMs / 6))));
  reportOutages(bull, 'queue', log);
  reportOutages(redis, 'politeness', log);
  try {
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    bull.disconnect();
    throw error;
  }
  const running = new Set<AbortController>();
  const leases = new HostLeases(redis, {
    limit: settings.politeness.connectionsPerHost,
    ttlMs,
    pollMs: Math.min(LEASE_POLL_MS, Math.ceil(ttlMs / 10)),
    onLost: (reason) => {
      if (running.size > 0) log(`stopping ${running.size} batch(es): ${reason}`);
      for (const controller of running) controller.abort(leasesLost(reason));
    },
  });
  const backoffMs = scaled(settings.politeness.backoffSeconds * 1000, scale);
  const dial: Dialer = watch421(options.verifierOptions.dial ?? directDialer, (ip) => {
    if (backoffMs <= 0) return;
    leases.noteBackoff(ip, backoffMs);
    redis.set(keys.hostBackoff(ip), '421', 'PX', backoffMs).catch((e: Error) => log(`cannot record the 421 of ${ip}: ${e.message}`));
  });
  // One DNS cache for every batch this worker runs: batches of one domain follow each other, and
  // each would otherwise ask again for its MX and the MX host's addresses.
  const resolver =
    options.verifierOptions.resolver ??
    cachingResolver(createResolver({ servers: settings.dnsServers, timeoutMs: settings.timeouts.dnsSeconds * 1000, tries: 2 }));
  const queue = new Queue<BatchData>(QUEUE_NAME, { connection: bull });
  const worker = new Worker<BatchData, number>(
    QUEUE_NAME,
    (job, token) => processBatch(job, token, { redis, queue, settings, verifierOptions: { ...options.verifierOptions, dial, resolver }, leases, resolver, scale, running, log }),
    {
      connection: bull,
      concurrency: options.concurrency,
      lockDuration: Math.max(MIN_LOCK_MS, scaled(LOCK_MS, scale)),
      stalledInterval: Math.max(MIN_LOCK_MS, scaled(LOCK_MS, scale)),
      maxStalledCount: 3,
    },
  );
  worker.on('failed', (job, error) => {
    log(`batch ${job?.id ?? '?'} failed: ${error.message}`);
    // Given up for good (attempts used, or stalled too often): the list still gets an answer
    // for each address, an honest unknown, so nobody waits for ever.
    if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(error.message))) {
      answerGivenUp(redis, job.data, error.message).catch((e: Error) => log(`cannot close batch ${job.id}: ${e.message}`));
    }
  });
  worker.on('error', (error) => log(`queue: ${error.message}`));
  await worker.waitUntilReady();

  let closing: Promise<void> | null = null;
  return {
    leases,
    close() {
      closing ??= (async () => {
        await worker.close();
        await queue.close();
        leases.close();
        redis.disconnect();
        bull.disconnect();
      })();
      return closing;
    },
  };
}
