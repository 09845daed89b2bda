import net from 'node:net';

export interface PausableRelay {
  url: string;
  /** Holds every byte in both directions: to the worker, Redis has gone silent (a partition). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** A TCP relay between one worker and Redis that a test can silence and bring back. */
export async function startRelay(upstreamPort: number): Promise<PausableRelay> {
  const sockets = new Set<net.Socket>();
  const paused = new Set<net.Socket>();
  let silent = false;
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    for (const s of [client, upstream]) {
      if (silent) {
        s.pause();
        paused.add(s);
      }
    }
    client.pipe(upstream);
    upstream.pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    pause() {
      silent = true;
      for (const s of sockets) {
        s.pause();
        paused.add(s);
      }
    },
    resume() {
      silent = false;
      for (const s of paused) s.resume();
      paused.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
