/**
 * Where a list's wall time goes, read from a MailPing timing trace (MAILPING_TRACE=FILE, written
 * by daemon/src/metrics/timing-trace.ts): the process's own steps (start, settings, first batch,
 * after the last answer), and per domain every session step against what the round-trip model
 * charges for it (connect + greeting 2 RTT, EHLO 1, a flight 1, the rest 0). What a step took
 * beyond its model is "excess": a late proxy, a server or a verifier waiting for a CPU, or a wait
 * of our own (a connection slot, the goodbye, the event loop busy committing results).
 *
 *   node --import tsx tests/bench/bulk-trace.ts TRACE.jsonl [--rtt 50]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface TraceEvent {
  t: number;
  e: string;
  domain?: string;
  mx?: string;
  w?: number;
  [key: string]: unknown;
}

export function readTrace(file: string): TraceEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceEvent)
    .sort((a, b) => a.t - b.t);
}

/** Session steps: from one event of a worker to its next, what the model charges in RTT. */
const STEPS: Record<string, { label: string; rtt: number }> = {
  'slot.wait>slot.got': { label: 'waiting for a connection slot', rtt: 0 },
  'slot.got>tcp.connected': { label: 'TCP connect (to the proxy)', rtt: 0 },
  'tcp.connected>greeted': { label: 'connect → greeting', rtt: 2 },
  'greeted>ehlo': { label: 'EHLO', rtt: 1 },
  'ehlo>flight.sent': { label: 'EHLO → first flight (CPU)', rtt: 0 },
  'flight.sent>flight.replies': { label: 'a flight (MAIL/RCPT…)', rtt: 1 },
  'flight.replies>flight.sent': { label: 'between flights (CPU)', rtt: 0 },
  'flight.replies>session.end': { label: 'last replies → session end (CPU)', rtt: 0 },
  'session.end>goodbye.awaited': { label: 'waiting for the goodbye (221, close)', rtt: 0 },
  'session.end>slot.released': { label: 'waiting for the goodbye (221, close)', rtt: 0 },
  'slot.released>goodbye.awaited': { label: 'release → next session (CPU)', rtt: 0 },
  'goodbye.awaited>slot.wait': { label: 'release → next session (CPU)', rtt: 0 },
  'slot.released>slot.wait': { label: 'release → next session (CPU)', rtt: 0 },
};

interface StepSum {
  count: number;
  ms: number;
  modelMs: number;
}

export interface TraceSummary {
  lines: string[];
  /** Per domain: SMTP start (first slot wait) → end, and its model (the busiest worker's RTTs). */
  domains: Array<{ domain: string; ms: number; modelMs: number; sessions: number; flights: number }>;
}

export function summarizeTrace(events: TraceEvent[], rttMs: number, wallMs?: number): TraceSummary {
  const lines: string[] = [];
  const first = (e: string, pred: (x: TraceEvent) => boolean = () => true) => events.find((x) => x.e === e && pred(x))?.t ?? null;
  const last = (e: string, pred: (x: TraceEvent) => boolean = () => true) => [...events].reverse().find((x) => x.e === e && pred(x))?.t ?? null;
  const f = (ms: number | null) => (ms === null ? '—' : `${Math.round(ms)} ms`);

  // The process (the CLI; the daemon has no verify.* events and is read from its first batch).
  const milestones: Array<[string, number | null]> = [
    ['process start → bundle loaded', first('bundle.loaded')],
    ['→ verify command running', first('verify.start')],
    ['→ settings, database, scheduler ready', first('verify.ready')],
    ['→ first request over the WebSocket (daemon)', first('ws.verify')],
    ['→ first batch started', first('batch.start')],
    ['→ first domain in the engine (engine + address lists loaded)', first('domain.start')],
    ['→ first DNS lookup sent', first('dns.start')],
    ['→ last DNS answer', last('dns.end')],
    ['→ last domain done with SMTP', last('smtp.end')],
    ['→ last batch committed and answered', last('batch.persisted')],
    ['→ last answer sent over the WebSocket (daemon)', last('ws.answered')],
    ['→ every answer written', first('verify.answered')],
    ['→ scheduler and database closed', first('verify.closed')],
  ];
  let prev = 0;
  lines.push('Process timeline (ms since the process started; step in parentheses):');
  for (const [label, t] of milestones) {
    if (t === null) continue;
    lines.push(`  ${label}: ${f(t)} (+${Math.round(t - prev)})`);
    prev = t;
  }
  if (wallMs !== undefined) lines.push(`  wall time measured by the bench: ${f(wallMs)}${first('verify.start') !== null ? ` (exit after the last event: ${f(wallMs - (events.at(-1)?.t ?? 0))}, spawn included)` : ''}`);

  // Per worker, step by step.
  const byWorker = new Map<number, TraceEvent[]>();
  for (const ev of events) if (ev.w !== undefined) byWorker.set(ev.w, [...(byWorker.get(ev.w) ?? []), ev]);
  const steps = new Map<string, StepSum>();
  const perDomain = new Map<string, { start: number; end: number; modelRtt: number[]; sessions: number; flights: number }>();
  for (const [, evs] of byWorker) {
    const mx = evs[0]!.mx!;
    const d = perDomain.get(mx) ?? { start: Infinity, end: 0, modelRtt: [], sessions: 0, flights: 0 };
    let rtts = 0;
    for (let i = 1; i < evs.length; i++) {
      const a = evs[i - 1]!;
      const b = evs[i]!;
      const step = STEPS[`${a.e}>${b.e}`];
      if (!step) continue;
      const s = steps.get(step.label) ?? { count: 0, ms: 0, modelMs: 0 };
      s.count++;
      s.ms += b.t - a.t;
      s.modelMs += step.rtt * rttMs;
      steps.set(step.label, s);
      rtts += step.rtt;
    }
    d.start = Math.min(d.start, evs[0]!.t);
    d.end = Math.max(d.end, evs.at(-1)!.t);
    d.modelRtt.push(rtts);
    d.sessions += evs.filter((e) => e.e === 'tcp.connected').length;
    d.flights += evs.filter((e) => e.e === 'flight.sent').length;
    perDomain.set(mx, d);
  }
  const totalExcess = [...steps.values()].reduce((a, s) => a + s.ms - s.modelMs, 0);
  lines.push(`Session steps over all domains and workers (RTT ${rttMs} ms; excess = measured − model):`);
  for (const [label, s] of [...steps].sort((a, b) => b[1].ms - b[1].modelMs - (a[1].ms - a[1].modelMs))) {
    lines.push(`  ${label}: ${s.count}×, ${Math.round(s.ms)} ms, model ${Math.round(s.modelMs)} ms, excess ${Math.round(s.ms - s.modelMs)} ms (${(((s.ms - s.modelMs) / Math.max(1, totalExcess)) * 100).toFixed(0)} %, ${((s.ms - s.modelMs) / s.count).toFixed(1)} ms each)`);
  }
  const domains = [...perDomain].map(([mx, d]) => ({
    domain: mx,
    ms: d.end - d.start,
    modelMs: Math.max(...d.modelRtt) * rttMs,
    sessions: d.sessions,
    flights: d.flights,
  }));
  domains.sort((a, b) => a.domain.localeCompare(b.domain, 'en', { numeric: true }));
  lines.push('Per MX host: SMTP from the first slot request to the last step, against the busiest worker\'s RTTs:');
  for (const d of domains) {
    lines.push(`  ${d.domain}: ${f(d.ms)} for ${Math.round(d.modelMs / rttMs)} RTT (${f(d.modelMs)}), ${d.sessions} sessions, ${d.flights} flights`);
  }
  // Batches: engine done → results committed (the event loop is busy meanwhile: other domains wait).
  let commitMs = 0;
  for (const ev of events.filter((x) => x.e === 'batch.persisted')) {
    const done = [...events].reverse().find((x) => x.e === 'batch.engine' && x.domain === ev.domain && x.t <= ev.t);
    if (done) commitMs += ev.t - done.t;
  }
  let resultsMs = 0;
  for (const ev of events.filter((x) => x.e === 'domain.results')) {
    const end = [...events].reverse().find((x) => x.e === 'smtp.end' && x.domain === ev.domain && x.t <= ev.t);
    if (end) resultsMs += ev.t - end.t;
  }
  // How busy the process itself was (100 ms samples), over the SMTP part and over the whole run.
  const smtpFrom = first('dns.start');
  const smtpTo = last('smtp.end');
  const busy = (from: number, to: number) => {
    const samples = events.filter((x) => x.e === 'loop' && x.t > from && x.t <= to + 100);
    const cpu = samples.reduce((a, x) => a + Number(x.cpuMs), 0);
    const elu = samples.length ? samples.reduce((a, x) => a + Number(x.elu), 0) / samples.length : 0;
    return `event loop ${(elu * 100).toFixed(0)} % busy, ${cpu} ms of CPU (${samples.length} samples)`;
  };
  if (smtpFrom !== null && smtpTo !== null) lines.push(`The process during SMTP (first DNS → last domain done): ${busy(smtpFrom, smtpTo)}; over the whole run: ${busy(0, events.at(-1)!.t)}.`);
  lines.push(`Building results after SMTP (classify, transcripts): ${f(resultsMs)} in all; committing and answering them: ${f(commitMs)} in all (the event loop is busy meanwhile).`);
  return { lines, domains };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rtt: { type: 'string', default: '50' } } });
  if (!positionals[0]) throw new Error('usage: bulk-trace.ts TRACE.jsonl [--rtt MS]');
  process.stdout.write(`${summarizeTrace(readTrace(positionals[0]), Number(values.rtt)).lines.join('\n')}\n`);
}
