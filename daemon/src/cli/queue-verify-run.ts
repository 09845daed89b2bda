import type { VerificationResult } from '@mailping/shared';
import { Queue } from 'bullmq';
import { readEvents } from '../queue/answers';
import type { BatchData } from '../queue/batch-processor';
import { QUEUE_NAME } from '../queue/keys';
import { clientConnection, reportOutages } from '../queue/redis-connection';
import { submitList } from '../queue/submit-list';
import { commandSettings } from './command-settings';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_IO, EXIT_UNAVAILABLE, exitCodeFor } from './exit-codes';
import { columnWidth, ListOutput } from './list-output';
import type { ResultFileFormat } from './result-file-format';
import { DEFAULT_LIST_RETRY_FOR_MS, RetryGate } from './retry-gate';
import type { VerifyFlags } from './verify-run';

const BLOCK_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;

/** A wrong URL fails in seconds instead of waiting for ever (the connection retries on its own). */
async function reachable(redis: ReturnType<typeof clientConnection>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)));
  const ping = redis.ping();
  ping.catch(() => {});
  try {
    await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `mailping verify --queue redis://…`: the list goes on the shared queue and `mailping worker`s
 * verify it; this process only follows the list's events and prints them like a local run.
 * Ctrl-C stops following, not the list: `--list ID` follows it again from the start.
 */
export async function runQueueVerify(inputs: string[], flags: VerifyFlags & { queue: string; list?: string }, format: ResultFileFormat | null): Promise<number> {
  const say = (line: string): void => void process.stderr.write(`mailping: ${line}\n`);
  const settings = commandSettings(say);
  if (!settings) return EXIT_CONFIG;
  const output = await ListOutput.open(flags, format, { total: inputs.length, width: columnWidth(inputs), say });
  if (!output) return EXIT_IO;
  const redis = clientConnection(flags.queue);
  reportOutages(redis, 'the list\'s', say);
  const queue = new Queue<BatchData>(QUEUE_NAME, { connection: redis });
  // Its errors are the connection's, already reported once per outage.
  queue.on('error', () => {});
  let interrupted = false;
  const stop = new Promise<void>((resolve) => {
    const onSignal = (): void => {
      interrupted = true;
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const results: Array<VerificationResult | undefined> = new Array(inputs.length);
  try {
    let submitted;
    try {
      await reachable(redis, CONNECT_TIMEOUT_MS);
      submitted = await submitList(redis, queue, inputs, {
        fresh: Boolean(flags.fresh),
        politeness: settings.politeness,
        ...(flags.list ? { list: flags.list } : {}),
      });
    } catch (error) {
      say(`cannot submit to ${flags.queue}: ${(error as Error).message}`);
      return EXIT_UNAVAILABLE;
    }
    say(`list ${submitted.list}: ${submitted.total} addresses on the queue`);
    // Without a worker the list would wait in silence: say why nothing comes (BullMQ names its
    // workers' connections, so Redis's client list tells). Unknown (an old Redis, no CLIENT
    // command): nothing said.
    if (submitted.batches > 0 && (await queue.getWorkersCount().catch(() => null)) === 0) {
      say('no `mailping worker` is connected to this Redis yet: the list waits on the queue until one is (Ctrl-C stops following; the list stays)');
    }
    const indexes = new Map<string, number[]>();
    submitted.keyOf.forEach((key, i) => indexes.set(key, [...(indexes.get(key) ?? []), i]));

    // Lists wait for greylisting retries (the workers run them as delayed jobs), as a local run does.
    const retryFor = flags.retryFor ?? (flags.file !== undefined ? DEFAULT_LIST_RETRY_FOR_MS : 0);
    const gate = new RetryGate<{ result: VerificationResult; cached: boolean }>(retryFor > 0 ? Date.now() + retryFor : 0);
    const print = (address: string, answer: { result: VerificationResult; cached: boolean }): void => {
      for (const i of indexes.get(address) ?? []) {
        const result = { ...answer.result, address: inputs[i]!.trim() };
        results[i] = result;
        output.add(i, { result, cached: answer.cached });
      }
    };
    let after = '0';
    let told = 0;
    while (gate.done < submitted.total && !interrupted) {
      const reading = readEvents(redis, submitted.list, after, BLOCK_MS);
      // Left pending when Ctrl-C wins the race; the disconnect below rejects it.
      reading.catch(() => {});
      const events = await Promise.race([reading, stop.then(() => [])]);
      for (const event of events) {
        after = event.id;
        for (const [address, answer] of gate.take(event.address, { result: event.result, cached: event.cached }, event.retrying)) print(address, answer);
      }
      for (const [address, answer] of gate.expire()) print(address, answer);
      if (gate.waiting > 0 && gate.waiting !== told && gate.done + gate.waiting === submitted.total) {
        told = gate.waiting;
        output.waiting(`${gate.waiting} greylisted address${gate.waiting === 1 ? '' : 'es'}, asked again by the workers`);
      }
    }
  } finally {
    output.close();
    await queue.close();
    redis.disconnect();
  }
  output.reportFile();
  const done = results.filter((r): r is VerificationResult => r !== undefined);
  if (interrupted || done.length < inputs.length) {
    say(`stopped following after ${done.length} of ${inputs.length} addresses; the workers go on`);
    return EXIT_INTERRUPTED;
  }
  return exitCodeFor(done);
}
