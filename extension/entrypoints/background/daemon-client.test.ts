import net from 'node:net';
import type { ProgressStage, VerificationResult } from '@mailping/shared';
import { probe, until } from '@/test-support/until';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { DaemonStatus } from '@/lib/messages';
import { answerDeliverable, holdForever, sampleResult, ScriptedDaemon } from '@/test-support/scripted-daemon';
import { DaemonClient, type DaemonClientOptions, type WebSocketLike } from './daemon-client';

/**
 * The background's one connection, against a real WebSocket server on loopback: connecting,
 * queueing while the daemon is away, re-sending after a drop, backoff, keepalive, pairing.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function daemon(options: Parameters<typeof ScriptedDaemon.start>[0] = {}): Promise<ScriptedDaemon> {
  const d = await ScriptedDaemon.start(options);
  cleanups.push(() => d.stop());
  return d;
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Harness {
  client: DaemonClient;
  statuses: DaemonStatus[];
  savedTokens: string[];
  updates: VerificationResult[];
  token: { value: string | null };
}

function client(port: number, over: Partial<DaemonClientOptions> = {}, token: string | null = 'good-token'): Harness {
  const statuses: DaemonStatus[] = [];
  const savedTokens: string[] = [];
  const updates: VerificationResult[] = [];
  const tokenBox = { value: token };
  const c = new DaemonClient({
    createSocket: (url) => new WebSocket(url, { origin: 'chrome-extension://egonnibiidoihfhcmkbbbaahcncaldod' }) as unknown as WebSocketLike,
    loadConfig: async () => ({ url: `ws://127.0.0.1:${port}/`, healthUrl: `http://127.0.0.1:${port}/health`, token: tokenBox.value }),
    probe,
    saveToken: async (t) => {
      savedTokens.push(t);
      tokenBox.value = t;
    },
    onStatus: (s) => statuses.push(s),
    onUpdate: (r) => updates.push(r),
    clientInfo: { name: 'test', version: '0' },
    backoff: { baseMs: 20, capMs: 100 },
    connectTimeoutMs: 1000,
    handshakeTimeoutMs: 1000,
    ...over,
  });
  cleanups.push(() => c.dispose());
  return { client: c, statuses, savedTokens, updates, token: tokenBox };
}

interface Outcome {
  stages: ProgressStage[];
  result: Promise<{ result: VerificationResult; cached: boolean } | { error: string }>;
}

function verify(c: DaemonClient, address: string, fresh = false): Outcome & { id: string } {
  const stages: ProgressStage[] = [];
  let id = '';
  const result = new Promise<{ result: VerificationResult; cached: boolean } | { error: string }>((resolve) => {
    id = c.verify(address, fresh, {
      onProgress: (s) => stages.push(s),
      onResult: (r, cached) => resolve({ result: r, cached }),
      onError: (code) => resolve({ error: code }),
    });
  });
  return { id, stages, result };
}

describe('daemon client', () => {
  it('says hello with the token, verifies, and reports progress and the result', async () => {
    const d = await daemon();
    const h = client(d.port);
    const check = verify(h.client, 'alice@valid.test');
    const outcome = await check.result;
    expect(outcome).toMatchObject({ result: { address: 'alice@valid.test', verdict: 'deliverable' }, cached: false });
    expect(check.stages).toEqual(['rcpt']);
    expect(d.received[0]).toMatchObject({ type: 'hello', token: 'good-token', version: 1 });
    expect(d.verifies).toEqual([{ type: 'verify', id: check.id, address: 'alice@valid.test' }]);
    expect(h.statuses.at(-1)).toEqual({ kind: 'connected', daemonVersion: 'scripted' });
    expect(h.client.pendingCount).toBe(0);
  });

  it('keeps requests while the daemon is not running, says so, and sends them once it starts', async () => {
    const port = await freePort();
    const h = client(port);
    const check = verify(h.client, 'alice@valid.test');
    await until(() => h.statuses.some((s) => s.kind === 'not_running'));
    expect(h.client.pendingCount).toBe(1);

    const d = await daemon({ port });
    const outcome = await check.result;
    expect(outcome).toMatchObject({ result: { verdict: 'deliverable' } });
    expect(d.verifies).toHaveLength(1);
    expect(h.statuses.at(-1)?.kind).toBe('connected');
  });

  it('re-sends what was in flight when the connection drops, and gets the answer after reconnecting', async () => {
    const d = await daemon({ onVerify: holdForever });
    const h = client(d.port);
    const check = verify(h.client, 'slow@valid.test');
    await until(() => d.verifies.length === 1);
    d.onVerify = answerDeliverable;
    d.dropConnections();
    const outcome = await check.result;
    expect(outcome).toMatchObject({ result: { address: 'slow@valid.test' } });
    expect(d.verifies).toHaveLength(2);
    expect(d.connections).toBe(2);
    expect(h.statuses.map((s) => s.kind)).toContain('connecting');
  });

  it('backs off between attempts instead of hammering a port nobody answers', async () => {
    const port = await freePort();
    let attempts = 0;
    const h = client(port, {
      createSocket: (url) => {
        attempts += 1;
        return new WebSocket(url) as unknown as WebSocketLike;
      },
      backoff: { baseMs: 50, capMs: 400 },
    });
    verify(h.client, 'alice@valid.test');
    await new Promise((r) => setTimeout(r, 700));
    // 0, ~50, ~100, ~200, ~400 ms: about five attempts in 700 ms, never dozens.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(7);
  });

  it('tells "refused" (something answers but rejects the WebSocket) from "not running"', async () => {
    const d = await daemon();
    d.refuseUpgrades = true;
    const h = client(d.port);
    verify(h.client, 'alice@valid.test');
    await until(() => h.statuses.some((s) => s.kind === 'refused'));
    expect(h.statuses.some((s) => s.kind === 'not_running')).toBe(false);
  });

  it('asks for pairing when there is no token, pairs with a code, and keeps the token', async () => {
    const d = await daemon({ tokens: [], pairingCodes: { 'ABCD-1234': 'fresh-token' } });
    const h = client(d.port, {}, null);
    const check = verify(h.client, 'alice@valid.test');
    await until(() => h.statuses.some((s) => s.kind === 'not_paired'));
    expect(d.connections).toBe(0);

    const wrong = await h.client.pair('WRONG-0000', 'Test browser');
    expect(wrong).toMatchObject({ ok: false, message: expect.stringMatching(/pairing code/) });
    const paired = await h.client.pair('ABCD-1234', 'Test browser');
    expect(paired).toEqual({ ok: true, value: undefined });
    expect(h.savedTokens).toEqual(['fresh-token']);
    expect(d.received.find((m) => m.type === 'pair' && m.code === 'ABCD-1234')).toMatchObject({ label: 'Test browser' });
    // The request made before pairing goes out on the paired connection.
    expect(await check.result).toMatchObject({ result: { verdict: 'deliverable' } });
  });

  it('stops (no reconnect loop) when the daemon refuses the token', async () => {
    const d = await daemon({ tokens: ['other'] });
    const h = client(d.port);
    verify(h.client, 'alice@valid.test');
    await until(() => h.statuses.some((s) => s.kind === 'unauthorized'));
    await new Promise((r) => setTimeout(r, 300));
    expect(d.connections).toBe(1);
    expect(h.client.status).toMatchObject({ kind: 'unauthorized', message: expect.stringMatching(/not valid/) });
  });

  it('pings while work is pending (the service worker\u2019s keepalive), and not when idle', async () => {
    const d = await daemon({ onVerify: holdForever });
    const h = client(d.port, { keepaliveMs: 40 });
    const check = verify(h.client, 'slow@valid.test');
    await until(() => d.received.filter((m) => m.type === 'ping').length >= 3);
    h.client.cancel(check.id);
    const pingsThen = d.received.filter((m) => m.type === 'ping').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(d.received.filter((m) => m.type === 'ping').length).toBeLessThanOrEqual(pingsThen + 1);
    expect(d.received.some((m) => m.type === 'cancel' && m.id === check.id)).toBe(true);
  });

  it('drops a connection that stops answering, reconnects, and re-sends the request', async () => {
    const d = await daemon({ onVerify: holdForever });
    const h = client(d.port, { keepaliveMs: 40, pongTimeoutMs: 100 });
    const check = verify(h.client, 'slow@valid.test');
    await until(() => d.verifies.length === 1);
    d.answerPings = false;
    d.onVerify = answerDeliverable;
    expect(await check.result).toMatchObject({ result: { address: 'slow@valid.test' } });
    expect(d.connections).toBeGreaterThanOrEqual(2);
  });

  it('retries after the daemon says to slow down, when it says to', async () => {
    let refusals = 0;
    const d = await daemon({
      onVerify: (m, reply) => {
        if (refusals++ === 0) return reply({ type: 'error', id: m.id, code: 'rate_limited', message: 'slow down', retryAfterMs: 150 });
        answerDeliverable(m, reply);
      },
    });
    const h = client(d.port);
    const started = Date.now();
    const outcome = await verify(h.client, 'alice@valid.test').result;
    expect(outcome).toMatchObject({ result: { verdict: 'deliverable' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(d.verifies).toHaveLength(2);
  });

  it('passes on a final refusal (invalid address) without retrying', async () => {
    const d = await daemon({
      onVerify: (m, reply) => reply({ type: 'error', id: m.id, code: 'invalid_address', message: 'not an address' }),
    });
    const h = client(d.port);
    expect(await verify(h.client, 'x@valid.test').result).toEqual({ error: 'invalid_address' });
    expect(d.verifies).toHaveLength(1);
  });

  it('serves history when connected, and fails fast when the daemon is away', async () => {
    const d = await daemon({ history: [sampleResult('a@valid.test'), sampleResult('b@valid.test')] });
    const h = client(d.port);
    h.client.connect();
    const history = await h.client.history(1);
    expect(history).toMatchObject({ ok: true, value: [{ address: 'a@valid.test' }] });
    await d.stop();
    await until(() => h.client.status.kind !== 'connected');
    const started = Date.now();
    expect(await h.client.history(10)).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('hands on results the daemon pushes by itself (greylisting retries)', async () => {
    const d = await daemon({
      onVerify: (m, reply) => {
        reply({ type: 'result', id: m.id, result: sampleResult(m.address, { verdict: 'unknown', reason: 'greylisted' }), cached: false });
        setTimeout(() => reply({ type: 'update', result: sampleResult(m.address) }), 30);
      },
    });
    const h = client(d.port);
    expect(await verify(h.client, 'grey@valid.test').result).toMatchObject({ result: { verdict: 'unknown' } });
    await until(() => h.updates.length === 1);
    expect(h.updates[0]).toMatchObject({ address: 'grey@valid.test', verdict: 'deliverable' });
  });
});
