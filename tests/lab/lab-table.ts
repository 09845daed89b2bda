/**
 * The mail lab's address plan, as data. The DNS zone, the Postfix configuration and the engine's
 * test suite are all derived from (or asserted against) these tables, so a change here is a
 * change of the lab's contract.
 */
import type { REASONS, Reason } from '@mailping/shared';
import { BENCH_DOMAIN_COUNT, benchDomain, benchMxAddress } from './bench-table';

/** scripted-1.test … scripted-N.test (see scriptedServerAddress). */
const SCRIPTED_DOMAIN_COUNT = 30;

/** Every name the lab's DNS answers with an A record (name → IPv4 address). */
export const LAB_HOSTS: Readonly<Record<string, string>> = {
  'mx1.valid.test': '127.0.25.10',
  'mx2.valid.test': '127.0.25.11',
  'dead.fallback.test': '127.0.25.99',
  'live.fallback.test': '127.0.25.10',
  'mx.catchall.test': '127.0.25.12',
  'mx.greylist.test': '127.0.25.13',
  'nomx.test': '127.0.25.14',
  'mx.refused.test': '127.0.25.99',
  'mx.silent.test': '127.0.25.98',
  'mx.tempfail.test': '127.0.25.15',
  'mx.plain.test': '127.0.25.16',
  'mx.tls.test': '127.0.25.17',
  'mx.blocked.test': '127.0.25.18',
  'mx.nocodes.test': '127.0.25.19',
  'mx.strict.test': '127.0.25.20',
  // The engine recognises *.yahoodns.net exchangers as accept-all; this one leads to the
  // catch-all Postfix listener.
  'mta5.am0.yahoodns.net': '127.0.25.12',
  ...Object.fromEntries(
    Array.from({ length: SCRIPTED_DOMAIN_COUNT }, (_, i) => [`mx.scripted-${i + 1}.test`, `127.0.26.${i + 1}`]),
  ),
  // Latency proxies of the benches (bench-table.ts); nothing listens there unless one runs.
  ...Object.fromEntries(Array.from({ length: BENCH_DOMAIN_COUNT }, (_, i) => [`mx.${benchDomain(i + 1)}`, benchMxAddress(i + 1)])),
};

export interface LabMx {
  host: string;
  preference: number;
}

/**
 * MX records per domain. `null` is a null MX (RFC 7505, `MX 0 .`). Domains absent here have no
 * MX record; whether the name exists at all then depends on LAB_HOSTS / LAB_TXT.
 */
export const LAB_MX: Readonly<Record<string, readonly LabMx[] | null>> = {
  'valid.test': [
    { host: 'mx1.valid.test', preference: 10 },
    { host: 'mx2.valid.test', preference: 20 },
  ],
  'fallback.test': [
    { host: 'dead.fallback.test', preference: 10 },
    { host: 'live.fallback.test', preference: 20 },
  ],
  'catchall.test': [{ host: 'mx.catchall.test', preference: 10 }],
  'greylist.test': [{ host: 'mx.greylist.test', preference: 10 }],
  'nullmx.test': null,
  'badmx.test': [{ host: 'ghost.badmx.test', preference: 10 }],
  'refused.test': [{ host: 'mx.refused.test', preference: 10 }],
  'silent.test': [{ host: 'mx.silent.test', preference: 10 }],
  'tempfail.test': [{ host: 'mx.tempfail.test', preference: 10 }],
  'plain.test': [{ host: 'mx.plain.test', preference: 10 }],
  'tls.test': [{ host: 'mx.tls.test', preference: 10 }],
  'blocked.test': [{ host: 'mx.blocked.test', preference: 10 }],
  'nocodes.test': [{ host: 'mx.nocodes.test', preference: 10 }],
  'strict.test': [{ host: 'mx.strict.test', preference: 10 }],
  'yahoo-like.test': [{ host: 'mta5.am0.yahoodns.net', preference: 10 }],
  ...Object.fromEntries(
    Array.from({ length: SCRIPTED_DOMAIN_COUNT }, (_, i) => [
      `scripted-${i + 1}.test`,
      [{ host: `mx.scripted-${i + 1}.test`, preference: 10 }],
    ]),
  ),
  ...Object.fromEntries(
    Array.from({ length: BENCH_DOMAIN_COUNT }, (_, i) => [benchDomain(i + 1), [{ host: `mx.${benchDomain(i + 1)}`, preference: 10 }]]),
  ),
};

/** TXT records, used only so that a name exists without any mail-related record. */
export const LAB_TXT: Readonly<Record<string, string>> = {
  'nomail.test': 'v=spf1 -all',
};

/**
 * Zones whose queries the lab's DNS forwards to an in-process responder that answers SERVFAIL
 * (dnsmasq cannot produce SERVFAIL by itself).
 */
export const LAB_SERVFAIL_ZONES: readonly string[] = ['servfail.test'];

/** Zones the lab's DNS is authoritative for: any other name inside them is NXDOMAIN. */
export const LAB_ZONES: readonly string[] = ['test', 'yahoodns.net'];

/** Addresses where a lab server listens on port 25 (what the lab binds, and what it checks is free). */
export const LAB_SMTP_ADDRESSES = {
  valid1: '127.0.25.10',
  valid2: '127.0.25.11',
  catchall: '127.0.25.12',
  greylist: '127.0.25.13',
  nomx: '127.0.25.14',
  tempfail: '127.0.25.15',
  plain: '127.0.25.16',
  tls: '127.0.25.17',
  blocked: '127.0.25.18',
  nocodes: '127.0.25.19',
  strict: '127.0.25.20',
  silent: '127.0.25.98',
} as const;

/** Nothing ever listens here: connections are refused. */
export const LAB_REFUSED_ADDRESS = '127.0.25.99';

/**
 * Tests start their own scripted SMTP server on 127.0.26.N:25 for scripted-N.test: N 1-9 belong to
 * tests/engine, 10-19 to tests/scheduler, 20-29 to tests/robustness, 30 to
 * tests/engine/corpus-replay.test.ts, so files running side by side never share one.
 */
export function scriptedServerAddress(n: number): string {
  return `127.0.26.${n}`;
}

/** A row's verdict must be the one the shared contract gives its reason (checked by tsc). */
export type LabCase = {
  [R in Reason]: { address: string; verdict: (typeof REASONS)[R]['verdict']; reason: R; what: string };
}[Reason];

/** One row per behaviour: what the engine should answer for the address, in this lab. */
export const LAB_CASES: readonly LabCase[] = [
  { address: 'alice@valid.test', verdict: 'deliverable', reason: 'accepted', what: 'existing mailbox on the preferred MX (mx1, 127.0.25.10)' },
  { address: 'bob@valid.test', verdict: 'deliverable', reason: 'accepted', what: 'second existing mailbox, same domain (several RCPTs in one session)' },
  { address: 'first.last@valid.test', verdict: 'deliverable', reason: 'accepted', what: 'dotted local part' },
  { address: 'jörg@valid.test', verdict: 'deliverable', reason: 'accepted', what: 'UTF-8 local part: needs the SMTPUTF8 keyword and MAIL parameter' },
  { address: 'nobody@valid.test', verdict: 'undeliverable', reason: 'mailbox_not_found', what: '550 5.1.1 User unknown in virtual mailbox table' },
  { address: 'full@valid.test', verdict: 'risky', reason: 'mailbox_full', what: '452 4.2.2 Mailbox full at RCPT' },
  { address: 'disabled@valid.test', verdict: 'undeliverable', reason: 'mailbox_disabled', what: '550 5.2.1 Mailbox disabled at RCPT' },
  { address: 'alice@fallback.test', verdict: 'deliverable', reason: 'accepted', what: 'first MX (127.0.25.99) refuses connections; the second MX answers' },
  { address: 'anyone-at-all@catchall.test', verdict: 'risky', reason: 'catch_all', what: 'catch-all domain: the random-address probe is accepted too' },
  { address: 'alice@greylist.test', verdict: 'unknown', reason: 'greylisted', what: 'first attempt of a new triplet gets 450 4.2.0 Greylisted; the same RCPT after greylistDelaySeconds gets 250' },
  { address: 'nobody@greylist.test', verdict: 'undeliverable', reason: 'mailbox_not_found', what: 'unknown users are rejected with 550 5.1.1 before the greylist check' },
  { address: 'alice@nullmx.test', verdict: 'undeliverable', reason: 'null_mx', what: 'MX 0 . (RFC 7505): never connect' },
  { address: 'alice@nomx.test', verdict: 'deliverable', reason: 'accepted', what: 'no MX, A record 127.0.25.14 is the implicit MX (RFC 5321 §5.1)' },
  { address: 'alice@nomail.test', verdict: 'undeliverable', reason: 'no_mail_server', what: 'name exists (TXT only) but has no MX, A or AAAA' },
  { address: 'alice@badmx.test', verdict: 'undeliverable', reason: 'no_mail_server', what: 'the only MX host does not resolve (NXDOMAIN)' },
  { address: 'alice@nosuchdomain.test', verdict: 'undeliverable', reason: 'no_such_domain', what: 'NXDOMAIN' },
  { address: 'alice@servfail.test', verdict: 'unknown', reason: 'dns_error', what: 'the MX lookup answers SERVFAIL' },
  { address: 'alice@refused.test', verdict: 'unknown', reason: 'connection_failed', what: 'the only MX (127.0.25.99) refuses connections' },
  { address: 'alice@silent.test', verdict: 'unknown', reason: 'timeout', what: 'the MX accepts the connection and never sends a greeting' },
  { address: 'alice@tempfail.test', verdict: 'unknown', reason: 'temporary_failure', what: 'the MX greets with "421 4.7.0 mx.tempfail.test Error: too many connections from 127.0.0.1" and hangs up (Postfix connection rate limit)' },
  { address: 'alice@plain.test', verdict: 'deliverable', reason: 'accepted', what: 'server without PIPELINING and STARTTLS: one command at a time, plaintext' },
  { address: 'nobody@plain.test', verdict: 'undeliverable', reason: 'mailbox_not_found', what: '550 5.1.1 from a server without PIPELINING' },
  { address: 'alice@tls.test', verdict: 'deliverable', reason: 'accepted', what: 'server demands STARTTLS (530 5.7.0 for MAIL before it); self-signed certificate' },
  { address: 'alice@blocked.test', verdict: 'unknown', reason: 'blocked', what: '554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Service unavailable; Client host blocked using zen.spamhaus.org, at RCPT: a policy refusal, not a verdict on the mailbox' },
  { address: 'alice@nocodes.test', verdict: 'deliverable', reason: 'accepted', what: 'server without ENHANCEDSTATUSCODES' },
  { address: 'nobody@nocodes.test', verdict: 'undeliverable', reason: 'mailbox_not_found', what: '"550 <nobody@nocodes.test>: Recipient address rejected: User unknown in virtual mailbox table": no enhanced code, only the text says it' },
  { address: 'alice@yahoo-like.test', verdict: 'risky', reason: 'accept_all_provider', what: 'MX is mta5.am0.yahoodns.net (a provider known to accept anything at RCPT)' },
  { address: 'not-an-address', verdict: 'undeliverable', reason: 'invalid_syntax', what: 'no @: never reaches DNS' },
];
