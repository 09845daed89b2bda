/**
 * mx.silent.test: accepts TCP connections on port 25 and never sends a byte, the way a
 * tarpitting or overloaded MX looks from outside. Postfix always greets, so this one is
 * in-process. Sockets are kept open until stop() so the client, not the server, must give up.
 */
import net from 'node:net';

export interface SilentServerHandle {
  address: string;
  port: number;
  stop(): Promise<void>;
}

export function startSilentServer(address: string, port = 25): Promise<SilentServerHandle> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // Whatever the client says is read and ignored; errors (client resets) are expected.
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        address,
        port,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            sockets.clear();
            if (!server.listening) return done();
            server.close(() => done());
          }),
      });
    });
  });
}
