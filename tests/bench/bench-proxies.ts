import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BENCH_DOMAIN_COUNT, benchDomain, benchMxAddress } from '../lab/bench-table';
import { LAB_SMTP_ADDRESSES } from '../lab/lab-table';
import type { ProxyCounters } from './latency-proxy';
import type { ProxySpec } from './proxy-process';

/**
 * One latency proxy per bench domain: benchN.test's MX (127.0.27.N:25), forwarding to the lab's
 * Postfix (the mx1.valid.test listener serves every virtual domain of the lab). They run in a
 * child process (proxy-process.ts); counters are read over IPC.
 */
export interface BenchProxies {
  rttMs: number;
  domains: readonly string[];
  counters(): Promise<Map<string, ProxyCounters>>;
  /** Sums over every proxy; peakOpen is the largest peak of any one MX host, peakDetail its connections then. */
  totals(): Promise<ProxyCounters>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const BENCH_UPSTREAM = { host: LAB_SMTP_ADDRESSES.valid1, port: 25 };
/** A nice value well above ordinary programs' 0 (lower is sooner). */
const PROXY_PRIORITY = -10;
const PROCESS = fileURLToPath(new URL('./proxy-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function startBenchProxies(rttMs: number): Promise<BenchProxies> {
  const specs: ProxySpec[] = Array.from({ length: BENCH_DOMAIN_COUNT }, (_, i) => ({
    name: benchDomain(i + 1),
    listen: { host: benchMxAddress(i + 1), port: 25 },
    upstream: BENCH_UPSTREAM,
  }));
  const child: ChildProcess = fork(PROCESS, [JSON.stringify({ rttMs, proxies: specs })], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The proxies are the network: on a busy machine they must not wait for a CPU behind the
  // programs they carry traffic for, or every round trip costs more than the model says. A higher
  // priority needs privileges; without them the proxies run as they are (and report how late).
  try {
    if (child.pid !== undefined) setPriority(child.pid, PROXY_PRIORITY);
  } catch {
    // EACCES: not allowed here.
  }
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: { type: string; message?: string }): void => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'failed') reject(new Error(`latency proxies: ${m.message}`));
    };
    child.on('message', onMessage);
    void exited.then(() => reject(new Error('latency proxies: the process exited before it was ready')));
  });

  let nextId = 1;
  const ask = <T>(type: 'counters' | 'reset' | 'close'): Promise<T> =>
    new Promise((resolve, reject) => {
      if (!child.connected) return reject(new Error('latency proxies: the process is gone'));
      const id = nextId++;
      const onMessage = (m: { id?: number } & T): void => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.send({ type, id });
    });

  const counters = async (): Promise<Map<string, ProxyCounters>> => {
    const reply = await ask<{ counters: Record<string, ProxyCounters> }>('counters');
    return new Map(Object.entries(reply.counters));
  };
  let closing: Promise<void> | null = null;
  return {
    rttMs,
    domains: specs.map((s) => s.name),
    counters,
    async totals() {
      const all = [...(await counters()).values()];
      const sum = (pick: (c: ProxyCounters) => number): number => all.reduce((a, c) => a + pick(c), 0);
      return {
        connections: sum((c) => c.connections),
        open: sum((c) => c.open),
        peakOpen: Math.max(0, ...all.map((c) => c.peakOpen)),
        // The detail of the host with the largest peak.
        peakDetail: all.reduce<ProxyCounters | null>((a, c) => (a && a.peakOpen >= c.peakOpen ? a : c), null)?.peakDetail ?? [],
        peakUntilServerClosed: Math.max(0, ...all.map((c) => c.peakUntilServerClosed)),
        turns: sum((c) => c.turns),
        bytesToServer: sum((c) => c.bytesToServer),
        bytesToClient: sum((c) => c.bytesToClient),
        deliveries: sum((c) => c.deliveries),
        lateTotalMs: sum((c) => c.lateTotalMs),
        lateMaxMs: Math.max(0, ...all.map((c) => c.lateMaxMs)),
        serverMs: sum((c) => c.serverMs),
      };
    },
    async reset() {
      await ask('reset');
    },
    close() {
      closing ??= (async () => {
        if (child.connected) await Promise.race([ask('close'), exited]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      })();
      return closing;
    },
  };
}
