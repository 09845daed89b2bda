import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * The CLI's side of the HTTP API: JSON requests, and NDJSON streams read line by line. Node's
 * http(s) rather than fetch, for `lookup` (the hidden --resolve, like curl's, for servers whose
 * name no DNS knows yet: tests, a new server). The CA store is Node's: NODE_EXTRA_CA_CERTS adds
 * a private CA.
 */
export interface JsonResponse {
  status: number;
  body: unknown;
  retryAfterMs?: number;
}

export interface ServerClient {
  json(method: string, path: string, body?: unknown): Promise<JsonResponse>;
  /** Resolves when the server ends the stream; rejects when the connection drops or the status is not 200. */
  lines(path: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void>;
  close(): void;
}

export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

export function createServerClient(base: URL, token: string | null, options: { resolve?: { name: string; address: string } } = {}): ServerClient {
  const secure = base.protocol === 'https:';
  const module_ = secure ? https : http;
  const agent = new module_.Agent({ keepAlive: true });
  const resolve = options.resolve;
  const lookup: LookupFunction | undefined = resolve
    ? (name, opts, callback) => {
        if (name.toLowerCase() !== resolve.name.toLowerCase()) return void import('node:dns').then((dns) => dns.lookup(name, opts, callback));
        const family = resolve.address.includes(':') ? 6 : 4;
        if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: resolve.address, family }]);
        else callback(null, resolve.address, family);
      }
    : undefined;
  const prefix = base.pathname === '/' ? '' : base.pathname;

  function request(method: string, path: string, headers: Record<string, string>, signal?: AbortSignal): http.ClientRequest {
    return module_.request({
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port || (secure ? 443 : 80),
      method,
      path: prefix + path,
      agent,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers },
      ...(lookup && { lookup }),
      ...(signal && { signal }),
    });
  }

  return {
    json(method, path, body) {
      return new Promise((resolvePromise, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(method, path, { accept: 'application/json', ...(payload !== undefined && { 'content-type': 'application/json' }) });
        req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('error', reject);
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: a proxy's error page; kept as text for the message
            }
            const retryAfter = Number(res.headers['retry-after']);
            resolvePromise({ status: res.statusCode ?? 0, body: parsed, ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfterMs: retryAfter * 1000 }) });
          });
        });
        req.end(payload);
      });
    },
    lines(path, onLine, signal) {
      return new Promise((resolvePromise, reject) => {
        const req = request('GET', path, { accept: 'application/x-ndjson' }, signal);
        // Silence longer than the server's heartbeat means the connection is gone.
        req.setTimeout(45_000, () => req.destroy(new Error('the stream went silent')));
        req.on('error', reject);
        req.on('response', (res) => {
          if (res.statusCode !== 200) {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => {
              let body: unknown = text;
              try {
                body = JSON.parse(text);
              } catch {
                // kept as text
              }
              reject(new HttpStatusError(res.statusCode ?? 0, body));
            });
            return;
          }
          let rest = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            rest += chunk;
            let nl: number;
            while ((nl = rest.indexOf('\n')) >= 0) {
              const line = rest.slice(0, nl);
              rest = rest.slice(nl + 1);
              if (line.trim() !== '') onLine(line);
            }
          });
          // A line without its newline is a cut line: dropped, and asked for again after reconnecting.
          res.on('end', () => (res.complete ? resolvePromise() : reject(new Error('the connection dropped mid-stream'))));
          res.on('aborted', () => reject(new Error('the connection dropped mid-stream')));
          res.on('error', reject);
        });
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}
