import { verifierOptionsFromSettings } from '../config/verifier-options';
import { MAX_SESSIONS_PER_BATCH } from '../queue/batch-plan';
import { startWorker } from '../queue/worker';
import { timeScale } from '../queue/time-scale';
import { loadAddressLists } from '../verify/flags';
import { DEFAULT_OPTIONS } from '../verify/options';
import { sourceAddressDialer } from '../verify/smtp/dial';
import { commandSettings } from './command-settings';
import { EXIT_CONFIG, EXIT_UNAVAILABLE } from './exit-codes';
import { settingsWithFlags } from './verify-settings';
import type { WorkerFlags } from './worker-command';

/** Runs until SIGINT/SIGTERM; running batches finish (and store their answers) first. */
export async function runWorker(flags: WorkerFlags): Promise<number> {
  const log = (message: string): void => void process.stderr.write(`mailping worker: ${message}\n`);
  const settings = commandSettings(log, { adjust: (s) => settingsWithFlags(s, flags) });
  if (!settings) return EXIT_CONFIG;
  const verifierOptions = {
    ...verifierOptionsFromSettings(settings),
    // A SOCKS proxy decides the source address itself.
    ...(flags.sourceAddress && !settings.socksProxy ? { dial: sourceAddressDialer(flags.sourceAddress) } : {}),
    ...(flags.smtpPort !== undefined ? { port: flags.smtpPort } : {}),
  };
  // A batch holds up to two sessions: enough batches at once for a local run's domains × their
  // connections, else a worker leaves connection slots of the caps unused.
  const concurrency = flags.concurrency ?? DEFAULT_OPTIONS.concurrency * Math.ceil(settings.politeness.connectionsPerHost / MAX_SESSIONS_PER_BATCH);
  // A worker runs for hours: load the address lists (120,000 domains, ~150 ms of CPU) now, not
  // inside its first batch, as `serve` does once it listens.
  await loadAddressLists();
  let worker;
  try {
    worker = await startWorker({ url: flags.queue, settings, verifierOptions, concurrency, scale: timeScale(), log });
  } catch (error) {
    log(`cannot start on ${flags.queue}: ${(error as Error).message}`);
    return EXIT_UNAVAILABLE;
  }
  log(`ready: ${flags.queue}${flags.sourceAddress ? `, from ${flags.sourceAddress}` : ''}, ${concurrency} batches at once`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping: running batches finish first');
  await worker.close();
  return 0;
}
