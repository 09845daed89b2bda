import type { VerificationResult } from '@mailping/shared';
import type { Counter, Registry } from 'prom-client';
import type { Scheduler } from '../scheduler/types';

/**
 * Prometheus metrics of one daemon, on a registry of its own (never prom-client's global one, so
 * two daemons in one test process do not mix), made on the first scrape: until then the counters
 * tally in plain maps, and prom-client (with its OpenTelemetry dependency) stays unloaded. Counters are fed from answers as the front doors
 * and the scheduler's updates see them; gauges are read from the scheduler when scraped.
 * Domains and MX addresses are labels: their number is capped so a long tail cannot grow the
 * registry without bound; the rest count under "other".
 */
export interface DaemonMetrics {
  /** The registry, made on the first scrape: prom-client is not loaded by a daemon nobody scrapes. */
  registry(): Promise<Registry>;
  /** An answer a client got; `cached`: from the cache, no mail server asked. */
  observe(result: VerificationResult, cached: boolean): void;
}

const MAX_LABEL_VALUES = 1000;

function capped(): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= MAX_LABEL_VALUES) return 'other';
    seen.add(value);
    return value;
  };
}

type Labels = Record<string, string>;
interface CounterSpec {
  name: string;
  help: string;
  labelNames?: string[];
}

/**
 * A counter that tallies by label set until its prom-client Counter exists, then hands over.
 * The tally is bounded like the labels themselves (capped values, a fixed set of verdicts).
 */
class LazyCounter {
  private tally: Map<string, number> | null = new Map();
  private counter: Counter | null = null;

  constructor(readonly spec: CounterSpec) {}

  inc(labels: Labels = {}, by = 1): void {
    if (this.counter) {
      this.counter.inc(labels, by);
      return;
    }
    const key = JSON.stringify(labels);
    this.tally!.set(key, (this.tally!.get(key) ?? 0) + by);
  }

  attach(prom: typeof import('prom-client'), registry: Registry): void {
    this.counter = new prom.Counter({ ...this.spec, registers: [registry] });
    for (const [key, n] of this.tally!) this.counter.inc(JSON.parse(key) as Labels, n);
    this.tally = null;
  }
}

export function createDaemonMetrics(scheduler: Scheduler): DaemonMetrics {
  const verdicts = new LazyCounter({ name: 'mailping_verdicts_total', help: 'Answers given, by verdict and reason (cache hits included).', labelNames: ['verdict', 'reason'] });
  const cacheHits = new LazyCounter({ name: 'mailping_cache_hits_total', help: 'Answers taken from the cache, no mail server asked.' });
  const rcpts = new LazyCounter({ name: 'mailping_rcpt_total', help: 'RCPT commands sent, by recipient domain (catch-all probes included).', labelNames: ['domain'] });
  const sessionsPerMx = new LazyCounter({ name: 'mailping_mx_sessions_total', help: 'SMTP sessions that answered addresses, by MX IP address.', labelNames: ['mx_ip'] });
  const tempFails = new LazyCounter({ name: 'mailping_smtp_421_total', help: '421 replies (the server closing on us: rate, load), by MX IP address.', labelNames: ['mx_ip'] });
  const domain = capped();
  const mxIp = capped();
  let registry: Promise<Registry> | null = null;

  async function makeRegistry(): Promise<Registry> {
    const loaded = await import('prom-client');
    // Bundled (dist/), this CommonJS module comes back as { default: module.exports }.
    const prom = (loaded.default ?? loaded) as typeof loaded;
    const made = new prom.Registry();
    const stat = (name: string, help: string, read: () => number): void =>
      void new prom.Gauge({
        name,
        help,
        registers: [made],
        collect() {
          this.set(read());
        },
      });
    stat('mailping_queue_depth', 'Verifications waiting for the scheduler.', () => scheduler.stats().queued);
    stat('mailping_in_flight', 'Verifications being worked on.', () => scheduler.stats().inFlight);
    stat('mailping_smtp_sessions', 'SMTP sessions (domain batches) open now.', () => scheduler.stats().sessions);
    stat('mailping_greylist_retries_pending', 'Greylisted addresses waiting for their retry.', () => scheduler.stats().pendingRetries);
    for (const counter of [verdicts, cacheHits, rcpts, sessionsPerMx, tempFails]) counter.attach(prom, made);
    return made;
  }

  return {
    registry: () => (registry ??= makeRegistry()),
    observe(result, cached) {
      verdicts.inc({ verdict: result.verdict, reason: result.reason });
      if (cached) {
        cacheHits.inc();
        return;
      }
      const sent = result.transcript.filter((e) => e.dir === '>' && /^RCPT TO:/i.test(e.line)).length;
      if (sent > 0 && result.syntax.domain) rcpts.inc({ domain: domain(result.syntax.domain) }, sent);
      const ip = result.mx?.ip ?? result.smtp?.ip ?? null;
      if (ip === null) return;
      if (result.transcript.some((e) => e.dir === '*' && /^connect /.test(e.line))) sessionsPerMx.inc({ mx_ip: mxIp(ip) });
      const closed = result.transcript.filter((e) => e.dir === '<' && /^421[ -]/.test(e.line)).length;
      if (closed > 0) tempFails.inc({ mx_ip: mxIp(ip) }, closed);
    },
  };
}
