import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpGet, httpRequest, makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { helloClient, newPairingCode, pairClient } from '../support/pairing';
import { runCli } from '../support/run-cli';
import { CHROME_ORIGIN, connect, upgradeStatus, type TestClient } from '../support/ws-test-client';

/**
 * Everything a web page, another extension or a stale credential might try, against the real
 * daemon. Each attempt must be refused, and the daemon must still serve a good client afterwards.
 */
const lab = inject('lab');
const FIREFOX_A = 'moz-extension://6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const FIREFOX_B = 'moz-extension://0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
let daemon: DaemonProcess;
let home: string;
let token: string;
const clients: TestClient[] = [];
const track = (c: TestClient): TestClient => (clients.push(c), c);

beforeAll(async () => {
  home = await makeHome({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
    timeouts: { totalSeconds: 10, connectSeconds: 2, greetingSeconds: 3, commandSeconds: 3 },
  });
  daemon = await startDaemon({ home });
  const paired = await pairClient(daemon.port, home);
  track(paired.client);
  token = paired.token;
  // Warm the cache, so "still serves" checks need no mail server.
  paired.client.send({ type: 'verify', id: 'warm', address: 'alice@valid.test' });
  expect((await paired.client.next('result', (m) => m.id === 'warm', 20_000)).result.verdict).toBe('deliverable');
});

afterAll(async () => {
  for (const c of clients) c.close();
  await daemon?.stop();
  await removeHome(home);
});

/** A good client still gets answers: hello with the token, a (cached) verification. */
async function stillServes(): Promise<void> {
  const client = track(await helloClient(daemon.port, token));
  const id = randomUUID();
  client.send({ type: 'verify', id, address: 'alice@valid.test' });
  const result = await client.next('result', (m) => m.id === id);
  expect(result.result.verdict).toBe('deliverable');
  client.close();
}

async function hello(origin: string, withToken: string, version = PROTOCOL_VERSION): Promise<TestClient> {
  const client = track(await connect(daemon.port, { origin }));
  client.send({ type: 'hello', version, token: withToken });
  return client;
}

describe('WebSocket upgrade: Origin and Host', () => {
  it.each([
    ['a web page', 'https://evil.example'],
    ['a page on localhost', 'http://127.0.0.1:8080'],
    ['a page on the daemon\'s own port', 'LOCAL'],
    ['the null origin (sandboxed iframe, file://)', 'null'],
    ['no Origin at all', null],
    ['another Chrome extension', `chrome-extension://${'a'.repeat(32)}`],
    ['a look-alike of ours', `${CHROME_ORIGIN}.evil.example`],
  ])('refuses %s with 403 before upgrading', async (_what, origin) => {
    const value = origin === 'LOCAL' ? `http://127.0.0.1:${daemon.port}` : origin;
    expect(await upgradeStatus(daemon.port, { origin: value })).toBe(403);
    await stillServes();
  });

  it.each([['evil.example'], ['attacker.com:PORT'], ['localhost.evil.example:PORT'], ['127.0.0.1:1']])('refuses Host %s (DNS rebinding) with 403, on HTTP too', async (host) => {
    const value = host.replace('PORT', String(daemon.port));
    expect(await upgradeStatus(daemon.port, { host: value })).toBe(403);
    const health = await httpGet(daemon.port, '/health', { host: value });
    expect(health.status).toBe(403);
    await stillServes();
  });

  it('accepts the loopback names, with and without the port', async () => {
    for (const host of ['localhost', `localhost:${daemon.port}`, `127.0.0.1:${daemon.port}`, `[::1]:${daemon.port}`]) {
      expect(await upgradeStatus(daemon.port, { host }), host).toBe(0);
    }
  });
});

describe('tokens', () => {
  it('refuses a wrong token and keeps the connection usable for pairing', async () => {
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    for (const wrong of [forged, 'nonsense', token.slice(0, -1)]) {
      const client = await hello(CHROME_ORIGIN, wrong);
      expect(await client.next('error')).toMatchObject({ code: 'unauthorized' });
      client.send({ type: 'verify', id: 'x', address: 'alice@valid.test' });
      expect(await client.next('error', (m) => m.id === 'x')).toMatchObject({ code: 'unauthorized' });
    }
    await stillServes();
  });

  it('closes the open connections of a revoked token within seconds and refuses it afterwards', async () => {
    const label = `revoke-${randomUUID().slice(0, 8)}`;
    const { client, token: doomed } = await pairClient(daemon.port, home, CHROME_ORIGIN, label);
    track(client);
    const list = await runCli(['tokens', 'list', '--json'], { env: { MAILPING_HOME: home } });
    const entries = JSON.parse(list.stdout) as Array<{ id: string; label: string; origin: string }>;
    const entry = entries.find((t) => t.label === label)!;
    expect(entry.origin).toBe(CHROME_ORIGIN);
    expect(list.stdout).not.toContain(doomed);

    const revoked = await runCli(['tokens', 'revoke', entry.id], { env: { MAILPING_HOME: home } });
    expect(revoked.code).toBe(0);
    expect(await client.next('error', undefined, 5000)).toMatchObject({ code: 'unauthorized' });
    expect(await client.closed(5000)).toBe(1008);

    const again = await hello(CHROME_ORIGIN, doomed);
    expect(await again.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await httpRequest(daemon.port, 'POST', '/v1/verify', { authorization: `Bearer ${doomed}` }, '{"address":"alice@valid.test"}')).status).toBe(401);
    await stillServes();
  });

  it('lets a Firefox token work only from the extension origin it was paired from', async () => {
    const { client, token: firefoxToken } = await pairClient(daemon.port, home, FIREFOX_A);
    track(client);
    const elsewhere = await hello(FIREFOX_B, firefoxToken);
    expect(await elsewhere.next('error')).toMatchObject({ code: 'unauthorized' });
    const fromChrome = await hello(CHROME_ORIGIN, firefoxToken);
    expect(await fromChrome.next('error')).toMatchObject({ code: 'unauthorized' });
    const chromeTokenInFirefox = await hello(FIREFOX_A, token);
    expect(await chromeTokenInFirefox.next('error')).toMatchObject({ code: 'unauthorized' });
    const home_ = await hello(FIREFOX_A, firefoxToken);
    await home_.next('welcome');
    // The same rule over HTTP, where an extension sends its Origin.
    const foreign = await httpRequest(daemon.port, 'GET', '/v1/results/alice@valid.test', { authorization: `Bearer ${firefoxToken}`, origin: FIREFOX_B });
    expect(foreign.status).toBe(401);
    await stillServes();
  });
});

describe('pairing codes', () => {
  async function tryPair(code: string): Promise<TestClient> {
    const client = track(await connect(daemon.port));
    client.send({ type: 'pair', version: PROTOCOL_VERSION, code });
    return client;
  }

  it('refuses an expired code', async () => {
    const code = await newPairingCode(home, { ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1300));
    const client = await tryPair(code);
    expect(await client.next('error')).toMatchObject({ code: 'pairing_failed' });
    expect(client.received.some((m) => m.type === 'paired')).toBe(false);
    await stillServes();
  });

  it('refuses a code used twice', async () => {
    const code = await newPairingCode(home);
    await (await tryPair(code)).next('paired');
    const second = await tryPair(code);
    expect(await second.next('error')).toMatchObject({ code: 'pairing_failed' });
    await stillServes();
  });

  it('burns every live code after five wrong attempts in total', async () => {
    const live = await newPairingCode(home);
    for (const wrong of ['AAAA-AAAA', 'BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD', 'EEEE-EEEE']) {
      expect(await (await tryPair(wrong)).next('error')).toMatchObject({ code: 'pairing_failed' });
    }
    expect(await (await tryPair(live)).next('error')).toMatchObject({ code: 'pairing_failed' });
    // A new code works again.
    await (await tryPair(await newPairingCode(home))).next('paired');
    await stillServes();
  });
});

describe('frames', () => {
  it('closes only the sender of an oversized frame (1009)', async () => {
    const bystander = track(await helloClient(daemon.port, token));
    const sender = track(await helloClient(daemon.port, token));
    sender.sendRaw(JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(20_000) }));
    expect(await sender.closed()).toBe(1009);
    bystander.send({ type: 'ping', id: 'still' });
    expect(await bystander.next('pong')).toEqual({ type: 'pong', id: 'still' });
    await stillServes();
  });

  it('answers malformed JSON, unknown types, binary frames and bad fields with an error, and carries on', async () => {
    const client = track(await helloClient(daemon.port, token));
    client.sendRaw('{"type": "verify", ');
    expect(await client.next('error')).toMatchObject({ code: 'bad_message' });
    client.send({ type: 'launch_missiles', id: 'u1' });
    expect(await client.next('error')).toMatchObject({ code: 'unknown_type', id: 'u1' });
    client.sendRaw(Buffer.from([1, 2, 3]));
    expect(await client.next('error')).toMatchObject({ code: 'bad_message' });
    client.send({ type: 'verify', id: 'v1', address: 42 });
    expect(await client.next('error')).toMatchObject({ code: 'bad_message', id: 'v1' });
    client.sendRaw('[]');
    expect(await client.next('error')).toMatchObject({ code: 'bad_message' });
    client.send({ type: 'ping', id: 'alive' });
    expect(await client.next('pong')).toEqual({ type: 'pong', id: 'alive' });
    await stillServes();
  });

  it('refuses a hello with another protocol version, and a verify before hello', async () => {
    const early = track(await connect(daemon.port));
    early.send({ type: 'verify', id: 'early', address: 'alice@valid.test' });
    expect(await early.next('error')).toMatchObject({ code: 'unauthorized', id: 'early' });
    const old = await hello(CHROME_ORIGIN, token, PROTOCOL_VERSION + 1);
    expect(await old.next('error')).toMatchObject({ code: 'version_mismatch' });
    expect(await old.closed()).toBe(1002);
    await stillServes();
  });

  it('answers a malformed address with invalid_syntax, without DNS or SMTP', async () => {
    const client = track(await helloClient(daemon.port, token));
    for (const [i, address] of ['not-an-address', 'a b@valid.test', 'alice@valid.test\r\nDATA', 'x@-bad-.test'].entries()) {
      client.send({ type: 'verify', id: `s${i}`, address });
      const answer = await client.next('result', (m) => m.id === `s${i}`);
      expect(answer.result).toMatchObject({ verdict: 'undeliverable', reason: 'invalid_syntax', dns: null, smtp: null, transcript: [] });
    }
    await stillServes();
  });
});

describe('rate limits', () => {
  it('answers a burst of 250 verifications with rate_limited and retryAfterMs beyond the budget', async () => {
    // A token of its own: the limit is per client, so the good client below is not affected.
    const { client } = await pairClient(daemon.port, home, CHROME_ORIGIN, 'burst');
    track(client);
    const n = 250;
    // NXDOMAIN addresses: whatever gets through costs one DNS answer, never an SMTP session.
    for (let i = 0; i < n; i++) client.send({ type: 'verify', id: `b${i}`, address: `user${i}@burst-${randomUUID().slice(0, 6)}.test` });
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        Promise.race([client.next('result', (m) => m.id === `b${i}`, 20_000), client.next('error', (m) => m.id === `b${i}`, 20_000)]),
      ),
    );
    const limited = answers.filter((a) => a.type === 'error');
    expect(limited.length).toBeGreaterThanOrEqual(100);
    for (const e of limited) expect(e).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(Math.min(...limited.map((e) => (e.type === 'error' ? e.retryAfterMs! : 0)))).toBeGreaterThan(0);
    const results = answers.filter((a) => a.type === 'result');
    expect(results.length).toBeGreaterThanOrEqual(100);
    for (const r of results) expect(r.type === 'result' && r.result.reason).toBe('no_such_domain');
    await stillServes();
  });
});

describe('HTTP API', () => {
  const body = JSON.stringify({ address: 'alice@valid.test' });

  it('refuses /v1 without a token or with a wrong one (401), from a web page (403), never with CORS headers', async () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{}, 401],
      [{ authorization: 'Bearer nonsense' }, 401],
      [{ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 401],
      [{ authorization: `Bearer ${token}`, origin: `http://127.0.0.1:${daemon.port}` }, 403],
      [{ authorization: `Bearer ${token}`, origin: 'https://evil.example' }, 403],
      [{ authorization: `Bearer ${token}`, origin: 'null' }, 403],
    ];
    for (const [headers, status] of cases) {
      const response = await httpRequest(daemon.port, 'POST', '/v1/verify', { 'content-type': 'application/json', ...headers }, body);
      expect(response.status, JSON.stringify(headers)).toBe(status);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(JSON.parse(response.body).error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
    }
    const preflight = await httpRequest(daemon.port, 'OPTIONS', '/v1/verify', {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(daemon.stderr()).not.toContain(token);
  });

  it('verifies with a token: one address, a list, from our extension or a local program', async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const one = await httpRequest(daemon.port, 'POST', '/v1/verify', auth, body);
    expect(one.status).toBe(200);
    expect(one.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(one.body)).toMatchObject({ cached: true, result: { verdict: 'deliverable' } });
    const list = await httpRequest(daemon.port, 'POST', '/v1/verify', { ...auth, origin: CHROME_ORIGIN }, JSON.stringify({ addresses: ['alice@valid.test', 'nope'] }));
    expect(list.status).toBe(200);
    const parsed = JSON.parse(list.body) as { results: Array<{ result: { reason: string } }> };
    expect(parsed.results.map((r) => r.result.reason)).toEqual(['accepted', 'invalid_syntax']);
  });

  it('answers malformed, oversized and unknown requests with JSON errors', async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (text: string) => httpRequest(daemon.port, 'POST', '/v1/verify', auth, text);
    expect((await post('{"address":')).status).toBe(400);
    expect((await post('{"addresses":"alice@valid.test"}')).status).toBe(400);
    expect((await post('{"address":"a@valid.test","extra":1}')).status).toBe(400);
    const big = await post(JSON.stringify({ address: 'a@valid.test', pad: 'x'.repeat(100_000) }));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error.code).toBe('too_large');
    const many = await post(JSON.stringify({ addresses: Array.from({ length: 101 }, (_, i) => `u${i}@valid.test`) }));
    expect(many.status).toBe(413);
    const missing = await httpRequest(daemon.port, 'GET', '/v1/nothing-here', auth);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('not_found');
    const health = await httpGet(daemon.port, '/health');
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', protocolVersion: PROTOCOL_VERSION });
    expect(health.body).not.toMatch(/token|home|\/tmp/i);
    await stillServes();
  });

  it('answers 429 with Retry-After once a token has spent its budget', async () => {
    const made = await runCli(['tokens', 'create', '--label', 'http-burst'], { env: { MAILPING_HOME: home } });
    const scriptToken = made.stdout.trim();
    const auth = { authorization: `Bearer ${scriptToken}`, 'content-type': 'application/json' };
    const batch = (k: number) => JSON.stringify({ addresses: Array.from({ length: 100 }, (_, i) => `u${k}-${i}@nx-${randomUUID().slice(0, 6)}.test`) });
    expect((await httpRequest(daemon.port, 'POST', '/v1/verify', auth, batch(1))).status).toBe(200);
    const refused = await httpRequest(daemon.port, 'POST', '/v1/verify', auth, batch(2));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body).error).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    // A token made on the command line is for programs: a browser origin cannot use it.
    expect((await httpRequest(daemon.port, 'POST', '/v1/verify', { ...auth, origin: CHROME_ORIGIN }, body)).status).toBe(401);
    await stillServes();
  });
});
