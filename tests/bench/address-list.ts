import { BENCH_DOMAINS, BENCH_KNOWN_USERS, benchTruth, type BenchTruth } from '../lab/bench-table';

/**
 * Address lists for the benches, over the lab's bench domains: half known users and half unknown
 * on the ordinary domains, anything on the catch-all ones, shuffled with a fixed seed so every
 * run (and every tool) gets the same list in the same order.
 */
export function mixedList(perDomain: number, options: { seed?: number; offset?: number } = {}): string[] {
  const random = mulberry32(options.seed ?? 42);
  const offset = options.offset ?? 0;
  const list: string[] = [];
  for (const domain of BENCH_DOMAINS) {
    for (let i = 0; i < perDomain; i++) {
      // Even i: a known user; odd i: unknown (user500 and up). Offsets keep lists of several runs apart.
      const j = offset + Math.floor(i / 2);
      const k = i % 2 === 0 ? j % BENCH_KNOWN_USERS : BENCH_KNOWN_USERS + j;
      list.push(`user${k}@${domain}`);
    }
  }
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

export function truthCounts(list: readonly string[]): Record<BenchTruth, number> {
  const counts: Record<BenchTruth, number> = { accepted: 0, mailbox_not_found: 0, catch_all: 0 };
  for (const a of list) counts[benchTruth(a)]++;
  return counts;
}

/** A small, fast, seedable PRNG (public domain), so lists do not depend on Math.random. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
