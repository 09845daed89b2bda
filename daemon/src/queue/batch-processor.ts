import { parseAddress, type ParsedAddress, type VerificationResult } from '@mailping/shared';
import { DelayedError, type Job, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { Settings } from '../config/settings';
import { cacheTtlMs } from '../store/ttl';
import { lookupMx, type MxResolver } from '../verify/dns/mx-lookup';
import { createVerifier } from '../verify/pipeline';
import type { VerifierOptions } from '../verify/options';
import { SmtpFailureError } from '../verify/smtp/failure';
import { answeredAddresses, storeAnswers, type Answer } from './answers';
import { givenUpResult } from './given-up-result';
import { SlotRefused, type HeldLease, type HostLeases } from './host-leases';
import { batchJobId, keys } from './keys';
import type { PolitenessRedis } from './politeness-scripts';
import { scaled } from './time-scale';

/** One job: addresses of one domain, at most a session's worth, from one list. */
export interface BatchData {
  list: string;
  domain: string;
  /** Normalized addresses. */
  addresses: string[];
  /** The batch's number within its list and domain (part of its job id). */
  n: number;
  /** Sessions it may open side by side, sharing its addresses (planBatches); 1 when absent. */
  sessions?: number;
  fresh: boolean;
  /** 0: first ask; k: the k-th greylisting retry (its answers are `update`s). */
  version: number;
  /** Times this batch was put off because a server said 421 or a slot was refused. */
  deferrals: number;
}

export interface BatchDeps {
  redis: PolitenessRedis;
  queue: Queue<BatchData>;
  settings: Settings;
  verifierOptions: Partial<VerifierOptions>;
  leases: HostLeases;
  /** For the MX address of a domain seen for the first time (its lease is taken before the engine runs). */
  resolver?: MxResolver;
  scale: number;
  /** Every batch's abort handle: losing the leases stops them all. */
  running: Set<AbortController>;
  log: (message: string) => void;
}

/** After this many deferrals the answer is what the server said (unknown), not another wait. */
export const MAX_DEFERRALS = 3;
export const LIST_PRIORITY = 10;
export const SINGLE_PRIORITY = 1;
const MINUTE_MS = 60_000;
/** How long a batch waits for its first connection before it steps aside (delayed) for others. */
const LEASE_WAIT_MS = 10_000;
const HOUR_MS = 60 * MINUTE_MS;
/** A token grant slower than this to arrive is not spent (see takeRcptTokens below). */
export const STALE_TOKENS_MS = 100;
/** A lease granted this recently needs no second look at the host's backoff before its connection. */
const FRESH_GRANT_MS = 20;

/**
 * Runs one batch job: skips what the list already has an answer for (a batch may run twice:
 * BullMQ's delivery is at least once), answers from the shared cache, waits out backoff and the
 * domain's RCPT budget by delaying the job (never by spinning), verifies the rest on leased
 * connections, and stores each answer before the job is acknowledged.
 */
export async function processBatch(job: Job<BatchData>, token: string | undefined, deps: BatchDeps): Promise<number> {
  const { redis, settings, scale } = deps;
  const data = job.data;
  const all = data.addresses.map((a) => parseAddress(a)).flatMap((p) => (p.ok ? [p.address] : []));
  const names = all.map((a) => a.normalized);
  if (names.length === 0) return 0;
  // What the list has, what the cache has, what is known of the domain: one round trip.
  const useCache = !data.fresh && data.version === 0;
  const reads = redis.pipeline().hmget(keys.listVersions(data.list), ...names).hmget(keys.domainFacts(data.domain), 'catchAll', 'mxIp');
  if (useCache) reads.mget(...names.map((a) => keys.cachedResult(a)));
  const replies = (await reads.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  const versions = replies[0]![1] as Array<string | null>;
  const [catchAllFact, knownIp] = replies[1]![1] as Array<string | null>;
  const hits = useCache ? (replies[2]![1] as Array<string | null>) : [];
  let todo = all.filter((_, i) => versions[i] === null || Number(versions[i]) < data.version);
  if (todo.length === 0) return 0;
  if (useCache) todo = await answerFromCache(deps, data.list, todo, new Map(names.map((a, i) => [a, hits[i] ?? null])));
  if (todo.length === 0) return 0;

  const mxIp = knownIp ?? (await firstMxAddress(deps, data.domain));
  const controller = new AbortController();
  deps.running.add(controller);
  // The batch's connection lease is kept for the whole batch (reconnects included). Its RCPT
  // tokens are taken by the engine right before each flight goes out (`takeRcptTokens`): tokens
  // taken before the lease, the connect and EHLO would be spent later than their window.
  let lease: JobLease | null = null;
  let results: { outcome: Map<string, VerificationResult>; refused: boolean };
  const batch = todo;
  const capacity = settings.politeness.rcptPerMinutePerDomain;
  const windowMs = scaled(MINUTE_MS, scale);
  const bucket = { domain: data.domain, capacity, windowMs };
  try {
    if (mxIp) {
      // A 421 this worker heard is known here before Redis has it; Redis's backoff is checked
      // by the lease step itself (SlotRefused with the wait).
      const backoff = deps.leases.localBackoffLeft(mxIp);
      if (backoff > 0) return await delay(job, token, backoff);
      // An empty bucket (or the domain's backoff) puts the batch off before it connects, checked
      // in the lease's own step; the tokens themselves are taken flight by flight (another worker
      // may still get there first: then the session ends before its first RCPT).
      const budget = { bucket: keys.domainBucket(data.domain), backoff: keys.domainBackoff(data.domain), capacity, windowMs };
      try {
        lease = { ip: mxIp, inUse: false, idle: null, held: await deps.leases.hold(mxIp, AbortSignal.any([controller.signal, AbortSignal.timeout(scaled(LEASE_WAIT_MS, scale))]), budget) };
      } catch (error) {
        const refused = error instanceof SlotRefused ? error : null;
        if (refused?.why === 'budget') return await delay(job, token, Math.max(refused.waitMs, Math.ceil(windowMs / capacity)));
        return await delay(job, token, refused && refused.waitMs > 0 ? refused.waitMs : scaled(1000, scale));
      }
    } else {
      const [, wait] = await redis.mpTakeTokens(keys.domainBucket(data.domain), keys.domainBackoff(data.domain), 0, capacity, windowMs);
      if (wait > 0) return await delay(job, token, Math.max(wait, Math.ceil(windowMs / capacity)));
    }
    const knownCatchAll = catchAllFact === null ? null : catchAllFact === '1';
    results = await verifyOnLeases(deps, bucket, batch, knownCatchAll, lease, data.sessions ?? 1, controller);
  } catch (error) {
    if (lease) giveBack(lease);
    throw error;
  } finally {
    deps.running.delete(controller);
  }
  const deferred: string[] = [];
  let unasked = 0;
  const greylisted: string[] = [];
  let saw421Ip: string | null = null;
  let catchAll: boolean | null = null;
  let lastIp: string | null = null;
  const answers: Answer[] = [];
  for (const address of batch) {
    const result = results.outcome.get(address.normalized);
    if (!result) continue;
    if (result.mx?.ip) lastIp = result.mx.ip;
    if (result.smtp?.catchAll !== null && result.smtp?.catchAll !== undefined) catchAll = result.smtp.catchAll;
    // The engine says when a server deferred the session (421, or a hang-up) this address needed.
    const deferral = result.smtp?.deferral;
    const put421 = deferral !== undefined;
    if (deferral) saw421Ip = deferral.ip ?? result.mx?.ip ?? saw421Ip;
    // The RCPT budget ran out before this address was asked: it waits for tokens (no deferral:
    // the server said nothing), and nothing of this batch's session is its answer.
    if (result.smtp?.error?.code === 'rationed') {
      unasked++;
      continue;
    }
    const notAsked = results.refused && result.reply?.command !== 'RCPT TO';
    if ((put421 || notAsked) && data.deferrals < MAX_DEFERRALS) {
      deferred.push(address.normalized);
      continue;
    }
    const retrying = result.reason === 'greylisted' && data.version < settings.greylist.maxRetries;
    if (retrying) greylisted.push(address.normalized);
    answers.push({ address: address.normalized, result, retrying });
  }
  // One transaction, one round trip: the answers (the atomic step that matters, with the shared
  // cache of each answer the list kept), what the batch learnt of its domain, a 421's backoff,
  // and the batch's connection lease once its connection is closed.
  for (const answer of answers) answer.cacheTtlMs = cacheTtlMs(answer.result, settings.cache);
  let handedOver = false;
  try {
    await storeAnswers(redis, data.list, answers, {
      version: data.version,
      also: (tx) => {
        rememberDomain(tx, deps, data.domain, lastIp, catchAllFact === null ? catchAll : null);
        if (saw421Ip) backOff(tx, deps, data.domain, saw421Ip);
        if (lease) giveBack(lease, tx);
        handedOver = true;
      },
    });
  } finally {
    // The store failed before its transaction was built.
    if (lease && !handedOver) giveBack(lease);
  }

  if (greylisted.length > 0) {
    // RFC 6647: ask again after the greylisting delay; the answer replaces the first one.
    await deps.queue.add(
      'batch',
      { ...data, addresses: greylisted, version: data.version + 1, deferrals: 0 },
      {
        jobId: batchJobId(data.list, data.domain, data.n, data.version + 1),
        delay: scaled(settings.greylist.retryDelaySeconds * 1000, scale),
        priority: job.opts.priority ?? LIST_PRIORITY,
      },
    );
  }

  const left = unasked + deferred.length;
  if (left > 0) {
    if (deferred.length > 0) await job.updateData({ ...data, deferrals: data.deferrals + 1 });
    const backoff = deferred.length > 0 ? scaled(settings.politeness.backoffSeconds * 1000, scale) : 0;
    const refill = Math.ceil((Math.min(left, capacity) * windowMs) / capacity);
    return delay(job, token, Math.max(backoff, deferred.length === left ? 0 : refill, 1));
  }
  return batch.length;
}

async function answerFromCache(deps: BatchDeps, list: string, todo: ParsedAddress[], hits: Map<string, string | null>): Promise<ParsedAddress[]> {
  const rest: ParsedAddress[] = [];
  const answers: Answer[] = [];
  for (const address of todo) {
    const hit = hits.get(address.normalized);
    if (hit) answers.push({ address: address.normalized, result: JSON.parse(hit) as VerificationResult });
    else rest.push(address);
  }
  await storeAnswers(deps.redis, list, answers, { cached: true });
  return rest;
}

/** The batch's own connection lease, lent to its sessions one at a time. */
interface JobLease {
  ip: string;
  inUse: boolean;
  /** While a session has it: settles once that session's connection is closed. */
  idle: Promise<void> | null;
  held: HeldLease;
}

/** The batch's lease for one session; it is free again once that session's connection is closed. */
function borrow(own: JobLease): () => void {
  let closed!: () => void;
  own.inUse = true;
  own.idle = new Promise((resolve) => (closed = resolve));
  return () => {
    own.inUse = false;
    own.idle = null;
    closed();
  };
}

async function borrowWhenIdle(own: JobLease, signal: AbortSignal): Promise<() => void> {
  while (own.inUse) {
    signal.throwIfAborted();
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([own.idle, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
  return borrow(own);
}

/**
 * Gives the batch's lease back, never before its connection is closed: the engine returns the
 * answers before the server's 221 when nothing waits for it. With `into`, the release goes with
 * those commands if the connection is closed already; otherwise on its own once it is. (Sent
 * and lost, it expires with its TTL, as a failed release does.)
 */
function giveBack(lease: JobLease, into?: ChainableCommander): void {
  if (lease.idle) void lease.idle.then(() => giveBack(lease));
  else if (into) lease.held.releaseIn(into);
  else lease.held.release();
}

async function firstMxAddress(deps: BatchDeps, domain: string): Promise<string | null> {
  if (!deps.resolver) return null;
  const lookup = await lookupMx(domain, deps.resolver);
  return lookup.kind === 'mx' ? (lookup.mx[0]?.addresses[0] ?? null) : null;
}

interface DomainBucket {
  domain: string;
  capacity: number;
  windowMs: number;
}

async function verifyOnLeases(
  deps: BatchDeps,
  { domain, capacity, windowMs }: DomainBucket,
  batch: ParsedAddress[],
  knownCatchAll: boolean | null,
  lease: JobLease | null,
  sessions: number,
  controller: AbortController,
): Promise<{ outcome: Map<string, VerificationResult>; refused: boolean }> {
  let refused = false;
  const verifier = createVerifier({
    ...deps.verifierOptions,
    // The batch's own sessions, sharing its addresses; more parallelism is other batches.
    maxConnectionsPerHost: Math.max(1, sessions),
    // Drawn right before each flight of RCPTs, from the bucket named as the job names the domain
    // (the key every worker uses). Redis unreachable: no tokens, so no RCPT; the batch's unasked
    // addresses are delayed like any other rationed ones.
    takeRcptTokens: async (_domain, wanted) => {
      try {
        const asked = performance.now();
        const [taken] = await deps.redis.mpTakeTokens(keys.domainBucket(domain), keys.domainBackoff(domain), wanted, capacity, windowMs);
        // Tokens are dated by Redis's clock when granted: a grant that took long to arrive (a
        // slow link, a stalled process) is left unspent rather than used late, above the rate.
        if (performance.now() - asked > STALE_TOKENS_MS) {
          deps.log(`RCPT tokens of ${domain} arrived late: left unspent`);
          return 0;
        }
        return taken;
      } catch (error) {
        deps.log(`RCPT tokens of ${domain} not taken: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      }
    },
    acquireSlot: async (ip, signal) => {
      let release: () => void;
      try {
        if (lease && lease.ip === ip) {
          // The batch's second session: a lease of its own if the host has one free right now,
          // else the batch's lease once its other session is done with it. Never a wait for
          // other batches' leases: two batches each waiting for the other's would wait for ever.
          release = lease.inUse ? ((await deps.leases.tryAcquire(ip)) ?? (await borrowWhenIdle(lease, signal))) : borrow(lease);
        } else {
          release = await deps.leases.acquire(ip, signal);
        }
      } catch (error) {
        if (error instanceof SlotRefused) refused = true;
        throw error;
      }
      try {
        // The batch's lease was granted by a step that found no backoff on the host: that check
        // is as fresh as another would be if the grant is only a moment old.
        const fresh = lease && lease.ip === ip && performance.now() - lease.held.grantedAt < FRESH_GRANT_MS;
        const backoff = fresh ? deps.leases.localBackoffLeft(ip) : await deps.leases.backoffLeft(ip);
        if (backoff > 0) throw new SlotRefused('backoff', `${ip} said 421 a moment ago`, backoff);
      } catch (error) {
        release();
        refused = true;
        throw error;
      }
      return release;
    },
  });
  const outcome = await verifier.verifyDomain(domain, batch, { signal: controller.signal, knownCatchAll });
  // Sessions stopped because the leases were lost: nothing was learnt, and the job must not
  // be acknowledged; its lock lapses and another worker runs it.
  if (controller.signal.aborted) throw new Error(`batch of ${domain} stopped: ${String((controller.signal.reason as Error)?.message ?? '')}`);
  return { outcome, refused };
}

function rememberDomain(into: ChainableCommander, deps: BatchDeps, domain: string, mxIp: string | null, catchAll: boolean | null): void {
  if (mxIp === null && catchAll === null) return;
  const key = keys.domainFacts(domain);
  const fields: Record<string, string> = {};
  if (mxIp) fields.mxIp = mxIp;
  if (catchAll !== null) fields.catchAll = catchAll ? '1' : '0';
  into.hset(key, fields).pexpire(key, Math.max(1, deps.settings.cache.catchAllHours * HOUR_MS));
}

function backOff(into: ChainableCommander, deps: BatchDeps, domain: string, ip: string): void {
  const ms = scaled(deps.settings.politeness.backoffSeconds * 1000, deps.scale);
  into.set(keys.hostBackoff(ip), '421', 'PX', ms).set(keys.domainBackoff(domain), '421', 'PX', ms);
}

async function delay(job: Job<BatchData>, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
  throw new DelayedError();
}

export function leasesLost(reason: string): SmtpFailureError {
  return new SmtpFailureError('cancelled', `connection leases lost (${reason})`);
}

/** The answer for addresses of a batch that could not be verified at all (the batch failed for good). */
export async function answerGivenUp(redis: PolitenessRedis, data: BatchData, why: string): Promise<void> {
  const done = await answeredAddresses(redis, data.list, data.addresses);
  const answers: Answer[] = [];
  for (const address of data.addresses) {
    const result = done.has(address) ? null : await givenUpResult(address, why);
    if (result) answers.push({ address, result });
  }
  await storeAnswers(redis, data.list, answers);
}
