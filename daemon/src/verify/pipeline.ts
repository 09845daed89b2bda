import { parseAddress, type DnsStage, type ParsedAddress, type VerificationResult } from '@mailping/shared';
import pLimit from 'p-limit';
import { trace } from '../metrics/timing-trace';
import { buildResult, syntaxFailureResult } from './build-result';
import { loadAddressLists } from './flags';
import { classifyDns, classifySmtp } from './classify/classify';
import { createResolver, lookupMx, type MxLookup, type MxResolver } from './dns/mx-lookup';
import { HostLimiter } from './host-limiter';
import { classifyNotAsked } from './not-asked';
import { resolveOptions, type VerifierOptions } from './options';
import { SmtpFailureError } from './smtp/failure';
import { runSmtpBatch, type BatchOutcome, type MoreAddresses, type MxTarget, type RecipientOutcome, type SmtpPhase } from './smtp/session';

export type ProgressStage = 'dns' | SmtpPhase | 'done';

export interface VerifyHooks {
  signal?: AbortSignal;
  /** Stage changes per address (normalized form), for progress displays. */
  onProgress?: (address: string, stage: ProgressStage) => void;
  /** Each result as soon as it is known (input order is kept by the returned array). */
  onResult?: (result: VerificationResult, index: number) => void;
  /** What another process already knows about this domain's catch-all (verifyDomain): no probe then. */
  knownCatchAll?: boolean | null;
  /**
   * verifyDomain: addresses of the domain that arrived after the call; the running sessions ask
   * them too (up to what the batch was sized for), and the returned map answers them as well.
   */
  more?: MoreAddresses;
}

export interface Verifier {
  readonly options: VerifierOptions;
  /** Verifies addresses as typed by people: syntax, DNS and SMTP, in input order. */
  verify(inputs: string[], hooks?: VerifyHooks): Promise<VerificationResult[]>;
  /** Verifies already-parsed addresses of one domain in as few sessions as its server allows. */
  verifyDomain(domain: string, addresses: ParsedAddress[], hooks?: VerifyHooks): Promise<Map<string, VerificationResult>>;
}

const CATCH_ALL_TTL_MS = 60 * 60_000;
const RETRY_AFTER_TEMPORARY_MS = 15 * 60_000;

/**
 * The engine, read top to bottom: syntax → DNS → SMTP → classification, with early returns.
 * One verifier shares its resolver, its per-host connection limits and what it learnt about
 * catch-all domains across calls.
 */
export function createVerifier(overrides: Partial<VerifierOptions> = {}): Verifier {
  const options = resolveOptions(overrides);
  const resolver: MxResolver =
    options.resolver ?? createResolver({ servers: options.dnsServers, timeoutMs: options.dnsTimeoutMs, tries: options.dnsTries });
  const limiter = new HostLimiter(options.maxConnectionsPerHost);
  const catchAll = new Map<string, { value: boolean; at: number }>();

  async function verifyDomain(
    domain: string,
    addresses: ParsedAddress[],
    hooks: VerifyHooks = {},
    startedAt = performance.now(),
  ): Promise<Map<string, VerificationResult>> {
    const progress = (list: string[], stage: ProgressStage): void => list.forEach((a) => hooks.onProgress?.(a, stage));
    const all = addresses.map((a) => a.normalized);
    const results = new Map<string, VerificationResult>();

    trace('domain.start', { domain, n: addresses.length });
    await loadAddressLists(); // once per process, for the results' flags
    progress(all, 'dns');
    const dnsStart = performance.now();
    trace('dns.start', { domain });
    const lookup = await lookupMx(domain, resolver, options.random);
    const dnsMs = round(performance.now() - dnsStart);
    trace('dns.end', { domain });
    const dns = dnsStage(lookup);

    if (lookup.kind !== 'mx') {
      const classification = classifyDns(lookup);
      for (const a of addresses) {
        results.set(a.normalized, buildResult(a, {
          classification,
          dns,
          smtp: null,
          mx: null,
          reply: null,
          transcript: [],
          timings: { syntaxMs: 0, dnsMs, smtpMs: null, totalMs: round(performance.now() - startedAt) },
          retryAt: classification.reason === 'dns_error' ? new Date(Date.now() + RETRY_AFTER_TEMPORARY_MS) : null,
        }));
      }
      progress(all, 'done');
      return results;
    }

    const targets: MxTarget[] = lookup.mx.flatMap((m) => m.addresses.map((ip) => ({ host: m.host, ip, preference: m.preference })));
    const known = catchAll.get(domain);
    const knownCatchAll = hooks.knownCatchAll ?? (known && Date.now() - known.at < CATCH_ALL_TTL_MS ? known.value : null);
    const smtpStart = performance.now();
    // Newcomers taken by the running sessions are answered with the rest.
    const asked = [...addresses];
    const more: MoreAddresses | undefined = hooks.more
      ? (max, accepts) => {
          const got = hooks.more!(max, accepts);
          asked.push(...got);
          return got;
        }
      : undefined;
    const batch = await runDomain(targets, addresses, options.probeCatchAll && knownCatchAll === null, { ...hooks, ...(more && { more }) }, startedAt);
    const smtpMs = round(performance.now() - smtpStart);
    trace('smtp.end', { domain, connections: batch.connections });
    const domainCatchAll = batch.catchAll ?? knownCatchAll;
    if (batch.catchAll !== null) catchAll.set(domain, { value: batch.catchAll, at: Date.now() });

    const deferralUntil = batch.deferral ? new Date(Date.now() + options.deferralBackoffMs) : null;
    for (const a of asked) {
      const outcome = batch.recipients.get(a.normalized);
      if (!outcome) continue;
      const classification = outcome.notAsked ? classifyNotAsked(outcome.notAsked) : classifySmtp(outcome, domainCatchAll);
      const deferred = batch.deferral && deferralUntil && wasDeferred(outcome) ? batch.deferral : null;
      const temporary = classification.reason === 'greylisted' || classification.reason === 'temporary_failure';
      results.set(a.normalized, buildResult(a, {
        classification,
        dns,
        smtp: {
          host: outcome.target?.host ?? null,
          ip: outcome.target?.ip ?? null,
          port: options.port,
          tls: outcome.tls,
          pipelining: outcome.pipelining,
          catchAll: domainCatchAll,
          roundTrips: outcome.roundTrips,
          connections: batch.connections,
          ...(outcome.failure && !outcome.reply ? { error: { code: outcome.failure.failure, message: outcome.failure.message } } : {}),
          ...(deferred && deferralUntil
            ? { deferral: { host: deferred.host, ip: deferred.ip, code: deferred.reply?.code ?? null, until: deferralUntil.toISOString() } }
            : {}),
        },
        mx: outcome.target ? { host: outcome.target.host, ip: outcome.target.ip } : null,
        reply: outcome.reply
          ? { code: outcome.reply.code, enhanced: outcome.reply.enhanced, text: outcome.reply.text, command: outcome.command ?? 'connection' }
          : null,
        transcript: outcome.transcript,
        timings: { syntaxMs: 0, dnsMs, smtpMs, totalMs: round(performance.now() - startedAt) },
        retryAt: deferred
          ? deferralUntil
          : temporary
            ? new Date(Date.now() + (classification.reason === 'greylisted' ? options.greylistRetryMs : RETRY_AFTER_TEMPORARY_MS))
            : null,
      }));
    }
    progress(asked.map((a) => a.normalized), 'done');
    trace('domain.results', { domain, n: results.size });
    return results;
  }

  async function runDomain(
    targets: MxTarget[],
    addresses: ParsedAddress[],
    probe: boolean,
    hooks: VerifyHooks,
    startedAt: number,
  ): Promise<BatchOutcome> {
    // Large lists of one domain run on up to `maxConnectionsPerHost` sessions side by side, all
    // fed from one queue; small ones (the common case) share one session.
    const perSession = Math.max(1, options.errorBudget - 1);
    const sessions = Math.max(1, Math.min(options.maxConnectionsPerHost, Math.ceil(addresses.length / perSession)));
    // One deadline per round of sessions the list needs: 30 unknown addresses take four.
    const rounds = Math.max(1, Math.ceil(addresses.length / sessions / perSession));
    const deadline = new AbortController();
    const limitMs = options.timeoutMs * rounds;
    const timer = setTimeout(() => deadline.abort(new SmtpFailureError('deadline', `gave up after ${limitMs / 1000} s`)), limitMs);
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, deadline.signal]) : deadline.signal;
    try {
      return await runSmtpBatch(
        targets,
        addresses,
        { ...options, probeCatchAll: probe, acquireSlot: options.acquireSlot ?? ((ip, s) => limiter.acquire(ip, s)) },
        { signal, startedAt, onPhase: (list, phase) => list.forEach((a) => hooks.onProgress?.(a, phase)), ...(hooks.more && { more: hooks.more }) },
        sessions,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async function verify(inputs: string[], hooks: VerifyHooks = {}): Promise<VerificationResult[]> {
    const startedAt = performance.now();
    const results: Array<VerificationResult | undefined> = new Array(inputs.length);
    const byDomain = new Map<string, ParsedAddress[]>();
    const indexes = new Map<string, number[]>();

    for (const [i, input] of inputs.entries()) {
      const syntaxStart = performance.now();
      const parsed = parseAddress(input);
      const syntaxMs = round(performance.now() - syntaxStart);
      if (!parsed.ok) {
        results[i] = syntaxFailureResult(input.trim(), parsed.error, { syntaxMs, dnsMs: null, smtpMs: null, totalMs: syntaxMs });
        hooks.onResult?.(results[i]!, i);
        continue;
      }
      const { normalized, domain } = parsed.address;
      // The same address twice in one call is asked once.
      if (!indexes.has(normalized)) {
        indexes.set(normalized, []);
        const sameDomain = byDomain.get(domain);
        if (sameDomain) sameDomain.push(parsed.address);
        else byDomain.set(domain, [parsed.address]);
      }
      indexes.get(normalized)!.push(i);
    }

    const limit = pLimit(options.concurrency);
    await Promise.all(
      [...byDomain].map(([domain, addresses]) =>
        limit(async () => {
          const done = await verifyDomain(domain, addresses, hooks, startedAt);
          for (const [normalized, result] of done) {
            for (const i of indexes.get(normalized) ?? []) {
              results[i] = { ...result, address: inputs[i]!.trim() };
              hooks.onResult?.(results[i]!, i);
            }
          }
        }),
      ),
    );
    return results.map((r, i) => r ?? missingResult(inputs[i]!));
  }

  return {
    options,
    verify,
    verifyDomain: (domain, addresses, hooks) => verifyDomain(domain, addresses, hooks),
  };
}

/** The deferral is this address's business: it was not answered, or its own RCPT got the 421. */
function wasDeferred(outcome: RecipientOutcome): boolean {
  if (outcome.evidence === 'not_asked') return true;
  if (outcome.reply?.code === 421) return true;
  return outcome.evidence === 'session' && outcome.failure?.failure === 'connection_closed';
}

function dnsStage(lookup: MxLookup): DnsStage {
  switch (lookup.kind) {
    case 'mx':
      return { mx: lookup.mx, implicitMx: lookup.implicit, nullMx: false };
    case 'null_mx':
      return { mx: [], implicitMx: false, nullMx: true };
    case 'dns_error':
      return { mx: [], implicitMx: false, nullMx: false, error: { code: lookup.code, message: lookup.message } };
    default:
      return { mx: [], implicitMx: false, nullMx: false, error: { code: lookup.kind, message: lookup.message } };
  }
}

/** Never expected: every parsed address gets a result. Kept so a bug shows as a result, not a crash. */
function missingResult(input: string): VerificationResult {
  const result = syntaxFailureResult(input.trim(), { code: 'empty', message: 'internal error: no result was produced' }, {
    syntaxMs: 0,
    dnsMs: null,
    smtpMs: null,
    totalMs: 0,
  });
  return { ...result, verdict: 'unknown', reason: 'protocol_error' };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export type { MxResolver };
