import WebSocket from 'ws';
import { CHROME_ORIGIN } from '../support/ws-test-client';

/**
 * N WebSocket clients at once against a daemon: all connect and say hello together, then, round
 * after round, all ask for the same cached address at the same moment. Raw `ws` and JSON.parse
 * on the client side, so the clients' own cost stays small next to the daemon's.
 */
export interface ManyClientsResult {
  clients: number;
  accepted: number;
  /** Upgrades refused, by HTTP status (503: the daemon's connection cap). */
  refused: Record<string, number>;
  /** From the first connect to the last welcome (or refusal). */
  connectAllMs: number;
  /** Per request, from send to result, every client every round. */
  latencies: number[];
  rounds: number;
  wrongAnswers: number;
}

interface Open {
  socket: WebSocket;
  waiting: Map<string, (result: { cached: boolean; reason: string }) => void>;
}

/** Where the clients connect: the local daemon by default, or a server-mode daemon over TLS. */
export interface ClientTarget {
  url: string;
  options?: WebSocket.ClientOptions;
}

function open(port: number, token: string, target?: ClientTarget): Promise<Open | { status: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(target?.url ?? `ws://127.0.0.1:${port}/ws`, { headers: { origin: CHROME_ORIGIN }, perMessageDeflate: false, ...target?.options });
    const waiting = new Map<string, (r: { cached: boolean; reason: string }) => void>();
    socket.on('unexpected-response', (_req, response) => {
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on('error', () => resolve({ status: -1 }));
    // A dropped connection answers whatever it still waited for, so a round never hangs.
    socket.on('close', () => {
      for (const answer of [...waiting.values()]) answer({ cached: false, reason: 'error:closed' });
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', version: 1, token, client: { name: 'bench', version: '0' } })));
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; id?: string; cached?: boolean; result?: { reason: string }; code?: string };
      if (m.type === 'welcome') resolve({ socket, waiting });
      else if (m.type === 'result' && m.id) waiting.get(m.id)?.({ cached: m.cached === true, reason: m.result!.reason });
      else if (m.type === 'error' && m.id) waiting.get(m.id)?.({ cached: false, reason: `error:${m.code}` });
      else if (m.type === 'error') resolve({ status: 401 });
    });
  });
}

export async function manyClients(options: {
  port: number;
  token: string;
  clients: number;
  rounds: number;
  address: string;
  expectReason: string;
  target?: ClientTarget;
  /** Keep every connection open this long after the last round, then count how many still are. */
  holdMs?: number;
}): Promise<ManyClientsResult & { stillOpen?: number }> {
  const t0 = performance.now();
  const attempts = await Promise.all(Array.from({ length: options.clients }, () => open(options.port, options.token, options.target)));
  const connectAllMs = performance.now() - t0;
  const sockets = attempts.filter((a): a is Open => 'socket' in a);
  const refused: Record<string, number> = {};
  for (const a of attempts) if ('status' in a) refused[String(a.status)] = (refused[String(a.status)] ?? 0) + 1;

  const latencies: number[] = [];
  let wrongAnswers = 0;
  let stillOpen = 0;
  try {
    for (let round = 0; round < options.rounds; round++) {
      await Promise.all(
        sockets.map(
          (c, i) =>
            new Promise<void>((resolve) => {
              const id = `r${round}c${i}`;
              const sent = performance.now();
              c.waiting.set(id, (r) => {
                latencies.push(performance.now() - sent);
                if (!r.cached || r.reason !== options.expectReason) wrongAnswers++;
                c.waiting.delete(id);
                resolve();
              });
              c.socket.send(JSON.stringify({ type: 'verify', id, address: options.address }));
            }),
        ),
      );
    }
    if (options.holdMs) {
      await new Promise((r) => setTimeout(r, options.holdMs));
      stillOpen = sockets.filter((c) => c.socket.readyState === WebSocket.OPEN).length;
    }
  } finally {
    for (const c of sockets) c.socket.terminate();
  }
  return { clients: options.clients, accepted: sockets.length, refused, connectAllMs, latencies, rounds: options.rounds, wrongAnswers, ...(options.holdMs && { stillOpen }) };
}
