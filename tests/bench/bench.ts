/**
 * MailPing's benchmarks, every figure of docs/benchmarks.md from one command:
 *
 *   pnpm bench          the full set (several minutes); writes docs/benchmarks.md
 *   pnpm bench:quick    small sizes, single runs (CI); prints, writes only with --write
 *
 *   node --import tsx tests/bench/bench.ts [--quick] [--write|--no-write] [--rtt 50]
 *        [--only fresh,bulk,websocket,content,memory,send,start,fuzz,server,workers] [--dns-server 127.0.0.1:PORT]
 *
 * Starts its own mail lab (waiting for a test run's to finish: the lab is one per machine) unless
 * --dns-server points at a running one, puts a latency proxy in front of each bench domain's MX,
 * and runs MailPing (CLI and daemon) and the npm peers on the same lab, the same addresses, in the
 * same run. Figures only: nothing here asserts a time.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab, type Lab } from '../lab/lab';
import { startBenchProxies, type BenchProxies } from './bench-proxies';
import { bulkFigure, renderBulk } from './fig-bulk';
import { contentDetectionFigure, renderContentDetection } from './fig-content-detection';
import { freshAddressFigure, renderFreshAddress } from './fig-fresh-address';
import { fuzzFigure, renderFuzz } from './fig-fuzz';
import { memoryFigure, renderMemory } from './fig-memory';
import { renderSendLatency, sendLatencyFigure } from './fig-send-latency';
import { renderServer, serverFigure } from './fig-server';
import { renderStart, startFigure } from './fig-start';
import { renderWebSocket, webSocketFigure } from './fig-websocket';
import { renderWorkers, workersFigure } from './fig-workers';
import { describeMachine } from './machine';
import { checkTargets, DOC, renderResults, renderTargets, writeResults, type BenchResults } from './report';
import { ms } from './stats';

const FIGURES = ['fresh', 'bulk', 'websocket', 'content', 'memory', 'send', 'start', 'fuzz', 'server', 'workers'] as const;
type FigureName = (typeof FIGURES)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean', default: false },
    rtt: { type: 'string', default: '50' },
    only: { type: 'string' },
    'dns-server': { type: 'string' },
    seed: { type: 'string' },
  },
});
const quick = values.quick === true;
const write = values['no-write'] ? false : (values.write ?? !quick);
const rttMs = Number(values.rtt);
const only = new Set<FigureName>(values.only ? (values.only.split(',') as FigureName[]) : FIGURES);
for (const f of only) if (!FIGURES.includes(f)) throw new Error(`--only: unknown figure ${f} (${FIGURES.join(', ')})`);

/** Sizes: full, or quick for CI. */
const SIZE = quick
  ? { serverFreshRuns: 5, serverCached: 200, serverClients: 100, serverHoldMs: 1000, freshRuns: 1, bulkPerDomain: 100, bulkSmallPerDomain: 7, bulkRuns: 1, wsRequests: 300, wsClients: 100, wsRounds: 2, contentRuns: 5, memoryPerDomain: 100, memoryPhases: 2, sendRuns: 30, startRuns: 5, fuzzRuns: 2000, liveFuzzRuns: 50, workersPerDomain: 100 }
  : { serverFreshRuns: 30, serverCached: 2000, serverClients: 1000, serverHoldMs: 10_000, freshRuns: 5, bulkPerDomain: 100, bulkSmallPerDomain: 7, bulkRuns: 3, wsRequests: 2000, wsClients: 1000, wsRounds: 5, contentRuns: 40, memoryPerDomain: 1000, memoryPhases: 4, sendRuns: 300, startRuns: 20, fuzzRuns: 200_000, liveFuzzRuns: 2000, workersPerDomain: 1000 };

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const command = quick ? 'pnpm bench:quick' : 'pnpm bench';

const started = performance.now();
const results: BenchResults = { quick, command, rttMs, machine: describeMachine(), commit: gitCommit(), durationMs: 0, failures: [] };
let lab: Lab | null = null;
let proxies: BenchProxies | null = null;

/** One figure: printed as soon as it is measured; a failure is reported and the bench goes on. */
async function figure<T>(name: FigureName, title: string, measure: () => Promise<T>, render: (value: T) => string): Promise<T | undefined> {
  if (!only.has(name)) return undefined;
  say(`\n== ${title}`);
  const t0 = performance.now();
  try {
    const value = await measure();
    say(render(value));
    say(`(${ms(performance.now() - t0)})`);
    return value;
  } catch (error) {
    const message = `${title}: ${(error as Error).message.split('\n')[0]}`;
    results.failures.push(message);
    say(`NOT MEASURED: ${(error as Error).stack ?? message}`);
    return undefined;
  }
}

try {
  let dnsServer = values['dns-server'];
  if (!dnsServer) {
    lab = await startLab({ dir: join(tmpdir(), `mailping-bench-lab-${process.pid}`) });
    dnsServer = lab.dnsServer;
  }
  proxies = await startBenchProxies(rttMs);
  say(`MailPing benchmarks${quick ? ' (quick)' : ''}: lab DNS ${dnsServer}, latency proxies with RTT ${rttMs} ms on 127.0.27.1-10:25`);
  const dns = dnsServer;
  const px = proxies;
  const log = (line: string): void => say(line);

  results.fresh = await figure('fresh', '1. One fresh address', () => freshAddressFigure(dns, px, SIZE.freshRuns), renderFreshAddress);
  results.bulk = await figure('bulk', `2. ${SIZE.bulkPerDomain * 10} addresses over 10 domains`, () => bulkFigure(dns, px, { perDomain: SIZE.bulkPerDomain, smallPerDomain: SIZE.bulkSmallPerDomain, runs: SIZE.bulkRuns, log }), renderBulk);
  results.websocket = await figure(
    'websocket',
    '3. Cached answers through the WebSocket',
    () => webSocketFigure(dns, { requests: SIZE.wsRequests, clients: SIZE.wsClients, rounds: SIZE.wsRounds }),
    renderWebSocket,
  );
  results.content = await figure('content', '4. Content-script detection', () => contentDetectionFigure(SIZE.contentRuns), renderContentDetection);
  results.memory = await figure('memory', '5. Daemon memory', () => memoryFigure(dns, px, { perDomain: SIZE.memoryPerDomain, phases: SIZE.memoryPhases, log }), renderMemory);
  results.send = await figure('send', '6. A clean Send in webmail (the warning before a bounce)', () => sendLatencyFigure(dns, SIZE.sendRuns), renderSendLatency);
  results.start = await figure('start', '7. Start-up time of `mailping`', () => startFigure(dns, SIZE.startRuns), renderStart);
  results.fuzz = await figure(
    'fuzz',
    'Fuzzing',
    () => fuzzFigure(dns, { runs: SIZE.fuzzRuns, liveRuns: SIZE.liveFuzzRuns, ...(values.seed !== undefined && { seed: Number(values.seed) }) }),
    renderFuzz,
  );
  results.server = await figure(
    'server',
    '8. Server mode',
    () => serverFigure(dns, { freshRuns: SIZE.serverFreshRuns, cachedRequests: SIZE.serverCached, clients: SIZE.serverClients, holdMs: SIZE.serverHoldMs }),
    renderServer,
  );
  results.workers = await figure(
    'workers',
    `9. Lists through the queue: ${(SIZE.workersPerDomain * 10).toLocaleString('en')} addresses over 4 workers`,
    () => workersFigure(dns, px, { bigPerDomain: SIZE.workersPerDomain, log }),
    renderWorkers,
  );
} finally {
  await proxies?.close();
  await lab?.stop({ removeDir: true });
}

results.durationMs = performance.now() - started;
say(`\n== Targets\n${renderTargets(checkTargets(results))}`);
if (results.failures.length > 0) say(`\nNot measured: ${results.failures.join('; ')}`);
if (write) {
  writeResults(renderResults(results));
  say(`\nwrote ${DOC}`);
}
say(`\ndone in ${ms(results.durationMs)}`);
// A figure that could not be measured is a failed bench run (CI notices); a missed target is not.
process.exitCode = results.failures.length > 0 ? 1 : 0;

/** The commit being measured, or undefined outside a git checkout. */
function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
