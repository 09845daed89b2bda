import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientConnection } from '../../daemon/src/queue/redis-connection';
import { machineCpu, processCpuMs } from '../support/cpu-time';
import { MAILPING_BIN } from '../support/run-cli';
import { startRedis } from '../scale/redis-server';
import { startWorkerProcess, type WorkerProcess } from '../scale/worker-processes';
import { mixedList } from './address-list';
import { startOneMxDns } from './one-mx-dns';
import type { BenchProxies } from './bench-proxies';
import { ms, table } from './stats';

/**
 * Figure 8: lists through the queue (Redis + `mailping worker`s, each from its own 127.0.28.x)
 * behind the latency proxies. Connection caps are counted at the proxies (the servers' side).
 * Three runs: a large list through 4 workers with the default connection cap (it binds);
 * 1 worker vs 4 when no cap binds (20 connections per host), each worker with 2 batches of 2
 * sessions at once, so the 4 workers have 4× the sessions of one (4 and 16), as 4 machines
 * would; a 200-address list through the queue vs the same list verified locally by `mailping
 * verify`. Queue rows say when the submitting CLI had the list on the queue (its own start and
 * BullMQ's, the part of a run no worker can shorten). Every row says how much CPU
 * the workers used per address and how busy the whole machine was (the lab's Postfix, Redis and
 * the proxies share its cores: a CPU-bound row measures the machine, not the queue).
 */
export interface WorkersRun {
  what: string;
  workers: number;
  addresses: number;
  wallMs: number;
  answered: number;
  connectionsPerHost: number;
  /** The most connections open at once to any one MX host. */
  peakPerHost: number;
  /** Hosts where that peak went above the cap. */
  violations: number;
  /** CPU the workers (or the local `mailping verify`) used, ms per address; null if unknown. */
  cpuMsPerAddress: number | null;
  /** Share of the machine's CPU (all cores) in use during the run, by anything. */
  machineBusy: number;
  /** Queue rows: ms from the CLI's spawn until it said the list was on the queue. */
  queuedAfterMs: number | null;
}

export interface WorkersFigure {
  rttMs: number;
  runs: WorkersRun[];
  /** Wall time of 1 worker / 4 workers, no cap binding. */
  speedup: number;
  /** Queue / local for the 200-address list. */
  overhead: number;
  /** Wall time of 1 worker / 4 workers with every domain on one MX host (the cap binds): about 1. */
  oneMxSpeedup: number;
}

type RunSettings = {
  politeness: { connectionsPerHost: number; rcptPerMinutePerDomain: number };
};

const WORKER_IPS = ['127.0.28.1', '127.0.28.2', '127.0.28.3', '127.0.28.4'];

/**
 * Batches at once per worker in the 1 vs 4 rows: 4 sessions per worker (a batch pools 2, see
 * daemon/src/queue/batch-plan.ts), as when a batch was 1 session and this was 4. At 4 batches
 * (8 sessions per worker, 32 for 4) the 4-worker row reaches 20 connections on some hosts (the
 * cap binds) with the 2 cores 85 % busy: it measured the machine, 2.6–2.7×.
 */
const SCALING_CONCURRENCY = 2;

export async function workersFigure(
  dnsServer: string,
  proxies: BenchProxies,
  options: { bigPerDomain: number; log: (line: string) => void },
): Promise<WorkersFigure> {
  const redis = await startRedis();
  const home = await mkdtemp(join(tmpdir(), 'mailping-bench-workers-'));
  const client = clientConnection(redis.url);
  try {
    const runs: WorkersRun[] = [];
    const capped: RunSettings = { politeness: { connectionsPerHost: 2, rcptPerMinutePerDomain: 10_000 } };
    const uncapped: RunSettings = { politeness: { connectionsPerHost: 20, rcptPerMinutePerDomain: 10_000 } };
    const big = mixedList(options.bigPerDomain, { offset: 10_000 });
    runs.push(await queueRun(`${big.length.toLocaleString('en')} addresses, cap binds`, 4, big, capped, null));
    const mid = mixedList(Math.max(20, Math.floor(options.bigPerDomain / 2)), { offset: 20_000 });
    const what = `${mid.length.toLocaleString('en')} addresses, no cap binds, ${SCALING_CONCURRENCY} batches per worker`;
    const one = await queueRun(what, 1, mid, uncapped, SCALING_CONCURRENCY);
    const four = await queueRun(what, 4, mid, uncapped, SCALING_CONCURRENCY);
    runs.push(one, four);
    // Every domain on one MX host: the cap (2 connections) binds for all, more workers cannot help.
    const oneMx = await startOneMxDns();
    let oneMxSpeedup: number;
    try {
      const list = mixedList(Math.max(20, Math.floor(options.bigPerDomain / 10)), { offset: 40_000 });
      const what = `${list.length.toLocaleString('en')} addresses, all domains on one MX, cap binds`;
      const oneOnOne = await queueRun(what, 1, list, capped, SCALING_CONCURRENCY, oneMx.server);
      const fourOnOne = await queueRun(what, 4, list, capped, SCALING_CONCURRENCY, oneMx.server);
      runs.push(oneOnOne, fourOnOne);
      oneMxSpeedup = oneOnOne.wallMs / fourOnOne.wallMs;
    } finally {
      await oneMx.stop();
    }
    const small = mixedList(20, { offset: 30_000 });
    const queued = await queueRun('200 addresses through the queue', 1, small, capped, null);
    const local = await localRun(small, capped);
    runs.push(queued, local);
    return { rttMs: proxies.rttMs, runs, speedup: one.wallMs / four.wallMs, overhead: queued.wallMs / local.wallMs, oneMxSpeedup };
  } finally {
    client.disconnect();
    await redis.stop();
    await rm(home, { recursive: true, force: true });
  }

  async function queueRun(what: string, count: number, list: string[], settings: RunSettings, concurrency: number | null, workerDns = dnsServer): Promise<WorkersRun> {
    await client.flushall();
    await proxies.reset();
    const workers: WorkerProcess[] = [];
    try {
      for (const ip of WORKER_IPS.slice(0, count)) {
        workers.push(await startWorkerProcess({ queueUrl: redis.url, sourceAddress: ip, dnsServer: workerDns, timeScale: 1, settings, concurrency }));
      }
      const cpu0 = workers.map((w) => processCpuMs(w.child.pid));
      const machine0 = machineCpu();
      const t0 = performance.now();
      const out = await runCli(['verify', '--queue', redis.url, '--fresh'], list, settings);
      const wallMs = performance.now() - t0;
      const machineBusy = busySince(machine0);
      const cpu1 = workers.map((w) => processCpuMs(w.child.pid));
      const used = cpu1.every((c, i) => c !== null && cpu0[i] !== null) ? cpu1.reduce((a, c, i) => a! + c! - cpu0[i]!, 0)! : null;
      const cpuMsPerAddress = used === null ? null : used / list.length;
      return { what, workers: count, addresses: list.length, wallMs, answered: out.answered, queuedAfterMs: out.queuedAfterMs, cpuMsPerAddress, machineBusy, ...(await caps(settings.politeness.connectionsPerHost)) };
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  }

  function busySince(start: { busyMs: number; totalMs: number }): number {
    const end = machineCpu();
    return (end.busyMs - start.busyMs) / Math.max(1, end.totalMs - start.totalMs);
  }

  async function localRun(list: string[], settings: RunSettings): Promise<WorkersRun> {
    await proxies.reset();
    const machine0 = machineCpu();
    const t0 = performance.now();
    let cpuMs: number | null = null;
    const { answered } = await runCli(['verify', '--no-cache', '--dns-server', dnsServer], list, settings, (ms) => (cpuMs = ms));
    const wallMs = performance.now() - t0;
    const cpuMsPerAddress = cpuMs === null ? null : (cpuMs as number) / list.length;
    return { what: '200 addresses, local `mailping verify`', workers: 0, addresses: list.length, wallMs, answered, queuedAfterMs: null, cpuMsPerAddress, machineBusy: busySince(machine0), ...(await caps(settings.politeness.connectionsPerHost)) };
  }

  async function caps(cap: number): Promise<Pick<WorkersRun, 'connectionsPerHost' | 'peakPerHost' | 'violations'>> {
    const counters = [...(await proxies.counters()).values()];
    return { connectionsPerHost: cap, peakPerHost: Math.max(0, ...counters.map((c) => c.peakOpen)), violations: counters.filter((c) => c.peakOpen > cap).length };
  }

  /** Runs `mailping verify … --json --file list`: how many lines (answers) it printed, and when it said the list was queued. */
  async function runCli(args: string[], list: string[], settings: RunSettings, onCpu?: (ms: number) => void): Promise<{ answered: number; queuedAfterMs: number | null }> {
    const dir = await mkdtemp(join(home, 'run-'));
    await writeFile(join(dir, 'config.json'), JSON.stringify(settings));
    await writeFile(join(dir, 'list.txt'), `${list.join('\n')}\n`);
    return new Promise((resolve, reject) => {
      // Under bash, whose `times` reports the CPU the command used (Node cannot read a child's rusage).
      const child = spawn('bash', ['-c', '"$@"; code=$?; times >&2; exit $code', 'bash', process.execPath, MAILPING_BIN, ...args, '--json', '--file', join(dir, 'list.txt')], {
        env: { ...process.env, MAILPING_HOME: dir, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let lines = 0;
      let stderr = '';
      let queuedAfterMs: number | null = null;
      const started = performance.now();
      child.stdout.on('data', (d: Buffer) => (lines += d.toString().split('\n').length - 1));
      child.stderr.on('data', (d) => {
        stderr += d;
        if (queuedAfterMs === null && /addresses on the queue/.test(stderr)) queuedAfterMs = performance.now() - started;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
      child.on('error', reject);
      child.on('close', (code) => {
        // bash's `times`: its own user/system time, then its children's (mailping's).
        const times = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr.trimEnd());
        if (times) onCpu?.((Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000);
        clearTimeout(timer);
        if (code !== 0 && code !== 1 && code !== 2) reject(new Error(`mailping ${args[0]} exited ${code}: ${stderr.slice(-500)}`));
        else resolve({ answered: lines, queuedAfterMs });
      });
    });
  }
}

export function renderWorkers(f: WorkersFigure): string {
  return [
    table(
      ['run', 'workers', 'addresses', 'answered', 'wall', 'on the queue after', 'per s', 'peak conns/host (cap)', 'cap violations', 'CPU/address', 'machine busy'],
      f.runs.map((r) => [
        r.what,
        r.workers === 0 ? 'local' : String(r.workers),
        String(r.addresses),
        String(r.answered),
        ms(r.wallMs),
        r.queuedAfterMs === null ? '—' : ms(r.queuedAfterMs),
        String(Math.round((r.addresses / r.wallMs) * 1000)),
        `${r.peakPerHost} (${r.connectionsPerHost})`,
        String(r.violations),
        r.cpuMsPerAddress === null ? '—' : `${r.cpuMsPerAddress.toFixed(2)} ms`,
        `${Math.round(r.machineBusy * 100)} %`,
      ]),
    ),
    '',
    `4 workers vs 1 (no cap binds): ${f.speedup.toFixed(2)}×; all domains on one MX (cap binds): ${f.oneMxSpeedup.toFixed(2)}×; queue overhead on 200 addresses: ${f.overhead.toFixed(2)}× the local run (RTT ${f.rttMs} ms).`,
  ].join('\n');
}
