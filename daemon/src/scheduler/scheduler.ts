import { parseAddress, type ParsedAddress, type ProgressStage, type VerificationResult } from '@mailping/shared';
import type { Settings } from '../config/settings';
import { trace } from '../metrics/timing-trace';
import type { Db } from '../store/database';
import { DomainStore } from '../store/domain-store';
import { ResultStore } from '../store/result-store';
import { RetryStore } from '../store/retry-store';
import { cacheExpiresAt, isFresh } from '../store/ttl';
import { syntaxFailureResult } from '../verify/build-result';
import type { Verifier, ProgressStage as EngineStage } from '../verify/pipeline';
import { Backoff } from './backoff';
import { GreylistRetries } from './greylist-retries';
import { toProtocolStage } from './progress-stage';
import { retryIn } from './retry-plan';
import { TokenBucket } from './token-bucket';
import { SchedulerError, type Scheduler, type SchedulerAnswer, type SchedulerStats, type SubmitOptions } from './types';

export interface SchedulerDeps {
  verifier: Verifier;
  /** Opened (and later closed) by the caller; the scheduler never closes it. */
  db: Db;
  settings: Settings;
  /** The clock for cache expiry, rate limits, backoff and retries (tests drive it). */
  now?: () => number;
  /** How long addresses arriving together are gathered before their domain's session starts. */
  batchWindowMs?: number;
  /** close(): how long running sessions may take to finish (and say QUIT) before they are cut. */
  closeGraceMs?: number;
  /** Run greylisting retries here (the daemon). false: only record them, for the daemon to run (the CLI). */
  runRetries?: boolean;
  /** Problems nobody is waiting to hear about (a failed cache write, a broken retry timer). */
  log?: (message: string) => void;
}

interface Waiter {
  input: string;
  resolve: (answer: SchedulerAnswer) => void;
  reject: (error: SchedulerError) => void;
  onProgress?: (stage: ProgressStage) => void;
  detach: () => void;
}

/** One address being verified, shared by everyone who asked for it meanwhile. */
interface Job {
  address: ParsedAddress;
  waiters: Set<Waiter>;
  state: 'queued' | 'running';
  stage: ProgressStage;
  /** A greylisting retry: runs even when no caller waits for it. */
  retry: boolean;
}

/** One domain's queue: one batch (one verifyDomain call) at a time, paced by its token bucket. */
interface Lane {
  domain: string;
  queue: Job[];
  running: boolean;
  /** A pending flush: a timer, or for no delay an immediate (a 0 ms timer waits at least 1 ms). */
  timer: { cancel: () => void } | null;
  bucket: TokenBucket;
  /** The MX address the last batch talked to: a 421 from it holds back every domain it serves. */
  mxIp: string | null;
}

interface Batch {
  readonly controller: AbortController;
  done: Promise<void>;
}

/**
 * 0: the next turn of the event loop. Addresses submitted together (one HTTP body, the frames of
 * one WebSocket read, a CLI list) still share a batch; a lone address does not wait 15 ms for
 * company that rarely comes (it was the largest part of the time between the engine's answer
 * and the person). Addresses arriving while a batch runs gather for the next one anyway.
 */
export const DEFAULT_BATCH_WINDOW_MS = 0;
export const DEFAULT_CLOSE_GRACE_MS = 5000;
/** While a domain waits for tokens or a backoff, look again at least this often (clock changes). */
const RECHECK_MS = 1000;
const QUEUE_FULL_RETRY_MS = 2000;
const MX_TTL_MS = 60 * 60_000;
const HOUR_MS = 60 * 60_000;
const IDLE_LANES_BEFORE_SWEEP = 1000;
const NO_TIMINGS = { syntaxMs: 0, dnsMs: null, smtpMs: null, totalMs: 0 };

/**
 * The one owner of SMTP sessions. Callers submit one address at a time; the scheduler answers
 * from the cache when it can, lets identical requests share one verification, gathers the
 * addresses of a domain into one batch (one verifyDomain call: as few sessions as the server
 * allows, pipelined RCPTs), runs domains in parallel up to the verifier's concurrency, and keeps
 * the politeness limits: RCPTs per minute per domain, a pause after a 421, one batch per domain
 * at a time (the verifier caps connections per MX address). Every result is committed to the
 * database before anyone hears it.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { verifier, db, settings } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => {});
  const batchWindowMs = deps.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS;
  const closeGraceMs = deps.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  const maxParallel = Math.max(1, verifier.options.concurrency);
  // A batch feeds up to `connectionsPerHost` sessions from one queue; a few sessions' worth keeps
  // them all busy without making a newcomer for the same domain wait behind a whole list.
  const maxBatch = Math.max(1, settings.politeness.maxRcptPerSession * settings.politeness.connectionsPerHost * 2);
  const backoffMs = settings.politeness.backoffSeconds * 1000;

  const results = new ResultStore(db, { historyLimit: settings.cache.historyLimit });
  const domains = new DomainStore(db, { catchAllMs: settings.cache.catchAllHours * HOUR_MS, mxMs: MX_TTL_MS });
  const retryStore = new RetryStore(db);
  const backoff = new Backoff(now);
  const retries = new GreylistRetries(retryStore, {
    delayMs: settings.greylist.retryDelaySeconds * 1000,
    maxRetries: settings.greylist.maxRetries,
    now,
    onDue: retryDue,
    log,
  });

  const jobs = new Map<string, Job>();
  const lanes = new Map<string, Lane>();
  /** Domains ready to run, waiting for one of the `maxParallel` batch slots, in arrival order. */
  const waitingForSlot = new Set<string>();
  const batches = new Set<Batch>();
  const listeners = new Set<(result: VerificationResult) => void>();
  let queuedJobs = 0;
  let runningJobs = 0;
  let closing: Promise<void> | null = null;

  const retryDelays = { greylistMs: settings.greylist.retryDelaySeconds * 1000, backoffMs };
  type Saved = { result: VerificationResult; update: boolean };
  /** One result into the cache, the history and the retry plan; run inside a transaction. */
  const persistOne = (fresh: VerificationResult, wasRetry: boolean): Saved => {
    const at = now();
    // A retry's transcript keeps the attempts before it: every retry shows.
    const result = wasRetry ? withEarlierAttempts(fresh, results.get(fresh.normalized!)?.result ?? null, at) : fresh;
    const plan = retries.afterResult(result.normalized!, retryIn(result, retryDelays), wasRetry);
    // retryAt says when this scheduler will ask again; null when it will not.
    const final = { ...result, retryAt: plan.retryAt === null ? null : new Date(plan.retryAt).toISOString() };
    results.save(final, cacheExpiresAt(final, settings.cache, at));
    domains.record(final, at);
    return { result: final, update: wasRetry || plan.superseded };
  };
  const persist = db.transaction(persistOne);
  // A batch's results in one transaction: one commit (one WAL write, not one per address with its
  // own pages) while the event loop, which every other domain's sessions need, waits for it.
  const persistAll = db.transaction((items: Array<{ result: VerificationResult; retry: boolean }>) => items.map((i) => persistOne(i.result, i.retry)));

  if (deps.runRetries ?? true) retries.start();

  function submit(address: string, options: SubmitOptions): Promise<SchedulerAnswer> {
    if (closing) return Promise.reject(shuttingDown());
    if (options.signal?.aborted) return Promise.reject(cancelled());
    const parsed = parseAddress(address);
    // A malformed address is an answer, not a failure: the same result `mailping verify` prints.
    if (!parsed.ok) return Promise.resolve({ result: syntaxFailureResult(address.trim(), parsed.error, NO_TIMINGS), cached: false });
    const key = parsed.address.normalized;
    const input = parsed.address.input;

    if (!options.fresh) {
      const hit = freshFromCache(key);
      if (hit) return Promise.resolve({ result: { ...hit, address: input }, cached: true });
    }
    // A job in flight is as fresh as it gets: `fresh` callers join it too.
    let job = jobs.get(key);
    if (!job) {
      if (queuedJobs >= settings.limits.maxQueued) {
        return Promise.reject(new SchedulerError('queue_full', `${queuedJobs} addresses are already waiting`, QUEUE_FULL_RETRY_MS));
      }
      job = enqueue(parsed.address, options.retry === true);
    } else if (options.retry) {
      job.retry = true;
    }
    return join(job, input, options);
  }

  function freshFromCache(key: string): VerificationResult | null {
    try {
      const stored = results.get(key);
      return stored && isFresh(stored.expiresAt, now()) ? stored.result : null;
    } catch (error) {
      log(`cache read failed for ${key}: ${(error as Error).message}`);
      return null;
    }
  }

  function enqueue(address: ParsedAddress, retry: boolean): Job {
    const job: Job = { address, waiters: new Set(), state: 'queued', stage: 'queued', retry };
    jobs.set(address.normalized, job);
    const lane = laneFor(address.domain);
    lane.queue.push(job);
    queuedJobs++;
    schedule(lane, batchWindowMs);
    return job;
  }

  function join(job: Job, input: string, options: SubmitOptions): Promise<SchedulerAnswer> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { input, resolve, reject, detach: () => {}, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void => {
          job.waiters.delete(waiter);
          reject(cancelled());
          // Nobody waits any more: a queued address is dropped; a running session goes on
          // (its result still lands in the cache).
          if (job.state === 'queued' && job.waiters.size === 0 && !job.retry) drop(job);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      job.waiters.add(waiter);
      tell(waiter, job.stage);
    });
  }

  function drop(job: Job): void {
    const lane = lanes.get(job.address.domain);
    const index = lane?.queue.indexOf(job) ?? -1;
    if (lane && index >= 0) {
      lane.queue.splice(index, 1);
      queuedJobs--;
    }
    jobs.delete(job.address.normalized);
  }

  function laneFor(domain: string): Lane {
    let lane = lanes.get(domain);
    if (!lane) {
      if (lanes.size >= IDLE_LANES_BEFORE_SWEEP) sweepIdleLanes();
      lane = { domain, queue: [], running: false, timer: null, bucket: new TokenBucket(settings.politeness.rcptPerMinutePerDomain, now), mxIp: null };
      lanes.set(domain, lane);
    }
    return lane;
  }

  /** A lane with nothing queued, nothing running and a full bucket remembers nothing worth keeping. */
  function sweepIdleLanes(): void {
    for (const [domain, lane] of lanes) {
      if (!lane.running && lane.queue.length === 0 && !lane.timer && lane.bucket.full && backoff.msLeft(domainKey(domain)) === 0) {
        lanes.delete(domain);
      }
    }
  }

  function schedule(lane: Lane, delayMs: number): void {
    if (closing || lane.running || lane.timer || lane.queue.length === 0 || waitingForSlot.has(lane.domain)) return;
    const run = (): void => {
      lane.timer = null;
      flush(lane);
    };
    // setImmediate still lets the frames of one read, or one request's addresses, gather first.
    if (delayMs <= 0) {
      const immediate = setImmediate(run);
      lane.timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(run, delayMs);
      lane.timer = { cancel: () => clearTimeout(timer) };
    }
  }

  function flush(lane: Lane): void {
    if (closing || lane.running || lane.queue.length === 0) return;
    const wait = Math.max(backoff.msLeft(domainKey(lane.domain), ipKey(lane.mxIp)), lane.bucket.msUntil(1));
    if (wait > 0) {
      trace('lane.wait', { domain: lane.domain, ms: Math.round(wait) });
      return schedule(lane, Math.min(wait, RECHECK_MS));
    }
    if (batches.size >= maxParallel) {
      trace('lane.slot-wait', { domain: lane.domain });
      waitingForSlot.add(lane.domain);
      return;
    }
    const taken = lane.bucket.take(Math.min(lane.queue.length, maxBatch));
    const batch = lane.queue.splice(0, taken);
    queuedJobs -= batch.length;
    run(lane, batch);
  }

  function run(lane: Lane, batch: Job[]): void {
    lane.running = true;
    runningJobs += batch.length;
    for (const job of batch) job.state = 'running';
    const byKey = new Map(batch.map((j) => [j.address.normalized, j]));
    const entry: Batch = { controller: new AbortController(), done: Promise.resolve() };
    batches.add(entry);
    trace('batch.start', { domain: lane.domain, n: batch.length });
    entry.done = (async () => {
      let outcome: Map<string, VerificationResult> | null = null;
      try {
        outcome = await verifier.verifyDomain(lane.domain, batch.map((j) => j.address), {
          signal: entry.controller.signal,
          onProgress: (address, stage) => advance(byKey.get(address), stage),
          // Addresses of this domain that arrive while it runs (a list over a WebSocket comes in
          // several reads) join its sessions instead of waiting for a batch of their own.
          more: (max, accepts) => {
            if (closing) return [];
            const joining: Job[] = [];
            const room = Math.min(max, maxBatch - batch.length, lane.bucket.available());
            for (let i = 0; i < lane.queue.length && joining.length < room; ) {
              const job = lane.queue[i]!;
              if (accepts(job.address)) {
                lane.queue.splice(i, 1);
                joining.push(job);
              } else i++;
            }
            lane.bucket.take(joining.length);
            queuedJobs -= joining.length;
            runningJobs += joining.length;
            for (const job of joining) {
              job.state = 'running';
              byKey.set(job.address.normalized, job);
              batch.push(job);
            }
            return joining.map((j) => j.address);
          },
        });
      } catch (error) {
        log(`verifying ${lane.domain} failed: ${(error as Error).stack ?? String(error)}`);
      }
      trace('batch.engine', { domain: lane.domain, n: batch.length });
      const aborted = entry.controller.signal.aborted;
      const answers = batch.map((job) => ({ job, result: outcome?.get(job.address.normalized) ?? null }));
      const saved = saveAll(answers, aborted);
      for (const { job, result } of answers) finish(lane, job, result, aborted, saved.get(job));
      if (saved.size > 0) retries.arm();
      trace('batch.persisted', { domain: lane.domain });
    })().finally(() => {
      batches.delete(entry);
      runningJobs -= batch.length;
      lane.running = false;
      // The next batch of this domain goes as soon as this one is done: no new batching window.
      schedule(lane, 0);
      startWaitingDomains();
    });
  }

  function startWaitingDomains(): void {
    for (const domain of [...waitingForSlot]) {
      if (batches.size >= maxParallel) return;
      waitingForSlot.delete(domain);
      const lane = lanes.get(domain);
      if (lane) flush(lane);
    }
  }

  function advance(job: Job | undefined, stage: EngineStage): void {
    const next = toProtocolStage(stage);
    if (!job || !next || next === job.stage) return;
    job.stage = next;
    for (const waiter of job.waiters) tell(waiter, next);
  }

  /**
   * Commits a batch's results together. Nothing is told before its result is committed; should the
   * batch's transaction fail, each result is tried on its own in finish(), as before.
   */
  function saveAll(answers: Array<{ job: Job; result: VerificationResult | null }>, aborted: boolean): Map<Job, Saved> {
    const storable = answers.filter((a): a is { job: Job; result: VerificationResult } => a.result !== null && !isCancelled(a.result, aborted));
    if (storable.length === 0) return new Map();
    try {
      const saved = persistAll.immediate(storable.map((a) => ({ result: a.result, retry: a.job.retry })));
      return new Map(storable.map((a, i) => [a.job, saved[i]!]));
    } catch (error) {
      log(`cache write failed for a batch of ${storable.length} (${(error as Error).message}); saving one by one`);
      return new Map();
    }
  }

  function finish(lane: Lane, job: Job, result: VerificationResult | null, aborted: boolean, saved?: Saved): void {
    jobs.delete(job.address.normalized);
    const waiters = [...job.waiters];
    job.waiters.clear();
    for (const w of waiters) w.detach();

    if (!result) {
      for (const w of waiters) w.reject(new SchedulerError('internal', `no result was produced for ${job.address.normalized}`));
      return;
    }
    if (isCancelled(result, aborted)) {
      for (const w of waiters) w.reject(shuttingDown());
      return;
    }
    if (result.mx?.ip) lane.mxIp = result.mx.ip;
    // The engine says when a server deferred the session (421, hang-up): leave the domain, and
    // every domain on that MX address, alone for the backoff.
    const deferral = result.smtp?.deferral;
    if (deferral && backoffMs > 0) {
      backoff.set(domainKey(lane.domain), backoffMs);
      if (deferral.ip) backoff.set(ipKey(deferral.ip)!, backoffMs);
    }

    let final = result;
    let update = job.retry;
    if (saved) {
      final = saved.result;
      update = saved.update;
    } else {
      try {
        const one = persist.immediate(result, job.retry);
        final = one.result;
        update = one.update;
        retries.arm();
      } catch (error) {
        // The answer is still right; only the cache missed it.
        log(`cache write failed for ${job.address.normalized}: ${(error as Error).message}`);
      }
    }
    for (const w of waiters) w.resolve({ result: { ...final, address: w.input }, cached: false });
    if (update) {
      for (const listener of listeners) {
        try {
          listener(final);
        } catch (error) {
          log(`an update listener failed: ${(error as Error).message}`);
        }
      }
    }
  }

  function retryDue(address: string): void {
    if (closing) return;
    const existing = jobs.get(address);
    if (existing) {
      existing.retry = true;
      return;
    }
    const parsed = parseAddress(address);
    if (!parsed.ok) {
      retryStore.delete(address);
      return;
    }
    enqueue(parsed.address, true);
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      retries.stop();
      for (const lane of lanes.values()) {
        lane.timer?.cancel();
        lane.timer = null;
        for (const job of lane.queue.splice(0)) {
          jobs.delete(job.address.normalized);
          for (const w of job.waiters) {
            w.detach();
            w.reject(shuttingDown());
          }
        }
      }
      queuedJobs = 0;
      waitingForSlot.clear();
      const running = [...batches];
      if (running.length === 0) return;
      const all = Promise.allSettled(running.map((b) => b.done));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), closeGraceMs)));
      const outcome = await Promise.race([all.then(() => 'done' as const), grace]);
      clearTimeout(timer);
      if (outcome === 'late') {
        // The engine drops the connection on abort: past the grace period, a prompt exit beats a polite one.
        for (const b of running) b.controller.abort();
        await all;
      }
    })();
    return closing;
  }

  return {
    submit,
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    history: (options) => results.history(options),
    lookup(address) {
      const parsed = parseAddress(address);
      return parsed.ok ? (results.get(parsed.address.normalized)?.result ?? null) : null;
    },
    stats(): SchedulerStats {
      let pendingRetries = 0;
      try {
        pendingRetries = retryStore.count();
      } catch {
        // A closed database: nothing pending that we could run anyway.
      }
      return { queued: queuedJobs, inFlight: runningJobs, sessions: batches.size, pendingRetries };
    },
    close,
  };
}

function tell(waiter: Waiter, stage: ProgressStage): void {
  try {
    waiter.onProgress?.(stage);
  } catch {
    // A caller's progress display must not break the verification of others.
  }
}

/** The earlier attempts' transcript first, then a line saying a retry began, then this attempt. */
function withEarlierAttempts(result: VerificationResult, earlier: VerificationResult | null, at: number): VerificationResult {
  if (!earlier || earlier.transcript.length === 0) return result;
  const why = earlier.smtp?.deferral
    ? `${earlier.smtp.deferral.host} deferred the session${earlier.smtp.deferral.code ? ` (${earlier.smtp.deferral.code})` : ''}`
    : `${earlier.reason.replace(/_/g, ' ')}${earlier.reply ? ` (${earlier.reply.code})` : ''}`;
  const marker = { t: 0, dir: '*' as const, line: `retry at ${new Date(at).toISOString()}: the attempt of ${earlier.checkedAt} ended ${why}` };
  return { ...result, transcript: [...earlier.transcript, marker, ...result.transcript] };
}

/** Cut short by close(): that says nothing about the address, so it is neither stored nor told. */
const isCancelled = (result: VerificationResult, aborted: boolean): boolean => aborted && result.smtp?.error?.code === 'cancelled';
const domainKey = (domain: string): string => `domain:${domain}`;
const ipKey = (ip: string | null): string | null => (ip ? `ip:${ip}` : null);
const shuttingDown = (): SchedulerError => new SchedulerError('shutting_down', 'the verifier is shutting down');
const cancelled = (): SchedulerError => new SchedulerError('cancelled', 'the request was cancelled');
