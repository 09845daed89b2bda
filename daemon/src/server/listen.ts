import type { Server } from 'node:http';

/**
 * Binds the daemon to loopback only: 127.0.0.1 and, where the machine has IPv6, [::1]. Never
 * every interface (what @hono/node-server does when no hostname is given).
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export interface Listening {
  port: number;
  /** e.g. ['127.0.0.1', '::1'] */
  hosts: string[];
  /** Built-in TLS (server mode). */
  tls?: boolean;
}

function listenRaw(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

function describe(error: NodeJS.ErrnoException, host: string, port: number): ListenError {
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new ListenError(`port ${port} is already in use on ${where} (another mailping serve, or another program): stop it, or choose another port with --port or MAILPING_PORT`);
  }
  if (error.code === 'EACCES') return new ListenError(`not allowed to listen on ${where}: choose a port above 1023 with --port`);
  return new ListenError(`cannot listen on ${where}: ${error.message}`);
}

/** One server on one address (server mode), with the same error messages. */
export async function listenOn(server: Server, port: number, host: string): Promise<number> {
  try {
    return await listenRaw(server, port, host);
  } catch (error) {
    throw describe(error as NodeJS.ErrnoException, host, port);
  }
}

/** `make()` is called once per address. Port 0 picks a free port (the same on both addresses). */
export async function listenLoopback(make: () => Server, port: number): Promise<{ listening: Listening; servers: Server[] }> {
  for (let attempt = 0; ; attempt++) {
    const v4 = make();
    let actual: number;
    try {
      actual = await listenRaw(v4, port, '127.0.0.1');
    } catch (error) {
      throw describe(error as NodeJS.ErrnoException, '127.0.0.1', port);
    }
    const v6 = make();
    try {
      await listenRaw(v6, actual, '::1');
      return { listening: { port: actual, hosts: ['127.0.0.1', '::1'] }, servers: [v4, v6] };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No IPv6 on this machine: 127.0.0.1 alone is fine.
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return { listening: { port: actual, hosts: ['127.0.0.1'] }, servers: [v4] };
      await new Promise<void>((resolve) => v4.close(() => resolve()));
      // A port picked for us on IPv4 may be taken on IPv6: pick again.
      if (port === 0 && code === 'EADDRINUSE' && attempt < 5) continue;
      throw describe(error as NodeJS.ErrnoException, '::1', actual);
    }
  }
}
