import { decodeServerMessage, type ClientMessage, type ServerMessage } from '@mailping/shared';
import WebSocket from 'ws';

/**
 * A WebSocket client for tests, on the real `ws` package so Origin and Host can be whatever a
 * test needs (a browser would not let us lie). Every frame the daemon sends is validated against
 * the shared protocol schema; `next` waits for the next message matching a predicate.
 */
export interface TestClient {
  socket: WebSocket;
  /** Every message received so far, in order. */
  received: ServerMessage[];
  send(message: ClientMessage | Record<string, unknown>): void;
  sendRaw(data: string | Buffer): void;
  next<T extends ServerMessage['type']>(type: T, predicate?: (m: Extract<ServerMessage, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  /** Resolves with the close code (immediately if already closed). */
  closed(timeoutMs?: number): Promise<number>;
  close(): void;
}

export const CHROME_ORIGIN = 'chrome-extension://egonnibiidoihfhcmkbbbaahcncaldod';

export interface ConnectOptions {
  origin?: string | null;
  host?: string;
  path?: string;
  autoPong?: boolean;
  /** Server mode: wss:// to a name, dialled at `address` from `localAddress`, trusting `ca`. */
  tls?: { name: string; address: string; ca: string; localAddress?: string };
}

/** Resolves with the client once open; rejects with the HTTP status when the upgrade is refused. */
export function connect(port: number, options: ConnectOptions = {}): Promise<TestClient> {
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? CHROME_ORIGIN : options.origin;
  if (origin !== null) headers.origin = origin;
  if (options.host !== undefined) headers.host = options.host;
  const tls = options.tls;
  const url = tls ? `wss://${tls.name}:${port}${options.path ?? '/ws'}` : `ws://127.0.0.1:${port}${options.path ?? '/ws'}`;
  const socket = new WebSocket(url, {
    headers,
    autoPong: options.autoPong ?? true,
    maxPayload: 64 * 1024 * 1024,
    ...(tls && {
      ca: tls.ca,
      ...(tls.localAddress !== undefined && { localAddress: tls.localAddress }),
      // The name resolves to the test's own address, as /etc/hosts or DNS would make it.
      lookup: (_name: string, _options: unknown, callback: (error: null, address: string, family: number) => void) => callback(null, tls.address, 4),
    }),
  } as WebSocket.ClientOptions);
  const received: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  let closeCode: number | null = null;
  socket.on('message', (data) => {
    const decoded = decodeServerMessage(data.toString());
    if (!decoded.ok) throw new Error(`the daemon sent a frame outside the protocol: ${decoded.error.message}: ${data.toString().slice(0, 200)}`);
    received.push(decoded.message);
    for (const w of [...waiters]) w();
  });
  // Errors after the handshake (a reset connection) end in 'close', which is what tests look at.
  socket.on('error', () => {});
  socket.on('close', (code) => {
    closeCode = code;
    for (const w of [...waiters]) w();
  });

  const client: TestClient = {
    socket,
    received,
    send: (message) => socket.send(JSON.stringify(message)),
    sendRaw: (data) => socket.send(data),
    next(type, predicate = () => true, timeoutMs = 10_000) {
      type M = Extract<ServerMessage, { type: typeof type }>;
      return new Promise<M>((resolve, reject) => {
        const check = (): void => {
          // From the start every time: other waiters take their messages out of `received`, so a
          // remembered position would skip the message that moved into it.
          for (let i = 0; i < received.length; i++) {
            const m = received[i]!;
            if (m.type === type && predicate(m as M)) {
              done();
              // A message answers one waiter only.
              received.splice(i, 1);
              return resolve(m as M);
            }
          }
          if (closeCode !== null) {
            done();
            reject(new Error(`connection closed (${closeCode}) while waiting for ${type}; got ${JSON.stringify(received.map((r) => r.type))}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${type} message within ${timeoutMs} ms; got ${JSON.stringify(received).slice(0, 500)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    closed(timeoutMs = 10_000) {
      if (closeCode !== null) return Promise.resolve(closeCode);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
        socket.once('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
    close: () => socket.terminate(),
  };

  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, response) => {
      socket.terminate();
      reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode, headers: response.headers }));
    });
    socket.once('error', (error) => reject(error));
  });
}

/** The HTTP status a refused upgrade got (or 0 when it was accepted, or -1 for a network error). */
export async function upgradeStatus(port: number, options: ConnectOptions = {}): Promise<number> {
  try {
    const client = await connect(port, options);
    client.close();
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}
