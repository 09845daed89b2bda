/**
 * The bench's latency proxies in a process of their own: the process that drives a bench (many
 * WebSocket frames to decode, thousands of results to check) must not delay the proxies' timers,
 * nor reorder what they see, or round trips would cost more than the model says and connections
 * would be counted open longer than they are. Driven over IPC by bench-proxies.ts.
 */
import { startLatencyProxy, type LatencyProxy } from './latency-proxy';

export interface ProxySpec {
  name: string;
  listen: { host: string; port: number };
  upstream: { host: string; port: number };
}

export type ProxyRequest = { type: 'counters'; id: number } | { type: 'reset'; id: number } | { type: 'close'; id: number };

const { rttMs, proxies: specs } = JSON.parse(process.argv[2]!) as { rttMs: number; proxies: ProxySpec[] };
const proxies = new Map<string, LatencyProxy>();
const send = (message: unknown): void => void process.send?.(message);

try {
  for (const spec of specs) proxies.set(spec.name, await startLatencyProxy({ listen: spec.listen, upstream: spec.upstream, rttMs }));
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', message: (error as Error).message });
  process.exit(1);
}

process.on('message', (request: ProxyRequest) => {
  if (request.type === 'counters') {
    send({ type: 'counters', id: request.id, counters: Object.fromEntries([...proxies].map(([name, p]) => [name, { ...p.counters }])) });
  } else if (request.type === 'reset') {
    proxies.forEach((p) => p.reset());
    send({ type: 'done', id: request.id });
  } else if (request.type === 'close') {
    void Promise.all([...proxies.values()].map((p) => p.close())).then(() => {
      send({ type: 'done', id: request.id });
      process.exit(0);
    });
  }
});
// The driving process went away (crashed, killed): do not keep port 25 of the bench addresses.
process.on('disconnect', () => process.exit(0));
