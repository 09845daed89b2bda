import net from 'node:net';

/** Connection ids unique across every meter of the process. */
let nextConn = 1;

/** What a server saw, in order: counted where it happens, not in the client. */
export type MeterEvent =
  | { t: number; kind: 'open'; conn: number; peer: string }
  | { t: number; kind: 'close'; conn: number; peer: string }
  | { t: number; kind: 'rcpt'; conn: number; peer: string; to: string }
  | { t: number; kind: 'reply421'; conn: number; peer: string };

export interface MeterProxy {
  address: string;
  events: MeterEvent[];
  /** Connections open now, by client address. */
  openFrom(peer: string): number;
  stop(): Promise<void>;
}

/**
 * A sibling of strip-codes-proxy.ts in front of a Postfix listener: records every accept and
 * close (with the client's address), every RCPT the client sends and every 421 the server
 * says; it dials Postfix from the client's own address, so Postfix's log agrees. `delayMs`
 * holds each reply that long, so sessions last as they would over the Internet.
 */
export function startMeterProxy(options: {
  address: string;
  upstream: { host: string; port: number };
  delayMs?: number;
  /** false: dial from the default address (a listener that must not see new client addresses). */
  dialFromPeer?: boolean;
}): Promise<MeterProxy> {
  const events: MeterEvent[] = [];
  const sockets = new Set<net.Socket>();
  const open = new Map<string, number>();

  const now = (): number => Date.now();
  const server = net.createServer((client) => {
    const conn = nextConn++;
    const peer = client.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
    // Recorded after the other I/O of this event-loop turn: a close the kernel delivered in the
    // same turn (this process was busy) happened before this accept, as the lease order says.
    let opened = false;
    let closed = false;
    const recordClose = (): void => {
      events.push({ t: now(), kind: 'close', conn, peer });
      open.set(peer, (open.get(peer) ?? 1) - 1);
    };
    setImmediate(() => {
      events.push({ t: now(), kind: 'open', conn, peer });
      open.set(peer, (open.get(peer) ?? 0) + 1);
      opened = true;
      if (closed) recordClose();
    });
    const backend = net.connect({ ...options.upstream, ...(options.dialFromPeer === false ? {} : { localAddress: peer }) });
    sockets.add(client).add(backend);
    let toServer = '';
    client.on('data', (chunk: Buffer) => {
      toServer += chunk.toString('latin1');
      let i: number;
      while ((i = toServer.indexOf('\n')) >= 0) {
        const line = toServer.slice(0, i);
        toServer = toServer.slice(i + 1);
        const rcpt = /^RCPT TO:\s*<([^>]*)>/i.exec(line);
        if (rcpt) events.push({ t: now(), kind: 'rcpt', conn, peer, to: rcpt[1]!.toLowerCase() });
      }
      backend.write(chunk);
    });
    let fromServer = '';
    backend.on('data', (chunk: Buffer) => {
      fromServer = (fromServer + chunk.toString('latin1')).slice(-4096);
      if (/(?:^|\n)421[ -]/.test(chunk.toString('latin1'))) events.push({ t: now(), kind: 'reply421', conn, peer });
      const send = (): void => void (client.destroyed || client.write(chunk));
      if (options.delayMs) setTimeout(send, options.delayMs);
      else send();
    });
    const close = (): void => {
      if (closed) return;
      closed = true;
      // A session that closes in the turn it was accepted is recorded right after its open.
      if (opened) recordClose();
      const end = (): void => {
        client.destroy();
        backend.destroy();
        sockets.delete(client);
        sockets.delete(backend);
      };
      if (options.delayMs) setTimeout(end, options.delayMs);
      else end();
    };
    client.on('end', close).on('close', close).on('error', close);
    backend.on('end', close).on('close', close).on('error', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.address, port: 25, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        address: options.address,
        events,
        openFrom: (peer) => open.get(peer) ?? 0,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
