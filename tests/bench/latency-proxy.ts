/**
 * A delaying TCP proxy: the Internet's round-trip time, in user space (tc netem is not available
 * here). It stands where a mail server stands for the client (127.0.27.N:25, the MX of
 * benchN.test) and forwards to the lab's Postfix, so it is also where politeness is counted:
 * connections opened, connections open at once, and the server's turns to speak.
 *
 * The model: every chunk is delayed by RTT/2 in its direction, in order; a new connection reaches
 * the server 1.5 RTT after the client connected (SYN, SYN-ACK, ACK: the server's accept() returns
 * when the ACK arrives), so connect + greeting costs 2 RTT as it does on the Internet. A client
 * that closes is seen closing by the server RTT/2 later.
 */
import net from 'node:net';

export interface ProxyCounters {
  /** Connections the server was asked to accept. */
  connections: number;
  /**
   * Open right now: accepted by the server, and the client's goodbye (FIN or reset) not arrived
   * yet. This is the client's politeness as the server sees it.
   */
  open: number;
  /** The most that were open at once. */
  peakOpen: number;
  /**
   * The same, but until the server has closed its end too. A loaded server takes a while to close
   * after its 221, so this can exceed `open` when a polite client reconnects at once.
   */
  peakUntilServerClosed: number;
  /**
   * What the connections open at the moment of the peak were doing, one entry each: how long the
   * server had had it, and whether the client had sent QUIT or closed (seen at the proxy). A real
   * breach shows a third session in mid-conversation; a counting artefact shows one saying goodbye.
   */
  peakDetail: string[];
  /** Times the server spoke after the client (the greeting counts): SMTP round trips as the server sees them. */
  turns: number;
  bytesToServer: number;
  bytesToClient: number;
  /** Chunks, FINs and accepts delivered: each was due at an exact time. */
  deliveries: number;
  /** How late they were, summed and at worst (ms): latency the model does not have. */
  lateTotalMs: number;
  lateMaxMs: number;
  /**
   * The server's own time to answer, summed over its turns (ms): from the connect to its greeting,
   * and from each client chunk handed to it to the last chunk of its reply. Time a real server
   * also takes, on top of the round trips: it is not the client's.
   */
  serverMs: number;
}

export interface LatencyProxy {
  address: string;
  port: number;
  rttMs: number;
  readonly counters: ProxyCounters;
  /** Zeroes the counters (between runs); `open` is kept, it is a state rather than a count. */
  reset(): void;
  close(): Promise<void>;
}

export interface LatencyProxyOptions {
  listen: { host: string; port: number };
  upstream: { host: string; port: number };
  rttMs: number;
}

const emptyCounters = (): ProxyCounters => ({
  connections: 0,
  open: 0,
  peakOpen: 0,
  peakDetail: [],
  peakUntilServerClosed: 0,
  turns: 0,
  bytesToServer: 0,
  bytesToClient: 0,
  deliveries: 0,
  lateTotalMs: 0,
  lateMaxMs: 0,
  serverMs: 0,
});

/** A connection as the server sees it, for peakDetail. */
interface Live {
  acceptedAt: number;
  quitSent: boolean;
  clientClosed: boolean;
}

export function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const half = options.rttMs / 2;
  const counters = emptyCounters();
  /** Connections the server has not closed yet (for peakUntilServerClosed). */
  let serverOpen = 0;
  /** Connections counted in `open`. */
  const live = new Set<Live>();
  const describe = (c: Live, at: number): string =>
    `${Math.round(at - c.acceptedAt)} ms old${c.quitSent ? ', QUIT sent' : ''}${c.clientClosed ? ', closed by the client' : ''}`;
  const sockets = new Set<net.Socket>();

  let closed = false;
  /** Runs `fn` `ms` from now, on the dot (see DeliveryClock), counting how late it was. */
  const later = (ms: number, fn: () => void): void =>
    clock.after(ms, (lateMs) => {
      if (closed) return;
      counters.deliveries++;
      counters.lateTotalMs += lateMs;
      counters.lateMaxMs = Math.max(counters.lateMaxMs, lateMs);
      fn();
    });

  // Half-open allowed on both legs: a FIN is forwarded (late, like the data before it), not acted on.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client);
    client.setNoDelay(true);
    let upstream: net.Socket | null = null;
    let serverSawOpen = false;
    let clientGoneAtServer = false;
    let serverClosedItsEnd = false;
    let clientEnded = false;
    let lastSpeaker: 'client' | 'server' = 'client';
    /** The server's current turn: since when it has had something to answer, and its last reply chunk so far. */
    let turnFrom = 0;
    let turnTo = 0;
    const closeTurn = (): void => {
      if (turnTo > turnFrom) counters.serverMs += turnTo - turnFrom;
      turnFrom = turnTo = 0;
    };
    /** What the client sent before the server accepted: delivered in order once it has. */
    const early: Array<Buffer | 'end' | 'reset'> = [];
    const me: Live = { acceptedAt: 0, quitSent: false, clientClosed: false };

    /**
     * The connection is over for the server: the client's FIN or reset reached it, or the server
     * closed its own end (Postfix does right after its 221). Counting until the client's goodbye
     * has also crossed the model's RTT/2 would hold a finished session open for the count after
     * the server let it go, and the client's next connection could then be counted beside it.
     */
    const clientGone = (): void => {
      if (!serverSawOpen || clientGoneAtServer) return;
      clientGoneAtServer = true;
      counters.open--;
      live.delete(me);
    };
    const toServer = (item: Buffer | 'end' | 'reset'): void => {
      if (!upstream) {
        early.push(item);
        return;
      }
      if (upstream.destroyed) return;
      if (item === 'reset') {
        clientGone();
        upstream.destroy();
      } else if (item === 'end') {
        clientGone();
        upstream.end();
      } else {
        // The client speaks again: the server's previous turn is over.
        if (turnTo > 0) closeTurn();
        if (turnFrom === 0) turnFrom = performance.now();
        upstream.write(item);
      }
    };

    client.on('data', (chunk: Buffer) => {
      counters.bytesToServer += chunk.length;
      if (/(^|\n)QUIT\r?\n/i.test(chunk.toString('latin1'))) me.quitSent = true;
      lastSpeaker = 'client';
      later(half, () => toServer(chunk));
    });
    client.on('end', () => {
      clientEnded = true;
      later(half, () => toServer('end'));
    });
    client.on('error', () => {});
    client.on('close', () => {
      sockets.delete(client);
      me.clientClosed = true;
      // Gone without a FIN (a reset, a destroy): the server sees the connection drop.
      if (!clientEnded) later(half, () => toServer('reset'));
    });

    later(1.5 * options.rttMs, () => {
      counters.connections++;
      counters.open++;
      me.acceptedAt = performance.now();
      live.add(me);
      if (counters.open > counters.peakOpen) {
        counters.peakOpen = counters.open;
        counters.peakDetail = [...live].map((c) => describe(c, me.acceptedAt));
      }
      serverOpen++;
      counters.peakUntilServerClosed = Math.max(counters.peakUntilServerClosed, serverOpen);
      serverSawOpen = true;
      let upstreamEnded = false;
      turnFrom = performance.now();
      const up = net.connect({ host: options.upstream.host, port: options.upstream.port, allowHalfOpen: true });
      up.setNoDelay(true);
      upstream = up;
      sockets.add(up);
      up.on('data', (chunk: Buffer) => {
        counters.bytesToClient += chunk.length;
        if (lastSpeaker === 'client') counters.turns++;
        lastSpeaker = 'server';
        if (turnFrom > 0) turnTo = performance.now();
        later(half, () => {
          if (!client.destroyed && client.writable) client.write(chunk);
        });
      });
      up.on('end', () => {
        upstreamEnded = true;
        clientGone();
        later(half, () => {
          if (!client.destroyed && client.writable) client.end();
        });
      });
      up.on('error', () => {});
      up.on('close', () => {
        sockets.delete(up);
        closeTurn();
        clientGone();
        if (!serverClosedItsEnd) {
          serverClosedItsEnd = true;
          serverOpen--;
        }
        if (!upstreamEnded) later(half, () => client.destroy());
      });
      for (const item of early.splice(0)) toServer(item);
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.listen.host, port: options.listen.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        address: options.listen.host,
        port: options.listen.port,
        rttMs: options.rttMs,
        counters,
        reset() {
          const open = counters.open;
          const at = performance.now();
          Object.assign(counters, emptyCounters(), { open, peakOpen: open, peakDetail: [...live].map((c) => describe(c, at)), peakUntilServerClosed: serverOpen });
        },
        close: () =>
          new Promise<void>((done) => {
            closed = true;
            for (const s of sockets) s.destroy();
            sockets.clear();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Wakes up this long before a delivery is due and spins the event loop (setImmediate) until it
 * is: a Node timer fires up to a millisecond after its time even on an idle machine, which would
 * add latency the model does not have. Kept short: the spin costs CPU the lab's Postfix and the
 * programs measured also need (one clock serves every connection, so it spins once for all).
 * On a loaded machine lateness comes from waiting for a CPU, which no scheduling here removes:
 * every delivery's lateness is counted (ProxyCounters.lateTotalMs) so the figures can say.
 */
const SPIN_MS = 1;

/**
 * Runs every delayed delivery of the process at its due time, in order: one FIFO per delay (every
 * chunk in a direction waits as long as the one before it, so each FIFO is sorted by due time),
 * one timer for all the proxies of the process. Each delivery is told how late it runs.
 */
class DeliveryClock {
  private readonly fifos = new Map<number, Array<{ due: number; run: (lateMs: number) => void }>>();
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private ticking = false;

  /** The due time the timer (or spin) is set for. */
  private armedFor = Infinity;

  after(ms: number, run: (lateMs: number) => void): void {
    if (ms <= 0) return run(0);
    let fifo = this.fifos.get(ms);
    if (!fifo) this.fifos.set(ms, (fifo = []));
    const due = performance.now() + ms;
    fifo.push({ due, run });
    if (!this.ticking && due < this.armedFor) this.arm();
  }

  private next(): { due: number; fifo: Array<{ due: number; run: (lateMs: number) => void }> } | null {
    let best: { due: number; fifo: Array<{ due: number; run: (lateMs: number) => void }> } | null = null;
    for (const fifo of this.fifos.values()) {
      const head = fifo[0];
      if (head && (!best || head.due < best.due)) best = { due: head.due, fifo };
    }
    return best;
  }

  private arm(): void {
    this.disarm();
    const next = this.next();
    if (!next) return;
    this.armedFor = next.due;
    const wait = next.due - performance.now();
    if (wait > SPIN_MS) this.timer = setTimeout(this.tick, wait - SPIN_MS);
    else this.immediate = setImmediate(this.tick);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.armedFor = Infinity;
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.immediate = null;
    this.armedFor = Infinity;
    this.ticking = true;
    try {
      for (let next = this.next(); next; next = this.next()) {
        const now = performance.now();
        if (next.due > now) break;
        const item = next.fifo.shift()!;
        item.run(now - item.due);
      }
    } finally {
      this.ticking = false;
      this.arm();
    }
  };
}

/** One clock for every proxy of the process. */
const clock = new DeliveryClock();
