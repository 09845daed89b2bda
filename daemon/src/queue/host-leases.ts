import { randomUUID } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import { keys } from './keys';
import type { PolitenessRedis } from './politeness-scripts';

export interface HostLeaseOptions {
  /** Connections open at once to one MX address, all workers together. */
  limit: number;
  ttlMs: number;
  /** How often a full host is asked again (a lease may also expire on its own). */
  pollMs: number;
  /** Leases could not be renewed for ttl/2: every session must stop before they expire. */
  onLost: (reason: string) => void;
}

/** Why a connection slot was not given: the caller's session ends without asking anything. */
export class SlotRefused extends Error {
  override readonly name = 'SlotRefused';
  constructor(
    /** budget: the domain's RCPT budget is spent, or the domain is backing off. */
    readonly why: 'backoff' | 'budget' | 'redis',
    message: string,
    readonly waitMs = 0,
  ) {
    super(message);
  }
}

interface Lease {
  ip: string;
  renewedAt: number;
}

/** A domain's RCPT bucket, checked along with a lease (see `hold`). */
export interface DomainBudget {
  bucket: string;
  backoff: string;
  capacity: number;
  windowMs: number;
}

/** A lease this worker holds, until it gives it back. */
export interface HeldLease {
  /** performance.now() when Redis's grant arrived (its step had found no backoff on the host). */
  grantedAt: number;
  release(): void;
  /**
   * Gives it back with the caller's own commands (a transaction or pipeline the caller sends
   * anyway): one round trip fewer. Only once the lease's connection is closed, as `release`.
   */
  releaseIn(into: ChainableCommander): void;
}

/**
 * ≤ `limit` connections per MX address across every worker: a connection holds a lease, a member
 * of a sorted set in Redis scored by its expiry; this worker renews its leases every ttl/6 while
 * the sessions run. A lease that cannot be renewed for ttl/2 — Redis unreachable, or the lease
 * gone — means the cap may no longer hold, so `onLost` stops every session before the leases
 * expire and another worker may take the slots.
 */
export class HostLeases {
  private readonly held = new Map<string, Lease>();
  /** 421s this worker heard, known here at once (Redis hears of them a round trip later). */
  private readonly backoffUntil = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private renewing = false;

  constructor(
    private readonly redis: PolitenessRedis,
    private readonly options: HostLeaseOptions,
  ) {
    this.timer = setInterval(() => void this.renewAll(), Math.max(10, Math.floor(options.ttlMs / 6)));
    this.timer.unref();
  }

  /** The `acquireSlot` seam of the engine: resolves with a release once this worker holds a lease. */
  async acquire(ip: string, signal: AbortSignal): Promise<() => void> {
    return (await this.hold(ip, signal)).release;
  }

  /**
   * A lease if the host has one free right now (and is not backing off), else null: one step,
   * no wait. Redis unreachable: SlotRefused, as `acquire`.
   */
  async tryAcquire(ip: string): Promise<(() => void) | null> {
    const id = randomUUID();
    const [granted] = await this.ask(ip, id);
    return granted === 1 ? this.grant(ip, id).release : null;
  }

  /**
   * As `acquire`, for a caller that may give the lease back along with commands of its own.
   * With `budget`, the same step first checks that the domain may go on (no backoff, a token
   * left), else refuses (`budget`) without taking a lease: one round trip for both.
   */
  async hold(ip: string, signal: AbortSignal, budget?: DomainBudget): Promise<HeldLease> {
    const id = randomUUID();
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const [granted, waitMs] = await this.ask(ip, id, budget);
      if (granted === -2) throw new SlotRefused('budget', `the domain's RCPT budget is spent or it is backing off: ${waitMs} ms`, waitMs);
      if (granted === -1) throw new SlotRefused('backoff', `${ip} said 421: every worker leaves it alone for ${waitMs} ms`, waitMs);
      if (granted === 1) return this.grant(ip, id);
      await sleep(Math.min(waitMs, this.options.pollMs), signal);
    }
  }

  /** One lease step in Redis: [1 granted | 0 full | -1 host backing off | -2 budget refused, ms to wait]. */
  private async ask(ip: string, id: string, budget?: DomainBudget): Promise<[number, number]> {
    const { limit, ttlMs } = this.options;
    try {
      return budget
        ? await this.redis.mpBeginBatch(keys.hostLeases(ip), keys.hostBackoff(ip), budget.bucket, budget.backoff, id, limit, ttlMs, budget.capacity, budget.windowMs)
        : await this.redis.mpAcquireLease(keys.hostLeases(ip), keys.hostBackoff(ip), id, limit, ttlMs);
    } catch (error) {
      throw new SlotRefused('redis', `cannot reach Redis for a lease on ${ip}: ${(error as Error).message}`);
    }
  }

  /** A granted lease, renewed from now on until given back. */
  private grant(ip: string, id: string): HeldLease {
    const grantedAt = performance.now();
    this.held.set(id, { ip, renewedAt: Date.now() });
    return {
      grantedAt,
      release: () => this.release(id),
      releaseIn: (into) => {
        // A lease lost meanwhile is not ours to remove.
        if (!this.held.delete(id)) return;
        into.zrem(keys.hostLeases(ip), id);
      },
    };
  }

  /** A server said 421: leave it alone here at once; the caller records it in Redis for the others. */
  noteBackoff(ip: string, ms: number): void {
    this.backoffUntil.set(ip, Math.max(this.backoffUntil.get(ip) ?? 0, Date.now() + ms));
  }

  /**
   * Milliseconds `ip` is still left alone, asked just before dialing: a lease granted a moment
   * before some worker heard a 421 must not be used for a new connection.
   */
  async backoffLeft(ip: string): Promise<number> {
    const local = this.localBackoffLeft(ip);
    if (local > 0) return local;
    try {
      return Math.max(0, await this.redis.pttl(keys.hostBackoff(ip)));
    } catch (error) {
      throw new SlotRefused('redis', `cannot reach Redis to check ${ip}: ${(error as Error).message}`);
    }
  }

  /** Milliseconds left of a 421 backoff this worker heard itself (no Redis round trip). */
  localBackoffLeft(ip: string): number {
    const left = (this.backoffUntil.get(ip) ?? 0) - Date.now();
    if (left <= 0) this.backoffUntil.delete(ip);
    return Math.max(0, left);
  }

  get count(): number {
    return this.held.size;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private release(id: string): void {
    const lease = this.held.get(id);
    if (!lease) return;
    this.held.delete(id);
    // A lease we fail to remove expires by itself within ttl.
    this.redis.zrem(keys.hostLeases(lease.ip), id).catch(() => {});
  }

  private async renewAll(): Promise<void> {
    // Checked on every tick, even while a renewal hangs: a silent Redis must not stretch the wait.
    for (const [id, lease] of this.held) {
      if (Date.now() - lease.renewedAt >= this.options.ttlMs / 2) this.lose(id, `no renewal of the lease on ${lease.ip} for ${this.options.ttlMs / 2} ms`);
    }
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    try {
      await Promise.all([...this.held].map(([id, lease]) => this.renew(id, lease)));
    } finally {
      this.renewing = false;
    }
  }

  private async renew(id: string, lease: Lease): Promise<void> {
    try {
      const ok = await this.redis.mpRenewLease(keys.hostLeases(lease.ip), id, this.options.ttlMs);
      if (ok === 1) {
        lease.renewedAt = Date.now();
        return;
      }
      this.lose(id, `the lease on ${lease.ip} expired before it was renewed`);
    } catch (error) {
      if (Date.now() - lease.renewedAt >= this.options.ttlMs / 2) {
        this.lose(id, `cannot renew the lease on ${lease.ip}: ${(error as Error).message}`);
      }
    }
  }

  private lose(id: string, reason: string): void {
    if (!this.held.has(id)) return;
    this.held.delete(id);
    this.options.onLost(reason);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
