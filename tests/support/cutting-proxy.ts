import net from 'node:net';

/**
 * A TCP relay that drops connections: each of the first `cuts` connections is destroyed once it
 * has carried `afterBytes` bytes from the server to the client, mid-record for TLS, as a flaky
 * network would. Later connections pass untouched.
 */
export interface CuttingProxy {
  port: number;
  /** Connections cut so far. */
  readonly cut: number;
  close(): Promise<void>;
}

export function startCuttingProxy(target: { host: string; port: number }, options: { afterBytes: number; cuts: number }): Promise<CuttingProxy> {
  let cut = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    const cutThis = connections++ < options.cuts;
    let carried = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (cutThis && carried + chunk.length >= options.afterBytes) {
        client.write(chunk.subarray(0, Math.max(0, options.afterBytes - carried)));
        cut++;
        client.destroy();
        upstream.destroy();
        return;
      }
      carried += chunk.length;
      client.write(chunk);
    });
    client.pipe(upstream);
    const done = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        get cut() {
          return cut;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
