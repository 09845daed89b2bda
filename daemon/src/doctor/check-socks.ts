import type net from 'node:net';
import type { Dialer } from '../verify/smtp/dial';
import { parseSocksUrl } from '../verify/smtp/socks-dialer';
import type { CheckResult } from './types';

export interface SocksCheckOptions {
  connect: Dialer;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Is the configured SOCKS5 proxy there, and does it take us? TCP connect, then the RFC 1928
 * method negotiation (and RFC 1929 user/password when the URL has them); no CONNECT is asked:
 * whether the proxy reaches port 25 is the port-25 check's question.
 */
export async function checkSocks(proxyUrl: string | null, options: SocksCheckOptions): Promise<Omit<CheckResult, 'durationMs'>> {
  const base = { id: 'socks', title: 'SOCKS proxy' } as const;
  if (!proxyUrl) return { ...base, status: 'skipped', summary: 'none configured: SMTP connections go out directly' };
  const parsed = parseSocksUrl(proxyUrl);
  if (!parsed.ok) return { ...base, status: 'fail', summary: parsed.message, advice: 'fix the proxy URL: mailping config set socksProxy socks5://host:1080' };
  const { proxy } = parsed;
  const fix = `check that the proxy at ${proxy.label} runs and lets you in, or remove it (mailping config unset socksProxy)`;
  let socket: net.Socket;
  try {
    socket = await options.connect({ ip: proxy.host, port: proxy.port, timeoutMs: options.timeoutMs, signal: options.signal });
  } catch (error) {
    const message = (error as Error).message.replace(`${proxy.host}:${proxy.port}: `, '');
    return { ...base, status: 'fail', summary: `${proxy.label} is unreachable: ${message}`, advice: fix };
  }
  const reader = new ByteReader(socket, options.timeoutMs);
  try {
    const withPassword = proxy.userId !== undefined;
    socket.write(Buffer.from(withPassword ? [5, 2, 0, 2] : [5, 1, 0]));
    const [version, method] = await reader.read(2);
    if (version !== 5) return { ...base, status: 'fail', summary: `${proxy.label} does not speak SOCKS5 (first byte ${version})`, advice: fix };
    if (method === 0xff) {
      return { ...base, status: 'fail', summary: `${proxy.label} accepts none of our authentication methods${withPassword ? '' : ' (does it need user:password@ in the URL?)'}`, advice: fix };
    }
    if (method === 2) {
      if (!withPassword) return { ...base, status: 'fail', summary: `${proxy.label} wants a user name and password`, advice: fix };
      const user = Buffer.from(proxy.userId ?? '');
      const pass = Buffer.from(proxy.password ?? '');
      socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
      const [, status] = await reader.read(2);
      if (status !== 0) return { ...base, status: 'fail', summary: `${proxy.label} refused our user name and password`, advice: fix };
      return { ...base, status: 'ok', summary: `${proxy.label} answers SOCKS5 and accepted our credentials` };
    }
    return { ...base, status: 'ok', summary: `${proxy.label} answers SOCKS5 (no authentication)` };
  } catch (error) {
    return { ...base, status: 'fail', summary: `${proxy.label}: ${(error as Error).message}`, advice: fix };
  } finally {
    reader.stop();
    socket.destroy();
  }
}

/** Exactly n bytes from a socket, or an error on timeout or close. */
class ByteReader {
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended: Error | null = null;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake?.();
  };
  private readonly onEnd = (): void => this.end(new Error('the proxy closed the connection during the handshake'));

  constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', this.onData);
    socket.on('close', this.onEnd);
    socket.on('error', this.onEnd);
  }

  async read(n: number): Promise<number[]> {
    const timer = setTimeout(() => this.end(new Error(`no SOCKS5 answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      while (this.buffer.length < n) {
        if (this.ended) throw this.ended;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      const bytes = [...this.buffer.subarray(0, n)];
      this.buffer = this.buffer.subarray(n);
      return bytes;
    } finally {
      clearTimeout(timer);
      this.wake = null;
    }
  }

  stop(): void {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onEnd);
  }

  private end(error: Error): void {
    this.ended ??= error;
    this.wake?.();
  }
}
