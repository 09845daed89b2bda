import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@mailping/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../config/settings';
import { createScheduler } from '../scheduler/scheduler';
import { openDatabase, type Db } from '../store/database';
import { createVerifier } from '../verify/pipeline';
import { createDaemonServer, type DaemonServer } from './daemon-server';
import { silentLogger } from './logger';

/**
 * The HTTP routes through `app.request()`, without a socket: the real app, scheduler and
 * database; no request here gets as far as DNS or SMTP (the lab suites in tests/daemon do that).
 */
const PORT = 7425;
const CHROME = 'chrome-extension://egonnibiidoihfhcmkbbbaahcncaldod';
let dir: string;
let db: Db;
let server: DaemonServer;
let token: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailping-http-'));
  db = openDatabase(join(dir, 'mailping.db'));
  const settings = settingsSchema.parse({ dnsServers: ['127.0.0.1:9'] });
  const scheduler = createScheduler({ verifier: createVerifier({ dnsServers: ['127.0.0.1:9'] }), db, settings, runRetries: false });
  server = createDaemonServer({ scheduler, db, settings, version: '9.9.9', log: silentLogger });
  server.context.port = PORT;
  token = server.context.tokens.issue({ origin: CHROME, label: 'test' }).token;
});

afterEach(async () => {
  await server.shutdown();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return server.app().then((app) =>
    app.request(`http://localhost:${PORT}${path}`, {
      method: init.method ?? 'GET',
      headers: { host: `localhost:${PORT}`, ...init.headers },
      ...(init.body !== undefined && { body: init.body }),
    }),
  );
}

type ErrorBody = { error: { code: string; message: string } };
const errorOf = async (r: Response) => ((await r.json()) as ErrorBody).error;

const authed = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra });

describe('HTTP API routes', () => {
  it('GET /health tells status and versions, nothing secret', async () => {
    const response = await request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: '9.9.9', protocolVersion: PROTOCOL_VERSION, uptimeSeconds: expect.any(Number) });
  });

  it('refuses foreign Host names with 403, on every route', async () => {
    for (const host of ['evil.example', `attacker.com:${PORT}`, 'localhost:1']) {
      for (const path of ['/health', '/v1/verify', '/nowhere']) {
        const response = await request(path, { headers: { host } });
        expect(response.status, `${host} ${path}`).toBe(403);
        expect((await errorOf(response)).code).toBe('forbidden');
      }
    }
  });

  it('needs a bearer token on /v1 (401 with WWW-Authenticate)', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer' }, { authorization: `Bearer ${token}x` }, { authorization: token }]) {
      const response = await request('/v1/verify', { method: 'POST', headers, body: '{"address":"a@b.test"}' });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('refuses web-page origins with 403 and never sends CORS headers', async () => {
    for (const origin of ['https://evil.example', `http://localhost:${PORT}`, 'null']) {
      for (const method of ['POST', 'OPTIONS', 'GET']) {
        const response = await request(method === 'GET' ? '/v1/results/a@b.test' : '/v1/verify', { method, headers: authed({ origin }), body: method === 'POST' ? '{}' : undefined });
        expect(response.status, `${origin} ${method}`).toBe(403);
        expect([...response.headers.keys()].filter((h) => h.startsWith('access-control'))).toEqual([]);
      }
    }
    const ok = await request('/v1/verify', { method: 'POST', headers: authed({ origin: CHROME }), body: '{"address":"nope"}' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a malformed address with the invalid_syntax result the CLI prints', async () => {
    const response = await request('/v1/verify', { method: 'POST', headers: authed(), body: '{"address":"no-at-sign"}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ cached: false, result: { address: 'no-at-sign', verdict: 'undeliverable', reason: 'invalid_syntax', dns: null, smtp: null } });
  });

  it('answers bad bodies with 400 and big ones with 413', async () => {
    const post = (body: string, headers: Record<string, string> = {}) => request('/v1/verify', { method: 'POST', headers: authed(headers), body });
    expect((await post('not json')).status).toBe(400);
    expect((await post('{"address":""}')).status).toBe(400);
    expect((await post('{"addresses":[]}')).status).toBe(400);
    expect((await post('{"address":"a@b.test","addresses":["a@b.test"]}')).status).toBe(400);
    const huge = await post(JSON.stringify({ addresses: ['x'.repeat(300)], pad: 'y'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    const many = await post(JSON.stringify({ addresses: Array.from({ length: 101 }, () => 'bad') }));
    expect(many.status).toBe(413);
    expect(await errorOf(many)).toEqual({ code: 'too_large', message: expect.stringContaining('100') });
  });

  it('GET /v1/results/:address: 404 when never verified, 400 when not an address', async () => {
    expect((await request('/v1/results/someone@example.test', { headers: authed() })).status).toBe(404);
    expect((await request('/v1/results/not-an-address', { headers: authed() })).status).toBe(400);
    expect((await request('/v2/anything', { headers: authed() })).status).toBe(404);
  });

  it('answers 503 once shutting down', async () => {
    server.context.shuttingDown = true;
    const response = await request('/v1/verify', { method: 'POST', headers: authed(), body: '{"address":"a@b.test"}' });
    expect(response.status).toBe(503);
    expect((await errorOf(response)).code).toBe('shutting_down');
    expect(((await (await request('/health')).json()) as { status: string }).status).toBe('shutting_down');
  });
});

describe('/openapi.json', () => {
  it('documents every route from the schemas the handlers validate with', async () => {
    const response = await request('/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; info: { version: string }; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9');
    expect(Object.keys(doc.paths).sort()).toEqual(
      ['/health', '/metrics', '/v1/lists', '/v1/lists/{id}', '/v1/lists/{id}/events', '/v1/pair', '/v1/results/{address}', '/v1/verify'].sort(),
    );
    const verify = JSON.stringify(doc.paths['/v1/verify']!.post!.requestBody);
    expect(verify).toContain('"addresses"');
    expect(verify).toContain('"maxLength":320');
    const events = JSON.stringify(doc.paths['/v1/lists/{id}/events']);
    expect(events).toContain('application/x-ndjson');
    expect(events).toContain('"verdict"');
  });
});
