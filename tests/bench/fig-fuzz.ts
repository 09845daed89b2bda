import { fuzzFrames, type FrameFuzzOutcome } from '../robustness/frame-fuzzer';
import { FUZZ_TARGETS, runTarget, type FuzzOutcome } from '../robustness/fuzz-targets';
import { startDaemonSession } from './mailping-runs';
import { ms, table } from './stats';

/**
 * The large fuzz run: every target of tests/robustness/fuzz-targets.ts (the CI suite runs the
 * same targets a few thousand times), then random frames at a live daemon. Seeds are printed so a
 * failure can be replayed (fast-check's `seed` option).
 */
export interface FuzzFigure {
  targets: FuzzOutcome[];
  live: Array<FrameFuzzOutcome & { label: string }>;
}

export async function fuzzFigure(dnsServer: string, options: { runs: number; liveRuns: number; seed?: number }): Promise<FuzzFigure> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const targets = FUZZ_TARGETS.map((t, i) => runTarget(t, options.runs, seed + i));
  const session = await startDaemonSession(dnsServer, { requestsPerMinute: 10_000_000, maxPendingPerClient: 1000 });
  const live: FuzzFigure['live'] = [];
  try {
    for (const [label, token] of [
      ['live daemon, random frames before hello', null],
      ['live daemon, random frames after hello', session.token],
    ] as const) {
      live.push({ label, ...(await fuzzFrames({ port: session.daemon.port, token, numRuns: options.liveRuns, seed })) });
    }
  } finally {
    await session.stop();
  }
  return { targets, live };
}

export function renderFuzz(f: FuzzFigure): string {
  const rows = [
    ...f.targets.map((t) => [t.name, t.runs.toLocaleString('en'), ms(t.ms), `${Math.round(t.runs / (t.ms / 1000)).toLocaleString('en')}/s`, String(t.seed), t.failed ? `FAILED: ${t.report?.split('\n')[0]}` : 'held']),
    ...f.live.map((l) => [
      `${l.label} (${l.framesSent.toLocaleString('en')} frames sent, ${l.framesReceived.toLocaleString('en')} answers, closes: ${Object.entries(l.closes).map(([c, n]) => `${n}× ${c}`).join(', ') || 'none'})`,
      l.runs.toLocaleString('en'),
      ms(l.ms),
      `${Math.round(l.runs / (l.ms / 1000)).toLocaleString('en')}/s`,
      String(l.seed),
      l.failed ? `FAILED: ${l.report?.split('\n')[0]}` : 'held',
    ]),
  ];
  return table(['target', 'runs', 'time', 'runs/s', 'seed', 'property'], rows);
}
