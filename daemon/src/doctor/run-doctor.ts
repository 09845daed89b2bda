import net from 'node:net';
import { SmtpFailureError } from '../verify/smtp/failure';
import { parseSocksUrl } from '../verify/smtp/socks-dialer';
import { checkBlocklists, heloPtrMismatch } from './check-blocklists';
import { checkDns, type DnsCheck, type DnsProbe } from './check-dns';
import { checkHelo } from './check-helo';
import { checkPort25, type Port25Check } from './check-port25';
import { checkReverseDns } from './check-reverse-dns';
import { checkSocks } from './check-socks';
import type { CheckResult, DoctorDeps } from './types';

export interface DoctorConfig {
  dnsServers: string[];
  /** The mail server to try, as the user named it (`--mx`); otherwise `domain`'s best MX. */
  mx?: { host: string; port: number };
  /** A domain whose MX surely exists: what the DNS and port-25 checks use without --mx. */
  domain: string;
  helo: string;
  /** false: `helo` is this machine's host name, not a configured one. */
  heloConfigured: boolean;
  socksProxy: string | null;
  connectTimeoutMs: number;
  replyTimeoutMs: number;
  /** Nothing runs longer than this, whatever the network does. */
  deadlineMs: number;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
  /** Each distinct piece of advice, in check order. */
  advice: string[];
  durationMs: number;
}

/**
 * Runs the checks that decide whether verification can work from here. DNS and the proxy first
 * (side by side), then one SMTP conversation with a known mail server (which may tell us our
 * public IP), then the HELO name and reverse DNS. Each check has its own timeout and the whole
 * run a deadline, so an offline machine gets its answer in seconds.
 */
export async function runDoctor(config: DoctorConfig, deps: DoctorDeps): Promise<DoctorReport> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new SmtpFailureError('deadline', `the doctor ran out of time (${config.deadlineMs} ms)`)), config.deadlineMs);
  try {
    return await runChecks(config, deps, stop.signal, now, started);
  } finally {
    clearTimeout(timer);
  }
}

async function runChecks(config: DoctorConfig, deps: DoctorDeps, deadline: AbortSignal, now: () => number, started: number): Promise<DoctorReport> {
  const timed = async <T extends Omit<CheckResult, 'durationMs'>>(run: () => Promise<T>): Promise<T & { durationMs: number }> => {
    const t = now();
    const result = await run();
    return { ...result, durationMs: Math.round(now() - t) };
  };

  const mxIsAddress = config.mx !== undefined && net.isIP(config.mx.host) !== 0;
  const probe: DnsProbe = config.mx && !mxIsAddress ? { kind: 'host', host: config.mx.host } : { kind: 'mx', domain: config.domain };
  const [dns, socks] = await Promise.all([
    timed(() => checkDns(deps.resolver, probe, config.dnsServers)),
    timed(() => checkSocks(config.socksProxy, { connect: deps.connect, timeoutMs: config.connectTimeoutMs, signal: deadline })),
  ]);

  const port25 = await timed(() => tryPort25(config, deps, dns, socks.status === 'fail', deadline, mxIsAddress));
  const publicIp = port25.seenAs;
  const [heloCheck, reverseCheck, blocklists] = await Promise.all([
    timed(() => checkHelo(deps.resolver, config.helo, { configured: config.heloConfigured, resolverWorks: dns.resolverWorks, ...(publicIp !== undefined && { publicIp }) })),
    timed(() =>
      checkReverseDns(deps.resolver, publicIp, {
        resolverWorks: dns.resolverWorks,
        ...(port25.status !== 'ok' && { why: 'public IP unknown: no mail server answered (MailPing asks no third-party service)' }),
      }),
    ),
    timed(() => checkBlocklists(deps.resolver, publicIp, { resolverWorks: dns.resolverWorks })),
  ]);
  const { ptrName, ...reverse } = reverseCheck;
  const mismatch = heloCheck.status === 'ok' ? heloPtrMismatch(config.helo, ptrName, publicIp) : null;
  const helo: CheckResult = mismatch ? { ...heloCheck, status: 'warn', ...mismatch } : heloCheck;

  const checks: CheckResult[] = [strip(dns), socks, strip(port25), helo, reverse, blocklists];
  const advice = [...new Set(checks.flatMap((c) => (c.advice && c.status !== 'ok' ? [c.advice] : [])))];
  return { ok: checks.every((c) => c.status !== 'fail'), checks, advice, durationMs: Math.round(now() - started) };
}

async function tryPort25(
  config: DoctorConfig,
  deps: DoctorDeps,
  dns: DnsCheck,
  proxyBroken: boolean,
  signal: AbortSignal,
  mxIsAddress: boolean,
): Promise<Port25Check> {
  const port = config.mx?.port ?? 25;
  const base = { id: 'port25', title: `port ${port}` } as const;
  if (proxyBroken) return { ...base, status: 'skipped', summary: 'not tried: the SOCKS proxy does not work' };
  const target = mxIsAddress ? { host: config.mx!.host, ip: config.mx!.host } : dns.target;
  if (!target) {
    if (config.mx && dns.resolverWorks) {
      return { ...base, status: 'fail', summary: `cannot try ${config.mx.host}: ${dns.noTarget ?? 'no address'}`, advice: 'check the name given with --mx' };
    }
    return { ...base, status: 'skipped', summary: `no mail server to try: ${dns.noTarget ?? 'none found'}` };
  }
  const proxy = config.socksProxy ? parseSocksUrl(config.socksProxy) : null;
  return checkPort25(
    { ...target, port },
    {
      dial: deps.dial,
      helo: config.helo,
      connectTimeoutMs: config.connectTimeoutMs,
      replyTimeoutMs: config.replyTimeoutMs,
      signal,
      ...(proxy?.ok && { proxy: proxy.proxy.label }),
    },
  );
}

/** The report keeps only the fields every check has. */
function strip<T extends CheckResult>(check: T): CheckResult {
  const { id, title, status, summary, advice, durationMs } = check;
  return { id, title, status, summary, ...(advice !== undefined && { advice }), durationMs };
}
