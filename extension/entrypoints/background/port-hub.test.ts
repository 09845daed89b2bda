import { probe, until } from '@/test-support/until';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { WebSocket } from 'ws';
import { BackgroundLink } from '@/lib/background-link';
import type { CheckState, DaemonStatusView } from '@/lib/messages';
import { answerDeliverable, holdForever, ScriptedDaemon } from '@/test-support/scripted-daemon';
import { portPair } from '@/test-support/port-pair';
import { DaemonClient, type WebSocketLike } from './daemon-client';
import { PortHub } from './port-hub';
import { ResultCache } from './result-cache';
import { pendingChecksItem, resultCacheItem } from './session-items';
import { VerificationService } from './verification-service';

/**
 * A page (content script or popup) and the background over the "checks" port: watching,
 * peeking, and the page re-watching by itself when the service worker goes away and comes back.
 */

const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => fakeBrowser.reset());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One service worker's worth of background: what main() builds, without browser events. */
function startWorker(port: number) {
  const cache = new ResultCache({ load: () => resultCacheItem.getValue(), save: (e) => resultCacheItem.setValue(e) });
  const client: DaemonClient = new DaemonClient({
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    loadConfig: async () => ({ url: `ws://127.0.0.1:${port}/`, healthUrl: `http://127.0.0.1:${port}/health`, token: 'good-token' }),
    probe,
    saveToken: async () => {},
    onStatus: (status) => {
      service.setStatus(status);
      hub.broadcastStatus(view());
    },
    onUpdate: (result) => service.applyUpdate(result),
    clientInfo: { name: 'test', version: '0' },
    backoff: { baseMs: 20, capMs: 100 },
  });
  const service: VerificationService = new VerificationService({
    client,
    cache,
    reverifyMs: () => 86_400_000,
    savePending: (checks) => void pendingChecksItem.setValue(checks),
  });
  const view = (): DaemonStatusView => ({ status: client.status, endpoint: `127.0.0.1:${port}`, server: null, paired: true, pending: service.pendingCount });
  const ready = (async () => {
    await cache.load();
    service.restore(await pendingChecksItem.getValue());
  })();
  const hub: PortHub = new PortHub(service, ready, view);
  const ports: (() => void)[] = [];
  const worker = {
    hub,
    /** What runtime.connect does: a new port whose background end this worker accepts. */
    connect() {
      const pair = portPair('mailping:checks');
      hub.accept(pair.background);
      client.connect();
      ports.push(pair.disconnectBackground);
      return pair.page;
    },
    /** The browser stops the worker: its ports break and its socket closes. */
    kill() {
      for (const disconnect of ports) disconnect();
      client.dispose();
    },
  };
  cleanups.push(() => client.dispose());
  return worker;
}

describe('checks port', () => {
  it('pushes every state of a watched address, then closes when nothing is watched', async () => {
    const d = await ScriptedDaemon.start();
    cleanups.push(() => d.stop());
    const worker = startWorker(d.port);
    let connects = 0;
    const link = new BackgroundLink({
      connect: () => {
        connects += 1;
        return worker.connect();
      },
      idleCloseMs: 50,
    });
    const states: CheckState[] = [];
    const unwatch = link.watch('alice@valid.test', false, (s) => states.push(s));
    await until(() => states.some((s) => s.kind === 'done'));
    expect(states[0]?.kind).toBe('checking');
    expect(states.at(-1)).toMatchObject({ kind: 'done', result: { verdict: 'deliverable' } });
    await until(() => link.status?.status.kind === 'connected');
    unwatch();
    expect(worker.hub.size).toBe(1);
    await until(() => worker.hub.size === 0);
    expect(connects).toBe(1);
  });

  it('answers a peek from the cache, and with null for an address nobody checked', async () => {
    const d = await ScriptedDaemon.start();
    cleanups.push(() => d.stop());
    const worker = startWorker(d.port);
    const link = new BackgroundLink({ connect: () => worker.connect() });
    cleanups.push(() => link.close());
    expect(await link.peek('nobody@valid.test')).toBeNull();
    const done = new Promise<void>((resolve) => {
      const unwatch = link.watch('alice@valid.test', false, (s) => s.kind === 'done' && (unwatch(), resolve()));
    });
    await done;
    expect(await link.peek('alice@valid.test')).toMatchObject({ kind: 'done', cached: true });
    expect(d.verifies).toHaveLength(1);
  });

  it('survives the service worker being stopped: the page re-watches and gets its answer', async () => {
    const d = await ScriptedDaemon.start({ onVerify: holdForever });
    cleanups.push(() => d.stop());
    let worker = startWorker(d.port);
    const link = new BackgroundLink({ connect: () => worker.connect(), reconnectDelaysMs: [20] });
    cleanups.push(() => link.close());
    const states: CheckState[] = [];
    link.watch('slow@valid.test', false, (s) => states.push(s));
    await until(() => d.verifies.length === 1);

    // The browser stops the worker; the next event (the page reconnecting) starts a new one.
    const old = worker;
    worker = startWorker(d.port);
    d.onVerify = answerDeliverable;
    old.kill();
    await until(() => states.some((s) => s.kind === 'done'));
    expect(states.at(-1)).toMatchObject({ kind: 'done', result: { address: 'slow@valid.test' } });
    expect(d.verifies.length).toBeGreaterThanOrEqual(2);
  });

  it('ignores malformed messages from a page', async () => {
    const d = await ScriptedDaemon.start();
    cleanups.push(() => d.stop());
    const worker = startWorker(d.port);
    const page = worker.connect();
    const replies: unknown[] = [];
    page.onMessage.addListener((m) => replies.push(m));
    page.postMessage({ type: 'watch', address: 42 } as never);
    page.postMessage({ type: 'verify-everything' } as never);
    page.postMessage({ type: 'watch', address: 'x'.repeat(400) } as never);
    await new Promise((r) => setTimeout(r, 100));
    expect(replies.every((m) => (m as { type: string }).type === 'status')).toBe(true);
    expect(d.verifies).toHaveLength(0);
  });
});
