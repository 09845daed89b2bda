import { afterEach, describe, expect, it, vi } from 'vitest';
import { startIdleCollector } from './idle-collector';

afterEach(() => void vi.useRealTimers());

/** A collector on a CPU clock the test moves; returns how many collections it made. */
function collectorOn(startedAtMs = 0): { cpu: { ms: number }; collections: () => number; stop(): void } {
  vi.useFakeTimers();
  const cpu = { ms: startedAtMs };
  let n = 0;
  const c = startIdleCollector({ checkMs: 1000, workMs: 50, quietMs: 5, collect: () => n++, cpuTime: () => cpu.ms });
  return { cpu, collections: () => n, stop: c.stop };
}

describe('startIdleCollector', () => {
  it('collects start-up work at the first quiet check', () => {
    const c = collectorOn(300); // start-up's CPU time, spent before the collector started
    vi.advanceTimersByTime(1000);
    expect(c.collections()).toBe(1);
    c.stop();
  });

  it('waits for quiet after a burst, then collects once until more work', () => {
    const c = collectorOn();
    c.cpu.ms = 0;
    for (let i = 0; i < 3; i++) {
      c.cpu.ms += 40; // busy through three checks
      vi.advanceTimersByTime(1000);
    }
    expect(c.collections()).toBe(0);
    c.cpu.ms += 2;
    vi.advanceTimersByTime(1000);
    expect(c.collections()).toBe(1);
    for (let i = 0; i < 100; i++) {
      c.cpu.ms += 2; // heartbeats and the like: quiet seconds, however many, are not work
      vi.advanceTimersByTime(1000);
    }
    expect(c.collections()).toBe(1);
    c.cpu.ms += 60;
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000);
    expect(c.collections()).toBe(2);
    c.stop();
  });

  it('does not count a small burst as worth a collection', () => {
    const c = collectorOn();
    c.cpu.ms = 20;
    vi.advanceTimersByTime(2000);
    expect(c.collections()).toBe(0);
    c.stop();
  });
});
