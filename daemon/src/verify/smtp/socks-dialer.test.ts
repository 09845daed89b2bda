import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpFailureError } from './failure';
import { handshakeFailure, parseSocksUrl, socksDialer } from './socks-dialer';

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A "proxy" that accepts TCP and then says nothing: what a wedged proxy looks like. */
async function silentProxy(): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, server };
}

const failureOf = async (promise: Promise<unknown>): Promise<SmtpFailureError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SmtpFailureError) return error;
    throw error;
  }
  throw new Error('expected a failure');
};

describe('parseSocksUrl', () => {
  it('reads host, port and credentials, defaulting the port to 1080', () => {
    expect(parseSocksUrl('socks5://127.0.0.1:9050')).toEqual({ ok: true, proxy: { host: '127.0.0.1', port: 9050, label: '127.0.0.1:9050' } });
    expect(parseSocksUrl('socks5://proxy.example')).toEqual({ ok: true, proxy: { host: 'proxy.example', port: 1080, label: 'proxy.example:1080' } });
    expect(parseSocksUrl('socks5://me:p%40ss@[::1]:1081')).toEqual({ ok: true, proxy: { host: '::1', port: 1081, label: '[::1]:1081', userId: 'me', password: 'p@ss' } });
  });

  it('refuses what is not a socks5 URL, and never echoes a password in the label', () => {
    expect(parseSocksUrl('http://proxy:3128')).toMatchObject({ ok: false, message: '"http://proxy:3128" is not a socks5:// URL' });
    expect(parseSocksUrl('proxy:1080')).toMatchObject({ ok: false });
    expect(parseSocksUrl('socks5://proxy:1080/path')).toMatchObject({ ok: false });
    expect(parseSocksUrl('socks5://:1080')).toMatchObject({ ok: false });
    const parsed = parseSocksUrl('socks5://me:secret@proxy:1080');
    expect(parsed.ok && parsed.proxy.label).toBe('proxy:1080');
  });
});

describe('proxy replies mapped to failures', () => {
  const target = { ip: '192.0.2.25', port: 25 };
  it('keeps "refused by the mail server" apart from "the proxy failed"', () => {
    const f = (message: string) => {
      const failure = handshakeFailure(new Error(message), 'SOCKS proxy p:1080', target);
      return `${failure.failure}: ${failure.message}`;
    };
    expect(f('Socks5 proxy rejected connection - ConnectionRefused')).toBe('connection_refused: 192.0.2.25:25 through SOCKS proxy p:1080: connection refused');
    expect(f('Socks5 proxy rejected connection - TTLExpired')).toBe('connect_timeout: 192.0.2.25:25 through SOCKS proxy p:1080: timed out');
    expect(f('Socks5 proxy rejected connection - HostUnreachable')).toBe('connection_error: 192.0.2.25:25 through SOCKS proxy p:1080: host unreachable');
    expect(f('Socks5 Authentication failed')).toMatch(/^connection_error: SOCKS proxy p:1080 refused our credentials/);
    expect(f('Socket closed')).toBe('connection_error: SOCKS proxy p:1080 failed: Socket closed');
  });
});

describe('socksDialer against loopback servers', () => {
  it('names the proxy when nothing listens there', async () => {
    const { port, server } = await silentProxy();
    await new Promise((resolve) => server.close(resolve));
    const failure = await failureOf(socksDialer(`socks5://127.0.0.1:${port}`)({ ip: '127.0.0.1', port: 25, timeoutMs: 1000, signal: new AbortController().signal }));
    expect(failure.failure).toBe('connection_error');
    expect(failure.message).toBe(`SOCKS proxy 127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('gives up on a proxy that accepts but never answers, within the connect timeout', async () => {
    const { port } = await silentProxy();
    const started = Date.now();
    const failure = await failureOf(socksDialer(`socks5://127.0.0.1:${port}`)({ ip: '127.0.0.1', port: 25, timeoutMs: 300, signal: new AbortController().signal }));
    expect(failure.failure).toBe('connect_timeout');
    expect(failure.message).toMatch(/^no connection to 127.0.0.1:25 through SOCKS proxy 127.0.0.1:\d+ within \d+ ms$/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops at once when the caller aborts', async () => {
    const { port } = await silentProxy();
    const abort = new AbortController();
    const pending = failureOf(socksDialer(`socks5://127.0.0.1:${port}`)({ ip: '127.0.0.1', port: 25, timeoutMs: 10_000, signal: abort.signal }));
    setTimeout(() => abort.abort(), 50);
    expect((await pending).failure).toBe('cancelled');
  });
});
