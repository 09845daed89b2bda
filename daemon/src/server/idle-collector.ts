import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection once the daemon goes quiet after work (start-up, a pairing, a burst
 * of verifications). V8 collects old garbage when allocation asks for room, and its memory reducer
 * acts only after ~10 s of quiet: until then an idle daemon keeps what the last burst left
 * (~2 MB resident after start-up). The process's own CPU time tells work from quiet without a hook in every
 * front door: the check is one `process.cpuUsage()` a second.
 */
export interface IdleCollectorOptions {
  /** How often to look (ms). */
  checkMs?: number;
  /**
   * Busy CPU time worth a collection since the last one (ms): below it there is little to
   * collect. A full collection of the idle daemon's heap takes a few ms.
   */
  workMs?: number;
  /** CPU time within one check below which the process counts as quiet (ms); above, as busy. */
  quietMs?: number;
  /** The collection (a full GC by default); injected by tests. */
  collect?: () => void;
  /** The process's CPU time so far (ms); injected by tests. */
  cpuTime?: () => number;
}

export function startIdleCollector(options: IdleCollectorOptions = {}): { stop(): void } {
  const { checkMs = 1000, workMs = 50, quietMs = 5 } = options;
  const collect = options.collect ?? fullGc;
  const cpuMs = options.cpuTime ?? processCpuMs;
  let last = cpuMs();
  // Start-up counts as work: the process's CPU time so far is uncollected. Later, only busy
  // checks add to it, so an idle daemon's trickle (heartbeats) never adds up to a collection.
  let work = last;
  const timer = setInterval(() => {
    const now = cpuMs();
    const step = now - last;
    last = now;
    if (step >= quietMs) {
      work += step;
      return;
    }
    if (work < workMs) return;
    collect();
    work = 0;
    // The collection's own CPU time is not work.
    last = cpuMs();
  }, checkMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

let gc: (() => void) | null = null;

function fullGc(): void {
  if (gc === null) {
    // --expose-gc set now is seen by contexts made after it: a new one hands out `gc`.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
