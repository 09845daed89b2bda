import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, MAX_MESSAGE_BYTES } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpGet, makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { helloClient, newPairingCode, pairClient } from '../support/pairing';
import { connect, type TestClient } from '../support/ws-test-client';

/**
 * The WebSocket protocol end to end: the real `mailping serve` in a child process, paired with a
 * code from the real `mailping pair`, verifying against the lab's DNS and Postfix.
 */
const lab = inject('lab');
let daemon: DaemonProcess;
let home: string;
let token: string;
const clients: TestClient[] = [];
const track = (c: TestClient): TestClient => (clients.push(c), c);

beforeAll(async () => {
  home = await makeHome({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    // A sender of its own, so postgrey sees new triplets on every run.
    from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
    timeouts: { totalSeconds: 20, connectSeconds: 2, greetingSeconds: 4, commandSeconds: 3 },
    greylist: { retryDelaySeconds: lab.greylistDelaySeconds + 1, maxRetries: 2 },
  });
  daemon = await startDaemon({ home });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await daemon?.stop();
  await removeHome(home);
});

async function verify(client: TestClient, id: string, address: string) {
  client.send({ type: 'verify', id, address });
  const result = await client.next('result', (m) => m.id === id, 20_000);
  return result;
}

describe('mailping serve: WebSocket protocol', () => {
  it('pairs with a code from `mailping pair`, then says hello with the token', async () => {
    const code = await newPairingCode(home);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const pairing = track(await connect(daemon.port));
    pairing.send({ type: 'pair', version: PROTOCOL_VERSION, code, label: 'protocol test' });
    const paired = await pairing.next('paired');
    const welcome = await pairing.next('welcome');
    expect(paired.token.length).toBeGreaterThanOrEqual(43);
    expect(welcome).toEqual({
      type: 'welcome',
      version: PROTOCOL_VERSION,
      daemon: { version: expect.any(String) },
      limits: { maxMessageBytes: MAX_MESSAGE_BYTES, maxPending: expect.any(Number) },
    });
    token = paired.token;
    const again = track(await connect(daemon.port));
    again.send({ type: 'hello', version: PROTOCOL_VERSION, token });
    await again.next('welcome');
    expect(daemon.stderr()).not.toContain(token);
    expect(daemon.stderr()).not.toContain(token.split('.')[1]);
  });

  it('reports progress in order, then the result: deliverable, undeliverable, then cached', async () => {
    const client = track(await helloClient(daemon.port, token));
    const first = await verify(client, 'a1', 'alice@valid.test');
    expect(first.result).toMatchObject({ address: 'alice@valid.test', verdict: 'deliverable', reason: 'accepted' });
    expect(first.cached).toBe(false);
    const stages = client.received.filter((m) => m.type === 'progress' && m.id === 'a1').map((m) => (m.type === 'progress' ? m.stage : ''));
    expect(stages).toEqual(['queued', 'dns', 'connect', 'ehlo', 'rcpt']);

    const nobody = await verify(client, 'n1', 'nobody@valid.test');
    expect(nobody.result).toMatchObject({ verdict: 'undeliverable', reason: 'mailbox_not_found' });
    expect(nobody.result.reply?.text).toMatch(/User unknown/);

    const started = performance.now();
    const second = await verify(client, 'a2', 'alice@valid.test');
    const elapsed = performance.now() - started;
    expect(second.cached).toBe(true);
    expect(second.result.verdict).toBe('deliverable');
    expect(client.received.some((m) => m.type === 'progress' && m.id === 'a2')).toBe(false);
    // Generous: a cache hit is a database read, well under a millisecond on the daemon's side.
    expect(elapsed).toBeLessThan(2000);
  });

  it('answers a malformed address with an invalid_syntax result that never reached DNS or SMTP', async () => {
    const client = track(await helloClient(daemon.port, token));
    const answer = await verify(client, 'bad', 'alice@@valid.test');
    expect(answer.result).toMatchObject({ verdict: 'undeliverable', reason: 'invalid_syntax', dns: null, smtp: null, transcript: [] });
    expect(answer.cached).toBe(false);
  });

  it('serves history, ping and the HTTP results endpoint', async () => {
    const client = track(await helloClient(daemon.port, token));
    client.send({ type: 'history', id: 'h1', limit: 50 });
    const history = await client.next('history_result', (m) => m.id === 'h1');
    expect(history.results.map((r) => r.normalized)).toEqual(expect.arrayContaining(['alice@valid.test', 'nobody@valid.test']));
    client.send({ type: 'ping', id: 'p1' });
    expect(await client.next('pong')).toEqual({ type: 'pong', id: 'p1' });

    const auth = { authorization: `Bearer ${token}` };
    const stored = await httpGet(daemon.port, '/v1/results/alice@valid.test', auth);
    expect(stored.status).toBe(200);
    expect(JSON.parse(stored.body).result).toMatchObject({ normalized: 'alice@valid.test', verdict: 'deliverable' });
    const never = await httpGet(daemon.port, `/v1/results/${encodeURIComponent('never-asked@valid.test')}`, auth);
    expect(never.status).toBe(404);
    expect(JSON.parse(never.body).error.code).toBe('not_found');
  });

  it('cancels a request in flight and refuses a duplicate id, the connection carrying on', async () => {
    const client = track(await helloClient(daemon.port, token));
    client.send({ type: 'verify', id: 'slow', address: 'alice@silent.test' });
    await client.next('progress', (m) => m.id === 'slow' && m.stage === 'connect');
    client.send({ type: 'verify', id: 'slow', address: 'bob@silent.test' });
    expect(await client.next('error', (m) => m.id === 'slow')).toMatchObject({ code: 'bad_message' });
    client.send({ type: 'cancel', id: 'slow' });
    expect(await client.next('error', (m) => m.id === 'slow')).toMatchObject({ code: 'cancelled' });
    const after = await verify(client, 'after', 'alice@valid.test');
    expect(after.cached).toBe(true);
    // The cancelled request never answers later.
    await new Promise((r) => setTimeout(r, 300));
    expect(client.received.some((m) => m.type === 'result' && m.id === 'slow')).toBe(false);
  });

  it('pushes the result of a greylisting retry to every authenticated connection', async () => {
    const asker = track(await helloClient(daemon.port, token));
    const watcher = track(await helloClient(daemon.port, token));
    const stranger = track(await connect(daemon.port));
    const first = await verify(asker, 'g1', 'alice@greylist.test');
    expect(first.result).toMatchObject({ verdict: 'unknown', reason: 'greylisted' });
    expect(first.result.retryAt).not.toBeNull();

    const deadline = (lab.greylistDelaySeconds + 1) * 1000 + 15_000;
    const [toAsker, toWatcher] = await Promise.all([
      asker.next('update', (m) => m.result.normalized === 'alice@greylist.test', deadline),
      watcher.next('update', (m) => m.result.normalized === 'alice@greylist.test', deadline),
    ]);
    expect(toAsker.result).toMatchObject({ verdict: 'deliverable', reason: 'accepted' });
    expect(toWatcher.result.verdict).toBe('deliverable');
    // A connection that never said hello hears nothing.
    expect(stranger.received.filter((m) => m.type === 'update')).toEqual([]);
    // And the cache now holds the new answer.
    const cached = await verify(asker, 'g2', 'alice@greylist.test');
    expect(cached).toMatchObject({ cached: true, result: { verdict: 'deliverable' } });
  }, 40_000);
});
