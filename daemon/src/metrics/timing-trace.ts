import { appendFileSync } from 'node:fs';

/**
 * MAILPING_TRACE=FILE: timing events as JSON lines (`{"t":ms since the process started,"e":name,…}`),
 * for the bench's account of where a list's wall time goes (tests/bench/bulk-trace.ts): process
 * start, engine load, DNS, each session's connect, greeting, EHLO and flights, waits for a
 * connection slot, result commits. Unset (always, outside benches), every call is one branch.
 * Events are buffered and appended a few times a second and at exit, so tracing stays off the
 * critical path it measures.
 */
const file = process.env.MAILPING_TRACE || null;
let buffer: string[] = [];
let timer: NodeJS.Timeout | null = null;

// Only when tracing: perf_hooks (~0.4 MB resident) stays out of every other process, a daemon's above all.
const performance = file === null ? null : process.getBuiltinModule('node:perf_hooks').performance;

export function trace(event: string, fields?: Record<string, string | number | boolean | null>): void {
  if (performance === null) return;
  buffer.push(JSON.stringify({ t: Math.round(performance.now() * 100) / 100, e: event, ...fields }));
  timer ??= setTimeout(flush, 250).unref();
}

function flush(): void {
  timer = null;
  if (file === null || buffer.length === 0) return;
  const lines = buffer;
  buffer = [];
  try {
    appendFileSync(file, `${lines.join('\n')}\n`);
  } catch {
    // A trace is a bench aid: losing it must not break a verification.
  }
}

if (performance !== null) {
  process.on('exit', flush);
  // How busy this process was, every 100 ms: a session step that took longer than its round trips
  // either waited for the network and the server, or for this process's own event loop.
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const nextElu = performance.eventLoopUtilization();
    const nextCpu = process.cpuUsage();
    const used = process.cpuUsage(cpu);
    trace('loop', { elu: Math.round(performance.eventLoopUtilization(nextElu, elu).utilization * 1000) / 1000, cpuMs: Math.round((used.user + used.system) / 1000) });
    elu = nextElu;
    cpu = nextCpu;
  }, 100).unref();
}
