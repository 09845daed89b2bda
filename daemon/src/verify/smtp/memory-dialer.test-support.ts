import type net from 'node:net';
import { Duplex } from 'node:stream';
import type { Dialer } from './dial';

/** The server's end of an in-memory connection, driven by a test script. */
export interface MemoryPeer {
  /** Which connection this is, from 1. */
  n: number;
  write(text: string): void;
  /** The next command line (without CRLF), or null once the client closed. */
  readLine(): Promise<string | null>;
  /** Hangs up. */
  end(): void;
}

export type MemoryScript = (peer: MemoryPeer) => Promise<void> | void;

export interface MemoryDialer {
  dial: Dialer;
  /** Connections dialled so far. */
  readonly connections: number;
  /** Every command line received, across connections, with its connection number. */
  readonly received: Array<{ n: number; line: string }>;
  /** Resolves once every script has returned. */
  settled(): Promise<void>;
}

/**
 * A dialer whose "network" is a pair of in-memory streams and whose "server" is a script: the
 * session logic tested without sockets or a lab. Bytes cross on the next turn of the event loop,
 * as on a real network, never synchronously inside write().
 */
export function memoryDialer(script: MemoryScript): MemoryDialer {
  let connections = 0;
  const received: Array<{ n: number; line: string }> = [];
  const running: Array<Promise<void>> = [];
  const dial: Dialer = ({ signal }) => {
    if (signal.aborted) return Promise.reject(signal.reason);
    const n = ++connections;
    const [client, server] = streamPair();
    let buffer = '';
    const lines: string[] = [];
    const waiters: Array<(line: string | null) => void> = [];
    let closed = false;
    const close = (): void => {
      closed = true;
      for (const w of waiters.splice(0)) w(null);
    };
    server.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        received.push({ n, line });
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
    });
    server.on('end', close);
    server.on('close', close);
    server.on('error', () => {});
    const peer: MemoryPeer = {
      n,
      write: (text) => {
        if (!server.destroyed && server.writable) server.write(text);
      },
      readLine: () =>
        new Promise((resolve) => {
          const queued = lines.shift();
          if (queued !== undefined) return resolve(queued);
          if (closed) return resolve(null);
          waiters.push(resolve);
        }),
      end: () => server.end(),
    };
    running.push(Promise.resolve().then(() => script(peer)).catch(() => server.destroy()).then(() => undefined));
    return Promise.resolve(client as unknown as net.Socket);
  };
  return {
    dial,
    get connections() {
      return connections;
    },
    received,
    settled: () => Promise.all(running).then(() => undefined),
  };
}

function streamPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (other: () => Duplex): Duplex => {
    let ended = false;
    const endOther = (): void => {
      if (ended) return;
      ended = true;
      setImmediate(() => other().push(null));
    };
    const side = new Duplex({
      allowHalfOpen: false,
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        setImmediate(() => {
          if (!other().destroyed) other().push(chunk);
        });
        callback();
      },
      final(callback) {
        endOther();
        callback();
      },
      destroy(error, callback) {
        endOther();
        callback(error);
      },
    });
    (side as unknown as { setNoDelay: () => void }).setNoDelay = () => {};
    return side;
  };
  sides.push(make(() => sides[1]!), make(() => sides[0]!));
  return [sides[0]!, sides[1]!];
}

/** A well-behaved server: EHLO with PIPELINING, MAIL ok, RCPT answered by `rcpt`, QUIT. */
export async function politePeer(
  peer: MemoryPeer,
  rcpt: (address: string) => string,
  options: { extensions?: string[]; banner?: string | null } = {},
): Promise<void> {
  if (options.banner !== null) peer.write(`${options.banner ?? '220 memory.test ESMTP'}\r\n`);
  const extensions = options.extensions ?? ['PIPELINING', 'ENHANCEDSTATUSCODES'];
  for (;;) {
    const line = await peer.readLine();
    if (line === null) return;
    const verb = line.slice(0, 4).toUpperCase();
    if (verb === 'EHLO') {
      const lines = ['memory.test', ...extensions];
      peer.write(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join(''));
    } else if (verb === 'MAIL') peer.write('250 2.1.0 Ok\r\n');
    else if (verb === 'RCPT') {
      const answer = rcpt(/<(.*)>/.exec(line)?.[1] ?? '');
      peer.write(`${answer}\r\n`);
      if (answer.startsWith('421')) return peer.end();
    } else if (verb === 'QUIT') {
      peer.write('221 2.0.0 Bye\r\n');
      return peer.end();
    } else peer.write('502 5.5.2 Error: command not recognized\r\n');
  }
}
