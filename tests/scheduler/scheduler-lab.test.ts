import type { ProgressStage } from '@mailping/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { SchedulerError } from '../../daemon/src/scheduler/types';
import { closeHarnesses, makeHarness, maillogFrom, sentLines, sleep, waitFor } from './scheduler-harness';

/**
 * The scheduler against the lab's Postfix: what it promises to callers (coalescing, batching,
 * cache, cancel, queue limit, shutdown), checked in the results and in the server's own log.
 * Each test's SMTP connections come from its own 127.0.1.N, so the maillog tells them apart.
 */
afterEach(closeHarnesses);

const rejection = async (promise: Promise<unknown>): Promise<SchedulerError> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof SchedulerError)) throw new Error(`expected a SchedulerError, got ${String(error)}`);
  return error;
};

describe('scheduler against the lab', () => {
  it('coalesces 20 concurrent requests for one address into one verification', async () => {
    const ip = '127.0.1.1';
    const log = maillogFrom();
    const h = makeHarness({ sourceIp: ip });
    const stages: ProgressStage[] = [];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.scheduler.submit('alice@valid.test', { clientId: `c${i}`, ...(i === 0 ? { onProgress: (s: ProgressStage) => stages.push(s) } : {}) }),
      ),
    );
    expect(new Set(answers.map((a) => a.result.checkedAt)).size).toBe(1);
    expect(answers.every((a) => a.result.reason === 'accepted' && !a.cached)).toBe(true);
    expect(sentLines(answers[0]!.result.transcript).filter((l) => l === 'RCPT TO:<alice@valid.test>')).toHaveLength(1);
    expect(stages).toEqual(['queued', 'dns', 'connect', 'ehlo', 'rcpt']);
    // At the server: one connection, two RCPTs (the address and the catch-all probe).
    const sessions = await log.sessions(ip);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.rcpt).toBe(2);
    expect(h.scheduler.history()).toHaveLength(1);
  });

  it('batches addresses of a domain submitted together into one SMTP session', async () => {
    const ip = '127.0.1.2';
    const log = maillogFrom();
    // One connection per host, so the engine does not split the batch over two parallel sessions.
    const h = makeHarness({ sourceIp: ip, settings: { politeness: { connectionsPerHost: 1 } } });
    const addresses = ['alice', 'bob', 'first.last', 'jörg', 'full', 'disabled', 'nobody', 'Alice', 'BOB', 'First.Last'].map((l) => `${l}@valid.test`);
    const answers = await Promise.all(addresses.map((a) => h.scheduler.submit(a, { clientId: 'batch' })));
    expect(answers.map((a) => a.result.reason)).toEqual([
      'accepted', 'accepted', 'accepted', 'accepted', 'mailbox_full', 'mailbox_disabled', 'mailbox_not_found', 'accepted', 'accepted', 'accepted',
    ]);
    expect(answers.every((a) => a.result.smtp!.connections === 1)).toBe(true);
    const sessions = await log.sessions(ip);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.rcpt).toBe(11);
  });

  it('lets addresses that arrive while their domain is being verified join the session already open', async () => {
    const ip = '127.0.1.12';
    const log = maillogFrom();
    const h = makeHarness({ sourceIp: ip });
    const late: Array<Promise<{ result: { reason: string; smtp: { connections: number } | null } }>> = [];
    const first = h.scheduler.submit('alice@valid.test', {
      clientId: 'reads',
      // The second "read" of a list: it arrives once the first address's session is connecting.
      onProgress: (stage) => {
        if (stage === 'connect' && late.length === 0) late.push(...['bob', 'nobody', 'first.last'].map((l) => h.scheduler.submit(`${l}@valid.test`, { clientId: 'reads' })));
      },
    });
    await waitFor('the late addresses to be sent', () => late.length > 0);
    const answers = await Promise.all([first, ...late]);
    expect(answers.map((a) => a.result.reason)).toEqual(['accepted', 'accepted', 'mailbox_not_found', 'accepted']);
    expect(answers.every((a) => a.result.smtp!.connections === 1)).toBe(true);
    const sessions = await log.sessions(ip);
    expect(sessions).toHaveLength(1);
    // The four addresses and the catch-all probe.
    expect(sessions[0]!.rcpt).toBe(5);
  });

  it('runs domains in parallel, up to the verifier\'s concurrency', async () => {
    const sessionsSeen = async (concurrency: number): Promise<number> => {
      const h = makeHarness({ verifier: { concurrency } });
      let peak = 0;
      const onProgress = (): void => void (peak = Math.max(peak, h.scheduler.stats().sessions));
      const addresses = ['alice@valid.test', 'alice@nomx.test', 'alice@plain.test', 'alice@nocodes.test'];
      const answers = await Promise.all(addresses.map((a) => h.scheduler.submit(a, { clientId: 'p', onProgress })));
      expect(answers.map((a) => a.result.reason)).toEqual(addresses.map(() => 'accepted'));
      return peak;
    };
    expect(await sessionsSeen(2)).toBe(2);
    expect(await sessionsSeen(8)).toBe(4);
  });

  it('serves fresh results from the cache, across a restart, each verdict for its own TTL', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const h = makeHarness({ scheduler: { now: () => now }, settings: { cache: { unknownMinutes: 10, undeliverableHours: 72 } } });
    const ask = (address: string, fresh = false) => h.scheduler.submit(address, { clientId: 'cache', fresh });

    const first = await ask('nobody@valid.test');
    const refused = await ask('alice@refused.test');
    expect([first.cached, first.result.reason, refused.cached, refused.result.reason]).toEqual([false, 'mailbox_not_found', false, 'connection_failed']);

    // The same mailbox as typed differently: the answer carries the caller's spelling.
    const again = await ask('nobody@VALID.test');
    expect(again).toMatchObject({ cached: true, result: { address: 'nobody@VALID.test', checkedAt: first.result.checkedAt, reason: 'mailbox_not_found' } });

    await h.restart();
    expect(await ask('nobody@valid.test')).toMatchObject({ cached: true, result: { checkedAt: first.result.checkedAt } });
    expect(h.scheduler.lookup('nobody@valid.test')?.checkedAt).toBe(first.result.checkedAt);
    expect(h.scheduler.history().map((r) => r.address)).toEqual(['alice@refused.test', 'nobody@valid.test']);

    // 11 minutes later the unknown answer is stale, the undeliverable one is not.
    now += 11 * 60_000;
    expect((await ask('alice@refused.test')).cached).toBe(false);
    expect((await ask('nobody@valid.test')).cached).toBe(true);
    // fresh: asks the server even though the cache has an answer.
    const forced = await ask('nobody@valid.test', true);
    expect(forced.cached).toBe(false);
    expect(forced.result.checkedAt).not.toBe(first.result.checkedAt);
    now += 73 * 3_600_000;
    expect((await ask('nobody@valid.test')).cached).toBe(false);
    // lookup() answers stale entries too.
    now += 365 * 24 * 3_600_000;
    expect(h.scheduler.lookup('nobody@valid.test')?.reason).toBe('mailbox_not_found');
    expect(h.scheduler.lookup('not an address')).toBeNull();
  });

  it('answers a malformed address with an invalid_syntax result, stored nowhere', async () => {
    const h = makeHarness();
    const answer = await h.scheduler.submit('a..b@valid.test', { clientId: 'syntax' });
    expect(answer).toMatchObject({ cached: false, result: { verdict: 'undeliverable', reason: 'invalid_syntax', syntax: { error: { code: 'local_dot' } } } });
    expect(h.scheduler.history()).toEqual([]);
  });

  it('drops a queued address nobody waits for, and never asks the server', async () => {
    const ip = '127.0.1.3';
    const log = maillogFrom();
    const h = makeHarness({ sourceIp: ip, scheduler: { batchWindowMs: 200 } });
    const abort = new AbortController();
    const pending = h.scheduler.submit('bob@valid.test', { clientId: 'c', signal: abort.signal });
    expect(h.scheduler.stats().queued).toBe(1);
    abort.abort();
    expect((await rejection(pending)).code).toBe('cancelled');
    expect(h.scheduler.stats().queued).toBe(0);
    await sleep(500);
    expect(log.connects(ip)).toBe(0);
    expect(h.scheduler.lookup('bob@valid.test')).toBeNull();
  });

  it('lets one caller cancel while another still gets the result', async () => {
    const h = makeHarness({ scheduler: { batchWindowMs: 100 } });
    const abort = new AbortController();
    const quitter = h.scheduler.submit('bob@valid.test', { clientId: 'a', signal: abort.signal });
    const stayer = h.scheduler.submit('bob@valid.test', { clientId: 'b' });
    abort.abort();
    expect((await rejection(quitter)).code).toBe('cancelled');
    expect((await stayer).result.reason).toBe('accepted');
  });

  it('rejects a cancelled caller at once while its session goes on and fills the cache', async () => {
    const h = makeHarness();
    const abort = new AbortController();
    let rejectedDuringSession = false;
    const pending = h.scheduler.submit('first.last@valid.test', {
      clientId: 'c',
      signal: abort.signal,
      onProgress: (stage) => {
        if (stage === 'connect') abort.abort();
      },
    });
    const error = await rejection(pending);
    rejectedDuringSession = h.scheduler.stats().inFlight === 1;
    expect(error.code).toBe('cancelled');
    expect(rejectedDuringSession).toBe(true);
    await waitFor('the session to end', () => h.scheduler.stats().inFlight === 0);
    expect(h.scheduler.lookup('first.last@valid.test')?.reason).toBe('accepted');
  });

  it('refuses new addresses beyond maxQueued with queue_full and a retry time', async () => {
    const h = makeHarness({ settings: { limits: { maxQueued: 3 } }, scheduler: { batchWindowMs: 200 } });
    const queued = ['alice', 'bob', 'nobody'].map((l) => h.scheduler.submit(`${l}@valid.test`, { clientId: 'q' }));
    const refused = await rejection(h.scheduler.submit('first.last@valid.test', { clientId: 'q' }));
    expect(refused.code).toBe('queue_full');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    // Joining an address already queued costs no room.
    const joined = h.scheduler.submit('alice@valid.test', { clientId: 'other' });
    expect(h.scheduler.stats()).toMatchObject({ queued: 3, inFlight: 0 });
    expect((await Promise.all([...queued, joined])).map((a) => a.result.reason)).toEqual(['accepted', 'accepted', 'mailbox_not_found', 'accepted']);
  });

  it('commits a batch\'s results together; when that commit fails, saves them one by one and still answers everyone', async () => {
    const messages: string[] = [];
    const h = makeHarness({ scheduler: { log: (m) => messages.push(m) } });
    // The database refuses one row: the batch's one transaction fails as a whole.
    h.db.exec(`CREATE TRIGGER refuse_one BEFORE INSERT ON results WHEN NEW.address = 'nobody@valid.test' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const answers = await Promise.all(['alice', 'bob', 'nobody'].map((l) => h.scheduler.submit(`${l}@valid.test`, { clientId: 'c' })));
    expect(answers.map((a) => a.result.reason)).toEqual(['accepted', 'accepted', 'mailbox_not_found']);
    expect(messages.some((m) => m.startsWith('cache write failed for a batch of 3'))).toBe(true);
    expect(messages.some((m) => m.startsWith('cache write failed for nobody@valid.test'))).toBe(true);
    // The others were saved on their own.
    expect(h.scheduler.lookup('alice@valid.test')?.reason).toBe('accepted');
    expect(h.scheduler.lookup('bob@valid.test')?.reason).toBe('accepted');
    expect(h.scheduler.lookup('nobody@valid.test')).toBeNull();
    // Without the refusal, a batch is one transaction: all of it in the cache, no failure logged.
    h.db.exec('DROP TRIGGER refuse_one');
    messages.length = 0;
    const again = await Promise.all(['first.last', 'nobody'].map((l) => h.scheduler.submit(`${l}@valid.test`, { clientId: 'c' })));
    expect(again.map((a) => a.result.reason)).toEqual(['accepted', 'mailbox_not_found']);
    expect(messages).toEqual([]);
    expect(h.scheduler.lookup('nobody@valid.test')?.reason).toBe('mailbox_not_found');
  });

  it('closes gracefully: the running session ends with QUIT, queued callers hear shutting_down', async () => {
    const ip = '127.0.1.4';
    const log = maillogFrom();
    const h = makeHarness({ sourceIp: ip });
    let queued: Promise<SchedulerError> | null = null;
    let closing: Promise<void> | null = null;
    const running = h.scheduler.submit('alice@valid.test', {
      clientId: 'c',
      onProgress: (stage) => {
        if (stage !== 'connect' || closing) return;
        // The domain's session is under way: this one waits for the next batch.
        queued = rejection(h.scheduler.submit('bob@valid.test', { clientId: 'c' }));
        closing = h.scheduler.close();
      },
    });
    const answer = await running;
    expect(answer.result.reason).toBe('accepted');
    // The answer is known before the goodbye: QUIT is sent, and the server's count below shows it was answered.
    expect(sentLines(answer.result.transcript).at(-1)).toBe('QUIT');
    expect((await queued!)?.code).toBe('shutting_down');
    await closing;
    expect((await rejection(h.scheduler.submit('bob@valid.test', { clientId: 'c' }))).code).toBe('shutting_down');
    expect(h.scheduler.stats()).toMatchObject({ queued: 0, inFlight: 0, sessions: 0 });
    const sessions = await log.sessions(ip);
    expect(sessions.map((s) => s.quit)).toEqual([1]);
  });
});
