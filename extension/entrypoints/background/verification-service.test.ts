import { probe, until } from '@/test-support/until';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { WebSocket } from 'ws';
import type { CheckState } from '@/lib/messages';
import { answerDeliverable, holdForever, sampleResult, ScriptedDaemon } from '@/test-support/scripted-daemon';
import { DaemonClient, type WebSocketLike } from './daemon-client';
import { ResultCache } from './result-cache';
import { pendingChecksItem, resultCacheItem } from './session-items';
import { VerificationService } from './verification-service';

/**
 * The background's queue as a whole: cache, coalescing, re-verify interval, and a service
 * worker that is stopped and started again (a new client, cache and service reading what the
 * old ones left in storage.session, which fakeBrowser keeps in memory), against a real
 * WebSocket server.
 */

const DAY = 24 * 3_600_000;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => fakeBrowser.reset());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the background's main() builds, wired to storage the same way. */
async function startWorker(port: number, reverifyMs = 7 * DAY) {
  const cache = new ResultCache({ load: () => resultCacheItem.getValue(), save: (e) => resultCacheItem.setValue(e) });
  const client: DaemonClient = new DaemonClient({
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    loadConfig: async () => ({ url: `ws://127.0.0.1:${port}/`, healthUrl: `http://127.0.0.1:${port}/health`, token: 'good-token' }),
    probe,
    saveToken: async () => {},
    onStatus: (status) => service.setStatus(status),
    onUpdate: (result) => service.applyUpdate(result),
    clientInfo: { name: 'test', version: '0' },
    backoff: { baseMs: 20, capMs: 100 },
  });
  const service: VerificationService = new VerificationService({
    client,
    cache,
    reverifyMs: () => reverifyMs,
    savePending: (checks) => void pendingChecksItem.setValue(checks),
  });
  const states: { key: string; state: CheckState }[] = [];
  service.onState((key, state) => states.push({ key, state }));
  await cache.load();
  service.restore(await pendingChecksItem.getValue());
  const stop = () => client.dispose();
  cleanups.push(stop);
  return { client, service, cache, states, stop };
}

async function daemon(options: Parameters<typeof ScriptedDaemon.start>[0] = {}) {
  const d = await ScriptedDaemon.start(options);
  cleanups.push(() => d.stop());
  return d;
}

const finalFor = (states: { key: string; state: CheckState }[], key: string) =>
  states.find((s) => s.key === key && (s.state.kind === 'done' || s.state.kind === 'failed'))?.state;

describe('verification service', () => {
  it('asks the daemon once for an address however many fields want it', async () => {
    const d = await daemon();
    const w = await startWorker(d.port);
    w.service.check('alice@valid.test');
    w.service.check('alice@VALID.test');
    w.service.check(' alice@valid.test ');
    await until(() => finalFor(w.states, 'alice@valid.test') !== undefined);
    expect(d.verifies).toHaveLength(1);
    // The normalized key: exact local part, lower-case domain.
    expect(w.service.keyOf('Alice@VALID.Test')).toBe('Alice@valid.test');
  });

  it('answers from the cache while the result is fresh, and across a worker restart', async () => {
    const d = await daemon();
    const first = await startWorker(d.port);
    first.service.check('alice@valid.test');
    await until(() => finalFor(first.states, 'alice@valid.test') !== undefined);
    await until(async () => Object.keys(await resultCacheItem.getValue()).length === 1);
    first.stop();

    const second = await startWorker(d.port);
    const state = second.service.check('alice@valid.test');
    expect(state).toMatchObject({ kind: 'done', cached: true, result: { verdict: 'deliverable' } });
    expect(d.verifies).toHaveLength(1);
  });

  it('asks the mail server again (fresh) once a result is older than the re-verify interval', async () => {
    const d = await daemon();
    const old = sampleResult('alice@valid.test', { checkedAt: new Date(Date.now() - 2 * DAY).toISOString() });
    await resultCacheItem.setValue({ 'alice@valid.test': old });
    const w = await startWorker(d.port, 1 * DAY);
    expect(w.service.check('alice@valid.test').kind).not.toBe('done');
    await until(() => finalFor(w.states, 'alice@valid.test') !== undefined);
    expect(d.verifies[0]).toMatchObject({ address: 'alice@valid.test', fresh: true });
  });

  it('re-asks with fresh when the daemon answers from a cache older than the interval', async () => {
    const d = await daemon({
      onVerify: (m, reply) => {
        const checkedAt = m.fresh ? new Date().toISOString() : new Date(Date.now() - 3 * DAY).toISOString();
        reply({ type: 'result', id: m.id, result: sampleResult(m.address, { checkedAt }), cached: !m.fresh });
      },
    });
    const w = await startWorker(d.port, 1 * DAY);
    w.service.check('bob@valid.test');
    await until(() => finalFor(w.states, 'bob@valid.test') !== undefined);
    expect(d.verifies.map((v) => v.fresh ?? false)).toEqual([false, true]);
    expect(finalFor(w.states, 'bob@valid.test')).toMatchObject({ kind: 'done', cached: false });
  });

  it('loses nothing when the worker is stopped mid-check: the next worker sends it again', async () => {
    const d = await daemon({ onVerify: holdForever });
    const first = await startWorker(d.port);
    first.service.check('slow@valid.test');
    await until(() => d.verifies.length === 1);
    await until(async () => (await pendingChecksItem.getValue()).length === 1);
    first.stop();

    d.onVerify = answerDeliverable;
    const second = await startWorker(d.port);
    await until(() => finalFor(second.states, 'slow@valid.test') !== undefined);
    expect(finalFor(second.states, 'slow@valid.test')).toMatchObject({ kind: 'done', result: { verdict: 'deliverable' } });
    expect(d.verifies).toHaveLength(2);
    await until(async () => (await pendingChecksItem.getValue()).length === 0);
  });

  it('says "waiting" while the daemon is down and finishes by itself when it is back', async () => {
    const d = await daemon();
    const port = d.port;
    await d.stop();
    const w = await startWorker(port);
    w.service.check('alice@valid.test');
    await until(() => w.states.some((s) => s.state.kind === 'waiting'));
    expect(w.states.find((s) => s.state.kind === 'waiting')?.state).toMatchObject({ status: { kind: 'not_running' } });

    const back = await daemon({ port });
    await until(() => finalFor(w.states, 'alice@valid.test') !== undefined, 8000);
    expect(back.verifies).toHaveLength(1);
    const kinds = w.states.map((s) => s.state.kind);
    expect(kinds.indexOf('checking', kinds.indexOf('waiting'))).toBeGreaterThan(kinds.indexOf('waiting'));
  });

  it('refuses a malformed address at once, without the daemon', async () => {
    const d = await daemon();
    const w = await startWorker(d.port);
    expect(w.service.check('not an address')).toMatchObject({ kind: 'failed', code: 'invalid_address' });
    expect(d.verifies).toHaveLength(0);
  });

  it('upgrades a running check when someone asks for a fresh one', async () => {
    const d = await daemon({ onVerify: holdForever });
    const w = await startWorker(d.port);
    w.service.check('alice@valid.test');
    await until(() => d.verifies.length === 1);
    d.onVerify = answerDeliverable;
    w.service.check('alice@valid.test', true);
    await until(() => finalFor(w.states, 'alice@valid.test') !== undefined);
    expect(d.verifies.map((v) => v.fresh ?? false)).toEqual([false, true]);
    expect(d.received.some((m) => m.type === 'cancel')).toBe(true);
  });
});
