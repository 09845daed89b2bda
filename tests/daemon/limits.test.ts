import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { settingsSchema } from '../../daemon/src/config/settings';
import { verifierOptionsFromSettings } from '../../daemon/src/config/verifier-options';
import { createScheduler } from '../../daemon/src/scheduler/scheduler';
import type { ServerTuning } from '../../daemon/src/server/context';
import { createDaemonServer, type DaemonServer } from '../../daemon/src/server/daemon-server';
import { silentLogger } from '../../daemon/src/server/logger';
import { openDatabase, type Db } from '../../daemon/src/store/database';
import { createVerifier } from '../../daemon/src/verify/pipeline';
import { pairClient } from '../support/pairing';
import { connect, upgradeStatus, type TestClient } from '../support/ws-test-client';

/**
 * Limits that need their knobs turned down to be seen in a test: the daemon's server in this
 * process (real scheduler, real verifier against the lab, real database, real sockets).
 */
const lab = inject('lab');

interface Running {
  server: DaemonServer;
  db: Db;
  home: string;
  port: number;
}
const running: Running[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const r of running.splice(0)) {
    await r.server.shutdown();
    r.db.close();
    await rm(r.home, { recursive: true, force: true });
  }
});

async function serve(settingsInput: Record<string, unknown> = {}, tuning: Partial<ServerTuning> = {}): Promise<Running> {
  const home = await mkdtemp(join(tmpdir(), 'mailping-limits-'));
  const settings = settingsSchema.parse({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    timeouts: { totalSeconds: 10, connectSeconds: 2, greetingSeconds: 5, commandSeconds: 3 },
    ...settingsInput,
  });
  const db = openDatabase(join(home, 'mailping.db'));
  const scheduler = createScheduler({ verifier: createVerifier(verifierOptionsFromSettings(settings)), db, settings, closeGraceMs: 200 });
  const server = createDaemonServer({ scheduler, db, settings, version: 'test', log: silentLogger, tuning });
  const { port } = await server.listen(0);
  const r = { server, db, home, port };
  running.push(r);
  return r;
}

async function paired(r: Running): Promise<TestClient> {
  const { client } = await pairClient(r.port, r.home);
  clients.push(client);
  return client;
}

describe('daemon limits', () => {
  it('caps requests in flight per connection (rate_limited with retryAfterMs)', async () => {
    const r = await serve({ limits: { maxPendingPerClient: 3, requestsPerMinute: 10_000 } });
    const client = await paired(r);
    // The silent MX never greets: these stay in flight.
    for (let i = 0; i < 5; i++) client.send({ type: 'verify', id: `p${i}`, address: `user${i}@silent.test` });
    const refused = await Promise.all([client.next('error', (m) => m.id === 'p3'), client.next('error', (m) => m.id === 'p4')]);
    for (const e of refused) expect(e).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(client.received.filter((m) => m.type === 'error' && ['p0', 'p1', 'p2'].includes(m.id ?? ''))).toEqual([]);
    // Another connection has its own allowance.
    const other = await paired(r);
    other.send({ type: 'verify', id: 'o', address: 'alice@valid.test' });
    expect((await other.next('result', (m) => m.id === 'o', 20_000)).result.verdict).toBe('deliverable');
  });

  it('drops a connection that stops answering pings, keeps one that answers', async () => {
    const r = await serve({}, { heartbeatMs: 150 });
    const deaf = await connect(r.port, { autoPong: false });
    const live = await connect(r.port);
    clients.push(deaf, live);
    expect(await deaf.closed(3000)).toBe(1006);
    live.send({ type: 'ping', id: 'p' });
    expect(await live.next('pong')).toEqual({ type: 'pong', id: 'p' });
  });

  it('closes a connection that neither says hello nor pairs in time', async () => {
    const r = await serve({}, { authTimeoutMs: 200 });
    const idle = await connect(r.port);
    clients.push(idle);
    expect(await idle.next('error', undefined, 3000)).toMatchObject({ code: 'unauthorized' });
    expect(await idle.closed(3000)).toBe(1008);
  });

  it('refuses upgrades beyond the connection cap with 503', async () => {
    const r = await serve({}, { maxConnections: 2 });
    clients.push(await connect(r.port), await connect(r.port));
    expect(await upgradeStatus(r.port)).toBe(503);
  });

  it('drops a client that does not read instead of buffering for it without bound', async () => {
    const r = await serve({}, { softBufferBytes: 16 * 1024, hardBufferBytes: 256 * 1024 });
    const reader = await paired(r);
    for (const address of ['alice@valid.test', 'bob@valid.test', 'nobody@valid.test']) {
      reader.send({ type: 'verify', id: address, address });
      await reader.next('result', (m) => m.id === address, 20_000);
    }
    const hog = await paired(r);
    hog.socket.pause();
    const sent = 4000;
    for (let i = 0; i < sent; i++) hog.send({ type: 'history', id: `h${i}`, limit: 200 });
    // The daemon gives up on the hog once more than hardBufferBytes wait for it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    hog.socket.resume();
    expect(await hog.closed(10_000)).toBe(1006);
    expect(hog.received.filter((m) => m.type === 'history_result').length).toBeLessThan(sent);
    // Everyone else carries on.
    reader.send({ type: 'ping', id: 'after' });
    expect(await reader.next('pong')).toEqual({ type: 'pong', id: 'after' });
  });

  it('tells clients and closes with 1001 on shutdown; later upgrades are refused', async () => {
    const r = await serve();
    const client = await paired(r);
    client.send({ type: 'verify', id: 'slow', address: 'alice@silent.test' });
    await client.next('progress', (m) => m.id === 'slow' && m.stage === 'connect');
    const stopping = r.server.shutdown();
    expect(await client.next('error', (m) => m.id === 'slow', 5000)).toMatchObject({ code: 'shutting_down' });
    expect(await client.closed(5000)).toBe(1001);
    await stopping;
    expect(await upgradeStatus(r.port)).toBe(-1);
  });
});
