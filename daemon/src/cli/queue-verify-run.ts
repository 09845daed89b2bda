import type { VerificationResult, Verdict } from '@mailping/shared';
import { bullmq } from '../queue/cjs-modules';
import { loadSettings, SettingsError } from '../config/load-settings';
import { mailpingPaths } from '../config/paths';
import { readEvents } from '../queue/answers';
import type { BatchData } from '../queue/batch-processor';
import { QUEUE_NAME } from '../queue/keys';
import { clientConnection, reportOutages } from '../queue/redis-connection';
import { submitList } from '../queue/submit-list';
import { exitCodeFor } from './exit-codes';
import { formatResult } from './format-human';
import { OrderedEmitter } from './ordered-emitter';
import { ResultFile } from './result-file';
import type { ResultFileFormat } from './result-file-format';
import { DEFAULT_LIST_RETRY_FOR_MS, RetryGate } from './retry-gate';
import type { VerifyFlags } from './verify-run';
import { VerifyProgress } from './verify-progress';

const EXIT_CONFIG = 78;
const EXIT_IO = 74;
const EXIT_UNAVAILABLE = 69;
const EXIT_INTERRUPTED = 130;
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
  let settings;
  try {
    settings = loadSettings(mailpingPaths());
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    say(error.message);
    return EXIT_CONFIG;
  }
  let file: ResultFile | null = null;
  if (flags.out !== undefined && format) {
    try {
      file = ResultFile.open(flags.out, format);
    } catch (error) {
      say(`cannot write ${flags.out}: ${(error as Error).message}`);
      return EXIT_IO;
    }
  }
  const redis = clientConnection(flags.queue);
  reportOutages(redis, 'the list\'s', say);
  const queue = new bullmq.Queue<BatchData>(QUEUE_NAME, { connection: redis });
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
  let progress: VerifyProgress | null = null;
  try {
    let submitted;
    try {
      await reachable(redis, CONNECT_TIMEOUT_MS);
      submitted = await submitList(redis, queue, inputs, {
        fresh: Boolean(flags.fresh),
        maxPerBatch: settings.politeness.maxRcptPerSession,
        minBatches: settings.politeness.connectionsPerHost,
        minBatchSize: settings.politeness.errorBudget,
        ...(flags.list ? { list: flags.list } : {}),
      });
    } catch (error) {
      say(`cannot submit to ${flags.queue}: ${(error as Error).message}`);
      return EXIT_UNAVAILABLE;
    }
    say(`list ${submitted.list}: ${submitted.total} addresses on the queue`);
    const indexes = new Map<string, number[]>();
    submitted.keyOf.forEach((key, i) => indexes.set(key, [...(indexes.get(key) ?? []), i]));

    const width = Math.min(40, Math.max(...inputs.map((a) => a.trim().length)));
    progress = flags.progress && process.stderr.isTTY && inputs.length > 1 ? new VerifyProgress(inputs.length) : null;
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

    // Lists wait for greylisting retries (the workers run them as delayed jobs), as a local run does.
    const retryFor = flags.retryFor ?? (flags.file !== undefined ? DEFAULT_LIST_RETRY_FOR_MS : 0);
    const gate = new RetryGate<{ result: VerificationResult; cached: boolean }>(retryFor > 0 ? Date.now() + retryFor : 0);
    const print = (address: string, { result: answer, cached }: { result: VerificationResult; cached: boolean }): void => {
      for (const i of indexes.get(address) ?? []) {
        const result = { ...answer, address: inputs[i]!.trim() };
        results[i] = result;
        progress?.count(result.verdict, cached);
        if (toStdout) stdout.add(i, result);
        if (file) toFile.add(i, result);
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
        const summary = `${gate.waiting} greylisted address${gate.waiting === 1 ? '' : 'es'}, asked again by the workers`;
        if (progress) progress.waiting(summary);
        else say(`waiting to ask again: ${summary}`);
      }
    }
    if (file) {
      const summary = (Object.keys(written) as Verdict[]).map((v) => `${written[v]} ${v}`).join(', ');
      say(`${toFile.emitted} results written to ${flags.out} (${summary})`);
    }
  } finally {
    progress?.stop();
    file?.close();
    await queue.close();
    redis.disconnect();
  }
  const done = results.filter((r): r is VerificationResult => r !== undefined);
  if (interrupted || done.length < inputs.length) {
    say(`stopped following after ${done.length} of ${inputs.length} addresses; the workers go on`);
    return EXIT_INTERRUPTED;
  }
  return exitCodeFor(done);
}
