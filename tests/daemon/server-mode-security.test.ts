import { randomUUID, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { PROTOCOL_VERSION } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { newPairingCode } from '../support/pairing';
import { runCli } from '../support/run-cli';
import {
  FRIEND_ADDRESS,
  SERVER_ADDRESS,
  SERVER_NAME,
  STRANGER_ADDRESS,
  startServerDaemon,
  tlsConnect,
  tlsRequest,
  tlsUpgradeStatus,
  type TlsTarget,
} from '../support/server-mode';
import { makeTestCa, type TestCa } from '../support/test-ca';
import { CHROME_ORIGIN, type TestClient } from '../support/ws-test-client';

/**
 * The local security suite's hostile attempts, over TLS, from addresses the server must treat as
 * the network (see support/server-mode.ts), plus what only server mode has: invites, guessing
 * budgets per source, quotas answered with 429 + Retry-After, certificate reload.
 */
const lab = inject('lab');
const FIREFOX_A = 'moz-extension://6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
let ca: TestCa;
let daemon: DaemonProcess & { cert: string; key: string };
let target: TlsTarget;
let token: string;
const clients: TestClient[] = [];
const track = (c: TestClient): TestClient => (clients.push(c), c);

async function invite(name: string, flags: string[] = []): Promise<string> {
  const run = await runCli(['invite', name, '--json', ...flags], { env: { MAILPING_HOME: daemon.home } });
  if (run.code !== 0) throw new Error(`mailping invite failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { code: string }).code;
}

async function tryPair(code: string, from = FRIEND_ADDRESS, origin = CHROME_ORIGIN): Promise<TestClient> {
  const client = track(await tlsConnect(target, { from, origin }));
  client.send({ type: 'pair', version: PROTOCOL_VERSION, code, label: 'test' });
  return client;
}

async function pairByInvite(name: string, flags: string[] = [], origin = CHROME_ORIGIN): Promise<{ client: TestClient; token: string }> {
  const client = await tryPair(await invite(name, flags), FRIEND_ADDRESS, origin);
  const paired = await client.next('paired');
  await client.next('welcome');
  return { client, token: paired.token };
}

async function hello(withToken: string, origin = CHROME_ORIGIN): Promise<TestClient> {
  const client = track(await tlsConnect(target, { origin }));
  client.send({ type: 'hello', version: PROTOCOL_VERSION, token: withToken });
  return client;
}

async function stillServes(): Promise<void> {
  const client = await hello(token);
  await client.next('welcome');
  const id = randomUUID();
  client.send({ type: 'verify', id, address: 'alice@valid.test' });
  expect((await client.next('result', (m) => m.id === id)).result.verdict).toBe('deliverable');
  client.close();
}

const nx = (): string => `user@nx-${randomUUID().slice(0, 8)}.test`;

beforeAll(async () => {
  ca = await makeTestCa();
  daemon = await startServerDaemon(
    ca,
    {
      dnsServers: [lab.dnsServer],
      helo: 'verifier.mailping.test',
      from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
      timeouts: { totalSeconds: 10, connectSeconds: 2, greetingSeconds: 3, commandSeconds: 3 },
    },
    { pairingAttemptsPerHour: 5 },
  );
  target = { port: daemon.port, ca: ca.caPem };
  const paired = await pairByInvite('friend');
  track(paired.client);
  token = paired.token;
  paired.client.send({ type: 'verify', id: 'warm', address: 'alice@valid.test' });
  expect((await paired.client.next('result', (m) => m.id === 'warm', 20_000)).result.verdict).toBe('deliverable');
});

afterAll(async () => {
  for (const c of clients) c.close();
  await daemon?.stop();
  if (daemon) await removeHome(daemon.home);
  await ca?.remove();
});

describe('listening', () => {
  it('refuses to listen on a non-loopback address in plain text, and says what to do', async () => {
    const home = await makeHome({ server: { host: SERVER_ADDRESS, localNetworks: ['127.0.0.1/32'] } });
    try {
      const run = await runCli(['serve', '--port', String(await freePort())], { env: { MAILPING_HOME: home, MAILPING_PORT: '' }, timeoutMs: 15_000 });
      expect(run.code).toBe(69);
      expect(run.stderr).toMatch(/server\.tls\.cert.*server\.trustedProxies/s);
    } finally {
      await removeHome(home);
    }
  });

  it('listens on its own address only, in TLS only, with the certificate of its name', async () => {
    const plain = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: SERVER_ADDRESS, port: daemon.port, servername: SERVER_NAME, ca: ca.caPem, localAddress: STRANGER_ADDRESS } as tls.ConnectionOptions, () => {
        resolve(socket.getPeerX509Certificate()?.subjectAltName ?? '');
        socket.destroy();
      });
      socket.on('error', (e) => resolve(e.message));
    });
    expect(plain).toBe(`DNS:${SERVER_NAME}`);
    const loopback = await fetch(`http://127.0.0.1:${daemon.port}/health`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(loopback).toBe('refused');
  });

  it('serves a new certificate after SIGHUP, without a restart', async () => {
    const fingerprint = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: SERVER_ADDRESS, port: daemon.port, servername: SERVER_NAME, ca: ca.caPem }, () => {
          resolve(socket.getPeerX509Certificate()!.fingerprint256);
          socket.destroy();
        });
        socket.on('error', reject);
      });
    const before = await fingerprint();
    const renewed = await ca.issue(SERVER_NAME, 'renewed');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(daemon.key, await readFile(renewed.key));
    await writeFile(daemon.cert, await readFile(renewed.cert));
    process.kill(daemon.pid, 'SIGHUP');
    const expected = new X509Certificate(await readFile(renewed.cert)).fingerprint256;
    const deadline = Date.now() + 5000;
    let now = before;
    while (now !== expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = await fingerprint();
    }
    expect(now).not.toBe(before);
    expect(now).toBe(expected);
    expect(daemon.stderr()).toContain('TLS certificate reloaded');
    await stillServes();
  });
});

describe('WebSocket upgrade over TLS: Origin and Host', () => {
  it.each([
    ['a web page', 'https://evil.example'],
    ['a page on the server\'s own name', `https://${SERVER_NAME}`],
    ['the null origin', 'null'],
    ['no Origin at all', null],
    ['another Chrome extension', `chrome-extension://${'a'.repeat(32)}`],
    ['a look-alike of ours', `${CHROME_ORIGIN}.evil.example`],
  ])('refuses %s with 403 before upgrading', async (_what, origin) => {
    expect(await tlsUpgradeStatus(target, { origin, from: STRANGER_ADDRESS })).toBe(403);
    await stillServes();
  });

  it.each([['evil.example'], [`${SERVER_NAME}.evil.example`], [`${SERVER_NAME}:0`], [SERVER_ADDRESS]])('refuses Host %s with 403, on HTTP too', async (host) => {
    expect(await tlsUpgradeStatus(target, { host, from: STRANGER_ADDRESS })).toBe(403);
    expect((await tlsRequest(target, 'GET', '/health', { host }, undefined, STRANGER_ADDRESS)).status).toBe(403);
  });

  it('accepts its own name, with any port (a proxy in front) or none', async () => {
    for (const host of [SERVER_NAME, `${SERVER_NAME}:${daemon.port}`, `${SERVER_NAME}:443`, `${SERVER_NAME}:8443`]) {
      expect(await tlsUpgradeStatus(target, { host }), host).toBe(0);
    }
  });
});

describe('tokens over the network', () => {
  it('refuses no, wrong, revoked and other-origin tokens', async () => {
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    for (const wrong of [forged, 'nonsense', token.slice(0, -1)]) {
      expect(await (await hello(wrong)).next('error')).toMatchObject({ code: 'unauthorized' });
    }
    expect(await (await hello(token, FIREFOX_A)).next('error')).toMatchObject({ code: 'unauthorized' });
    const { client, token: doomed } = await pairByInvite('doomed');
    track(client);
    const list = JSON.parse((await runCli(['tokens', '--json'], { env: { MAILPING_HOME: daemon.home } })).stdout) as Array<{ id: string; label: string }>;
    const id = list.find((t) => t.label === 'doomed')!.id;
    expect((await runCli(['tokens', 'revoke', id], { env: { MAILPING_HOME: daemon.home } })).code).toBe(0);
    expect(await client.closed(5000)).toBe(1008);
    expect(await (await hello(doomed)).next('error')).toMatchObject({ code: 'unauthorized' });
    for (const auth of [{}, { authorization: 'Bearer nonsense' }, { authorization: `Bearer ${doomed}` }] as Array<Record<string, string>>) {
      const r = await tlsRequest(target, 'POST', '/v1/verify', { 'content-type': 'application/json', ...auth }, '{"address":"alice@valid.test"}', STRANGER_ADDRESS);
      expect(r.status).toBe(401);
    }
    await stillServes();
  });

  it('answers CORS preflights and web-page origins with 403 and no CORS headers', async () => {
    const preflight = await tlsRequest(target, 'OPTIONS', '/v1/verify', {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    }, undefined, STRANGER_ADDRESS);
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const fromPage = await tlsRequest(target, 'POST', '/v1/verify', { authorization: `Bearer ${token}`, origin: `https://${SERVER_NAME}` }, '{"address":"alice@valid.test"}');
    expect(fromPage.status).toBe(403);
    expect(daemon.stderr()).not.toContain(token);
  });
});

describe('codes over the network', () => {
  it('redeems invites only: a local pairing code does not work from the network', async () => {
    const local = await newPairingCode(daemon.home);
    expect(await (await tryPair(local)).next('error')).toMatchObject({ code: 'pairing_failed' });
    await stillServes();
  });

  it('refuses an invite used twice and an expired one', async () => {
    const code = await invite('twice');
    await (await tryPair(code)).next('paired');
    expect(await (await tryPair(code)).next('error')).toMatchObject({ code: 'pairing_failed' });
    const short = await invite('short', ['--ttl-seconds', '1']);
    await new Promise((r) => setTimeout(r, 1300));
    expect(await (await tryPair(short)).next('error')).toMatchObject({ code: 'pairing_failed' });
  });

  it('stops a stranger guessing after its budget, without burning anyone\'s invite', async () => {
    const real = await invite('patient');
    for (let i = 0; i < 5; i++) {
      expect(await (await tryPair(`ZZZZ-ZZ${i}Z`, STRANGER_ADDRESS)).next('error')).toMatchObject({ code: 'pairing_failed' });
    }
    // Budget spent: refused without looking at the code, even a right one.
    const more = await (await tryPair('ZZZZ-ZZZZ', STRANGER_ADDRESS)).next('error');
    expect(more).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(more.retryAfterMs!).toBeGreaterThan(60_000);
    const viaHttp = await tlsRequest(target, 'POST', '/v1/pair', { 'content-type': 'application/json' }, JSON.stringify({ code: 'ZZZZ-ZZZZ' }), STRANGER_ADDRESS);
    expect(viaHttp.status).toBe(429);
    expect(Number(viaHttp.headers['retry-after'])).toBeGreaterThan(60);
    // The real invite, from its owner's address, still works.
    await (await tryPair(real, FRIEND_ADDRESS)).next('paired');
  });

  it('gives a program a token for an invite over HTTP, bound to no browser', async () => {
    const code = await invite('script');
    const paired = await tlsRequest(target, 'POST', '/v1/pair', { 'content-type': 'application/json' }, JSON.stringify({ code }));
    expect(paired.status).toBe(201);
    const programToken = (JSON.parse(paired.body) as { token: string }).token;
    const auth = { authorization: `Bearer ${programToken}`, 'content-type': 'application/json' };
    const one = await tlsRequest(target, 'POST', '/v1/verify', auth, '{"address":"alice@valid.test"}');
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toMatchObject({ cached: true, result: { verdict: 'deliverable' } });
    expect((await tlsRequest(target, 'POST', '/v1/verify', { ...auth, origin: CHROME_ORIGIN }, '{"address":"alice@valid.test"}')).status).toBe(401);
  });
});

describe('frames over TLS', () => {
  it('closes only the sender of an oversized frame (1009) and answers junk with errors', async () => {
    const bystander = await hello(token);
    await bystander.next('welcome');
    const sender = await hello(token);
    await sender.next('welcome');
    sender.sendRaw(JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(20_000) }));
    expect(await sender.closed()).toBe(1009);
    bystander.sendRaw('{"type": "verify", ');
    expect(await bystander.next('error')).toMatchObject({ code: 'bad_message' });
    bystander.send({ type: 'launch_missiles', id: 'u1' });
    expect(await bystander.next('error')).toMatchObject({ code: 'unknown_type', id: 'u1' });
    bystander.send({ type: 'ping', id: 'still' });
    expect(await bystander.next('pong')).toEqual({ type: 'pong', id: 'still' });
    await stillServes();
  });
});

describe('quotas', () => {
  it('answers fresh checks beyond the day\'s quota with 429 + Retry-After until midnight UTC; cache hits stay free', async () => {
    const code = await invite('daily', ['--fresh-per-day', '3']);
    const paired = await tlsRequest(target, 'POST', '/v1/pair', { 'content-type': 'application/json' }, JSON.stringify({ code }));
    const auth = { authorization: `Bearer ${(JSON.parse(paired.body) as { token: string }).token}`, 'content-type': 'application/json' };
    for (let i = 0; i < 3; i++) {
      const ok = await tlsRequest(target, 'POST', '/v1/verify', auth, JSON.stringify({ address: nx() }));
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).cached).toBe(false);
    }
    const refused = await tlsRequest(target, 'POST', '/v1/verify', auth, JSON.stringify({ address: nx() }));
    expect(refused.status).toBe(429);
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    expect(Math.abs(Number(refused.headers['retry-after']) - (midnight - Date.now()) / 1000)).toBeLessThan(30);
    expect(JSON.parse(refused.body).error).toMatchObject({ code: 'rate_limited' });
    for (let i = 0; i < 5; i++) {
      const cached = await tlsRequest(target, 'POST', '/v1/verify', auth, '{"address":"alice@valid.test"}');
      expect(cached.status).toBe(200);
    }
    const usage = JSON.parse((await runCli(['tokens', '--json'], { env: { MAILPING_HOME: daemon.home } })).stdout) as Array<{ label: string; today: unknown; quota: unknown }>;
    expect(usage.find((t) => t.label === 'daily')).toMatchObject({ today: { fresh: 3, cached: 5 }, quota: { freshChecksPerDay: 3 } });
  });

  it('answers requests beyond the token\'s own per-minute rate with 429 + Retry-After, over the WebSocket too', async () => {
    const { client } = await pairByInvite('hasty', ['--per-minute', '5']);
    track(client);
    const answers = [];
    for (let i = 0; i < 7; i++) {
      client.send({ type: 'verify', id: `r${i}`, address: nx() });
      answers.push(await Promise.race([client.next('result', (m) => m.id === `r${i}`), client.next('error', (m) => m.id === `r${i}`)]));
    }
    expect(answers.filter((a) => a.type === 'result')).toHaveLength(5);
    const limited = answers.filter((a) => a.type === 'error');
    expect(limited).toHaveLength(2);
    for (const e of limited) expect(e).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
  });
});

describe('/metrics', () => {
  it('serves Prometheus text to this machine and to a metrics token only', async () => {
    const fromNetwork = await tlsRequest(target, 'GET', '/metrics', {}, undefined, STRANGER_ADDRESS);
    expect(fromNetwork.status).toBe(403);
    expect((await tlsRequest(target, 'GET', '/metrics', { authorization: `Bearer ${token}` }, undefined, STRANGER_ADDRESS)).status).toBe(403);
    const made = await runCli(['tokens', 'create', '--metrics', '--label', 'prometheus'], { env: { MAILPING_HOME: daemon.home } });
    const scraper = made.stdout.trim();
    const scraped = await tlsRequest(target, 'GET', '/metrics', { authorization: `Bearer ${scraper}` }, undefined, STRANGER_ADDRESS);
    expect(scraped.status).toBe(200);
    expect(scraped.headers['content-type']).toMatch(/^text\/plain/);
    expect(scraped.body).toMatch(/^mailping_queue_depth \d+$/m);
    expect(scraped.body).toMatch(/^mailping_verdicts_total\{verdict="deliverable",reason="accepted"\} \d+$/m);
    expect(scraped.body).toMatch(/^mailping_cache_hits_total [1-9]\d*$/m);
    expect(scraped.body).toMatch(/^mailping_rcpt_total\{domain="valid.test"\} [1-9]\d*$/m);
    expect(scraped.body).toMatch(/^mailping_mx_sessions_total\{mx_ip="127\.0\.25\.10"\} [1-9]\d*$/m);
    // The scraper's token verifies nothing.
    expect((await tlsRequest(target, 'POST', '/v1/verify', { authorization: `Bearer ${scraper}`, 'content-type': 'application/json' }, '{"address":"alice@valid.test"}')).status).toBe(401);
    const local = await tlsRequest(target, 'GET', '/metrics', {}, undefined, '127.0.0.1');
    expect(local.status).toBe(200);
  });

  it('serves the OpenAPI document', async () => {
    const doc = await tlsRequest(target, 'GET', '/openapi.json', {}, undefined, STRANGER_ADDRESS);
    expect(doc.status).toBe(200);
    expect(Object.keys((JSON.parse(doc.body) as { paths: object }).paths)).toContain('/v1/lists/{id}/events');
  });
});

// Last: it restarts the daemon, which starts its in-memory counters (/metrics) again.
describe('a restart', () => {
  it('remembers a guesser\'s spent budget across a restart, even after a crash', async () => {
    const guesser = '127.0.43.4';
    for (let i = 0; i < 5; i++) {
      expect(await (await tryPair(`YYYY-YY${i}Y`, guesser)).next('error')).toMatchObject({ code: 'pairing_failed' });
    }
    // Killed without a chance to write anything more, then started again on its port and home.
    await daemon.stop('SIGKILL');
    const { cert, key } = daemon;
    daemon = Object.assign(await startDaemon({ home: daemon.home, port: daemon.port, ready: async (p) => (await tlsRequest({ port: p, ca: ca.caPem }, 'GET', '/health')).status === 200 }), { cert, key });
    const after = await (await tryPair('YYYY-YYYY', guesser)).next('error');
    expect(after).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(after.retryAfterMs!).toBeGreaterThan(60_000);
    await stillServes();
  });
});
