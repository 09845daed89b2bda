import type { VerificationResult } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredAddresses, listProgress, readEvents, storeAnswer, storeAnswers } from '../../daemon/src/queue/answers';
import { HostLeases, SlotRefused } from '../../daemon/src/queue/host-leases';
import { keys } from '../../daemon/src/queue/keys';
import { politenessCommands, type PolitenessRedis } from '../../daemon/src/queue/politeness-scripts';
import { clientConnection, politenessConnection } from '../../daemon/src/queue/redis-connection';
import { startRelay, type PausableRelay } from './pausable-relay';
import { startRedis, type RedisServer } from './redis-server';

/** The Lua steps every worker relies on, against a real redis-server. */
let server: RedisServer;
let redis: PolitenessRedis;
const relays: PausableRelay[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = politenessCommands(clientConnection(server.url));
});

afterAll(async () => {
  redis?.disconnect();
  await Promise.allSettled(relays.map((r) => r.close()));
  await server?.stop();
});

const result = (address: string, reason: VerificationResult['reason'] = 'accepted'): VerificationResult =>
  ({ address, normalized: address, verdict: reason === 'accepted' ? 'deliverable' : 'unknown', reason }) as VerificationResult;

describe('answers', () => {
  it('keeps the first answer of an address, ignores a duplicate, takes a newer version as an update', async () => {
    await redis.hset(keys.listMeta('l1'), 'total', 2, 'answered', 0);
    expect(await storeAnswer(redis, 'l1', 'a@x.test', result('a@x.test', 'greylisted'))).toBe('stored');
    expect(await storeAnswer(redis, 'l1', 'a@x.test', result('a@x.test'))).toBe('duplicate');
    expect(await storeAnswer(redis, 'l1', 'a@x.test', result('a@x.test'), { version: 1 })).toBe('updated');
    expect(await storeAnswer(redis, 'l1', 'b@x.test', result('b@x.test'), { cached: true })).toBe('stored');
    expect(await listProgress(redis, 'l1')).toEqual({ answered: 2, total: 2 });
    expect([...(await answeredAddresses(redis, 'l1', ['a@x.test', 'b@x.test', 'c@x.test'], 1))]).toEqual(['a@x.test']);

    const events = await readEvents(redis, 'l1', '0', 10);
    expect(events.map((e) => `${e.type} ${e.address} ${e.result.reason} ${e.cached}`)).toEqual([
      'result a@x.test greylisted false',
      'update a@x.test accepted false',
      'result b@x.test accepted true',
    ]);
    // Resuming from the second event gives only the third.
    expect((await readEvents(redis, 'l1', events[1]!.id, 10)).map((e) => e.address)).toEqual(['b@x.test']);
  });
});

describe('answers of a batch', () => {
  it('stores a batch in one step: new ones, a duplicate skipped, retrying answers marked', async () => {
    await redis.hset(keys.listMeta('l2'), 'total', 3, 'answered', 0);
    await storeAnswer(redis, 'l2', 'a@x.test', result('a@x.test'));
    const outcomes = await storeAnswers(redis, 'l2', [
      { address: 'a@x.test', result: result('a@x.test') },
      { address: 'b@x.test', result: result('b@x.test', 'greylisted'), retrying: true },
      { address: 'c@x.test', result: result('c@x.test') },
    ]);
    expect(outcomes).toEqual(['duplicate', 'stored', 'stored']);
    expect(await listProgress(redis, 'l2')).toEqual({ answered: 3, total: 3 });
    // The retry's answer is an update, final this time.
    expect(await storeAnswers(redis, 'l2', [{ address: 'b@x.test', result: result('b@x.test') }], { version: 1 })).toEqual(['updated']);
    const events = await readEvents(redis, 'l2', '0', 10);
    expect(events.map((e) => `${e.type} ${e.address} ${e.result.reason} retrying=${e.retrying} ${e.answered}/${e.total}`)).toEqual([
      'result a@x.test accepted retrying=false 1/3',
      'result b@x.test greylisted retrying=true 2/3',
      'result c@x.test accepted retrying=false 3/3',
      'update b@x.test accepted retrying=false 3/3',
    ]);
  });
});

describe('answers with what goes along', () => {
  it('caches what the list kept (never a duplicate), and sends the other commands in the same transaction', async () => {
    await redis.hset(keys.listMeta('l3'), 'total', 2, 'answered', 0);
    await storeAnswer(redis, 'l3', 'a@x.test', result('a@x.test'));
    const outcomes = await storeAnswers(
      redis,
      'l3',
      [
        { address: 'a@x.test', result: result('a@x.test', 'mailbox_not_found'), cacheTtlMs: 60_000 },
        { address: 'b@x.test', result: result('b@x.test'), cacheTtlMs: 60_000 },
        { address: 'c@x.test', result: result('c@x.test', 'greylisted'), cacheTtlMs: 0 },
      ],
      { also: (tx) => void tx.set(keys.domainBackoff('x.test'), '421', 'PX', 5000).zrem(keys.hostLeases('192.0.2.5'), 'lease-1') },
    );
    expect(outcomes).toEqual(['duplicate', 'stored', 'stored']);
    // The duplicate did not overwrite the cache with its (different) answer; the kept one is cached.
    expect(await redis.get(keys.cachedResult('a@x.test'))).toBeNull();
    expect(JSON.parse((await redis.get(keys.cachedResult('b@x.test')))!).reason).toBe('accepted');
    const ttl = await redis.pttl(keys.cachedResult('b@x.test'));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await redis.get(keys.cachedResult('c@x.test'))).toBeNull();
    expect(await redis.get(keys.domainBackoff('x.test'))).toBe('421');
    // A newer version (a greylisting retry's answer) replaces the cached one.
    expect(await storeAnswers(redis, 'l3', [{ address: 'b@x.test', result: result('b@x.test', 'mailbox_not_found'), cacheTtlMs: 60_000 }], { version: 1, also: () => {} })).toEqual([
      'updated',
    ]);
    expect(JSON.parse((await redis.get(keys.cachedResult('b@x.test')))!).reason).toBe('mailbox_not_found');
    // Only commands along: no answer stored, the commands still go.
    expect(await storeAnswers(redis, 'l3', [], { also: (tx) => void tx.set('mp:test:along', '1') })).toEqual([]);
    expect(await redis.get('mp:test:along')).toBe('1');
  });
});

describe('RCPT token bucket', () => {
  it('gives at most the bucket, then waits for the refill; a domain backoff gives nothing', async () => {
    const take = (n: number) => redis.mpTakeTokens(keys.domainBucket('t.test'), keys.domainBackoff('t.test'), n, 10, 1000);
    // Asking for 0 takes nothing and says whether a token is left (wait 0) or how long until one is.
    expect(await take(0)).toEqual([0, 0]);
    expect(await take(7)).toEqual([7, 0]);
    expect(await take(0)).toEqual([0, 0]);
    const [taken, wait] = await take(7);
    expect(taken).toBe(3);
    expect(wait).toBe(0);
    const [none, refill] = await take(1);
    expect(none).toBe(0);
    expect(refill).toBeGreaterThan(0);
    expect(refill).toBeLessThanOrEqual(100);
    const [nothing, peek] = await take(0);
    expect(nothing).toBe(0);
    expect(peek).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 350));
    const [later] = await take(10);
    expect(later).toBeGreaterThanOrEqual(2);
    expect(later).toBeLessThanOrEqual(5);
    await redis.set(keys.domainBackoff('t.test'), '421', 'PX', 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await take(1))[0]).toBe(0);
  });
});

describe('connection leases', () => {
  it('grants N leases per address across holders, frees one on release, refuses during a 421 backoff', async () => {
    const a = new HostLeases(redis, { limit: 2, ttlMs: 3000, pollMs: 20, onLost: () => {} });
    const b = new HostLeases(redis, { limit: 2, ttlMs: 3000, pollMs: 20, onLost: () => {} });
    try {
      const signal = new AbortController().signal;
      const r1 = await a.acquire('192.0.2.1', signal);
      await b.acquire('192.0.2.1', signal);
      let third = false;
      const pending = a.acquire('192.0.2.1', signal).then((release) => {
        third = true;
        return release;
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(third).toBe(false);
      r1();
      (await pending)();
      expect(third).toBe(true);

      await redis.set(keys.hostBackoff('192.0.2.9'), '421', 'PX', 5000);
      await expect(a.acquire('192.0.2.9', signal)).rejects.toBeInstanceOf(SlotRefused);

      // With the domain's budget: refused without a lease while the bucket is empty or the domain backs off.
      const budget = { bucket: keys.domainBucket('b.test'), backoff: keys.domainBackoff('b.test'), capacity: 2, windowMs: 60_000 };
      expect((await redis.mpTakeTokens(budget.bucket, budget.backoff, 2, 2, 60_000))[0]).toBe(2);
      const spent = await a.hold('192.0.2.4', signal, budget).catch((e: unknown) => e);
      expect(spent).toBeInstanceOf(SlotRefused);
      expect((spent as SlotRefused).why).toBe('budget');
      expect((spent as SlotRefused).waitMs).toBeGreaterThan(20_000);
      expect(await redis.zcard(keys.hostLeases('192.0.2.4'))).toBe(0);
      await redis.del(budget.bucket);
      await redis.set(budget.backoff, '421', 'PX', 5000);
      expect(((await a.hold('192.0.2.4', signal, budget).catch((e: unknown) => e)) as SlotRefused).why).toBe('budget');
      await redis.del(budget.backoff);
      expect(((await a.hold('192.0.2.9', signal, budget).catch((e: unknown) => e)) as SlotRefused).why).toBe('backoff');
      const begun = await a.hold('192.0.2.4', signal, budget);
      expect(await redis.zcard(keys.hostLeases('192.0.2.4'))).toBe(1);
      // Checking the bucket took no token.
      expect((await redis.mpTakeTokens(budget.bucket, budget.backoff, 5, 2, 60_000))[0]).toBe(2);
      begun.release();

      // Given back with other commands: it is freed when they are sent, and no longer renewed.
      const held = await a.hold('192.0.2.3', signal);
      expect(await redis.zcard(keys.hostLeases('192.0.2.3'))).toBe(1);
      const count = a.count;
      const tx = redis.multi().set('mp:test:with-lease', '1');
      held.releaseIn(tx);
      expect(a.count).toBe(count - 1);
      await tx.exec();
      expect(await redis.zcard(keys.hostLeases('192.0.2.3'))).toBe(0);
      // Released already: a second release sends nothing.
      const again = redis.multi();
      const before = again.length;
      held.releaseIn(again);
      expect(again.length).toBe(before);
      held.release();
    } finally {
      a.close();
      b.close();
    }
  });

  it('tells the holder its leases are lost when Redis goes silent, before they expire', async () => {
    const relay = await startRelay(server.port);
    relays.push(relay);
    const conn = politenessCommands(
      politenessConnection(relay.url, 100),
    );
    const lost: number[] = [];
    const ttlMs = 1200;
    const leases = new HostLeases(conn, { limit: 1, ttlMs, pollMs: 20, onLost: () => lost.push(Date.now()) });
    try {
      await leases.acquire('192.0.2.2', new AbortController().signal);
      await new Promise((r) => setTimeout(r, ttlMs)); // renewals keep it alive past one TTL
      expect(lost).toEqual([]);
      expect(await redis.zcard(keys.hostLeases('192.0.2.2'))).toBe(1);
      const pausedAt = Date.now();
      relay.pause();
      await new Promise((r) => setTimeout(r, ttlMs + 300));
      expect(lost.length).toBe(1);
      expect(lost[0]! - pausedAt).toBeLessThan(ttlMs);
    } finally {
      relay.resume();
      leases.close();
      conn.disconnect();
    }
  });
});
