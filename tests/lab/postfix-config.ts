/**
 * The lab's Postfix configuration: main.cf, master.cf and lookup tables, rendered as text.
 *
 * One instance serves every lab MX: each 127.0.25.N:25 listener is a master.cf service whose -o
 * overrides give it its behaviour. Mailboxes are virtual (texthash tables, so no postmap step)
 * and nothing is ever delivered, relayed, or looked up in DNS.
 */
import { BENCH_DOMAINS, benchMailboxes } from './bench-table';
import { LAB_SMTP_ADDRESSES } from './lab-table';

export interface PostfixListener {
  /** Role in the lab: names the syslog tag, so the maillog says which listener answered. */
  role: string;
  /** The lab address clients use (port 25). */
  address: string;
  /** Where this smtpd binds: the lab address, or a private port behind an in-process proxy. */
  bindHost: string;
  bindPort: number;
  hostname: string;
  overrides: ReadonlyArray<readonly [name: string, value: string]>;
}

export interface PostfixPaths {
  configDir: string;
  queueDir: string;
  dataDir: string;
  maillog: string;
  /** Prefix that maillog_file must live under (postlogd refuses other paths). */
  logPrefix: string;
}

export interface PostfixConfigOptions {
  paths: PostfixPaths;
  certFile: string;
  keyFile: string;
}

export const VIRTUAL_MAILBOX_DOMAINS = [
  'valid.test',
  'fallback.test',
  'catchall.test',
  'greylist.test',
  'nomx.test',
  'tempfail.test',
  'plain.test',
  'tls.test',
  'blocked.test',
  'nocodes.test',
  'strict.test',
  'yahoo-like.test',
  ...BENCH_DOMAINS,
];

/** strict.test: a few mailboxes among many unknown addresses, so a list trips its error limit. */
export const STRICT_MAILBOXES = ['alice@strict.test', 'bob@strict.test', 'carol@strict.test', 'dave@strict.test'];

/** Mailboxes that exist. `@domain` is a catch-all. full@ and disabled@ exist but refuse mail. */
export const VIRTUAL_MAILBOXES = [
  'alice@valid.test',
  'bob@valid.test',
  'first.last@valid.test',
  'jörg@valid.test',
  'full@valid.test',
  'disabled@valid.test',
  'alice@fallback.test',
  '@catchall.test',
  '@yahoo-like.test',
  'alice@greylist.test',
  'alice@nomx.test',
  'alice@tempfail.test',
  'alice@plain.test',
  'alice@tls.test',
  'alice@blocked.test',
  'alice@nocodes.test',
  ...STRICT_MAILBOXES,
  ...benchMailboxes(),
];

/** check_recipient_access: the text after the code is what Postfix appends to "Recipient address rejected: ". */
export const RECIPIENT_ACCESS: ReadonlyArray<readonly [string, string]> = [
  ['full@valid.test', '452 4.2.2 Mailbox full'],
  ['disabled@valid.test', '550 5.2.1 Mailbox disabled'],
];

export const BLOCKED_CLIENTS: ReadonlyArray<readonly [string, string]> = [
  ['127.0.0.0/8', '554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org'],
];

export interface ListenerPorts {
  postgreyPort: number;
  /** Private port on 127.0.0.1 of the smtpd behind the nocodes proxy. */
  nocodesBackendPort: number;
}

export function postfixListeners(ports: ListenerPorts): PostfixListener[] {
  const a = LAB_SMTP_ADDRESSES;
  const listeners: Array<Omit<PostfixListener, 'bindHost' | 'bindPort'> & { bindHost?: string; bindPort?: number }> = [
    // Also live.fallback.test: the same server under a second name.
    { role: 'valid1', address: a.valid1, hostname: 'mx1.valid.test', overrides: [] },
    { role: 'valid2', address: a.valid2, hostname: 'mx2.valid.test', overrides: [] },
    // Also mta5.am0.yahoodns.net, for yahoo-like.test.
    { role: 'catchall', address: a.catchall, hostname: 'mx.catchall.test', overrides: [] },
    {
      role: 'greylist',
      address: a.greylist,
      hostname: 'mx.greylist.test',
      overrides: [
        // reject_unlisted_recipient is implicit only AFTER the list, so it is explicit here:
        // unknown users must get 550 before postgrey sees the triplet.
        [
          'smtpd_recipient_restrictions',
          `reject_unlisted_recipient, check_policy_service inet:127.0.0.1:${ports.postgreyPort}`,
        ],
      ],
    },
    { role: 'nomx', address: a.nomx, hostname: 'nomx.test', overrides: [] },
    {
      role: 'tempfail',
      address: a.tempfail,
      hostname: 'mx.tempfail.test',
      // One connection per client per anvil_rate_time_unit (set very long in main.cf): the lab
      // burns the first one at start, every later one is greeted with Postfix's own
      // "421 4.7.0 ... Error: too many connections from ...".
      overrides: [
        ['smtpd_client_connection_rate_limit', '1'],
        ['smtpd_client_event_limit_exceptions', ''],
      ],
    },
    {
      role: 'plain',
      address: a.plain,
      hostname: 'mx.plain.test',
      overrides: [
        ['smtpd_discard_ehlo_keywords', 'pipelining, starttls'],
        ['smtpd_tls_security_level', 'none'],
      ],
    },
    {
      role: 'tls',
      address: a.tls,
      hostname: 'mx.tls.test',
      overrides: [['smtpd_tls_security_level', 'encrypt']],
    },
    {
      role: 'strict',
      address: a.strict,
      hostname: 'mx.strict.test',
      // A server stricter than our error budget, as big providers are: Postfix's own
      // "421 4.7.0 mx.strict.test Error: too many errors" and a hang-up at the third refused
      // RCPT of a session, with no tarpit delay before it.
      overrides: [
        ['smtpd_hard_error_limit', '3'],
        ['smtpd_soft_error_limit', '3'],
        ['smtpd_error_sleep_time', '0'],
      ],
    },
    {
      role: 'blocked',
      address: a.blocked,
      hostname: 'mx.blocked.test',
      // With smtpd_delay_reject=yes (default) the client rejection is reported at RCPT.
      overrides: [['smtpd_client_restrictions', 'check_client_access cidr:${config_directory}/blocked-clients.cidr']],
    },
    {
      role: 'nocodes',
      address: a.nocodes,
      // Postfix keeps enhanced codes in its replies even when the EHLO keyword is discarded;
      // strip-codes-proxy.ts on 127.0.25.19:25 removes them. No STARTTLS, so the proxy can read
      // every line.
      bindHost: '127.0.0.1',
      bindPort: ports.nocodesBackendPort,
      hostname: 'mx.nocodes.test',
      overrides: [
        ['smtpd_discard_ehlo_keywords', 'enhancedstatuscodes, starttls'],
        ['smtpd_tls_security_level', 'none'],
      ],
    },
  ];
  return listeners.map((l) => ({ ...l, bindHost: l.bindHost ?? l.address, bindPort: l.bindPort ?? 25 }));
}

export function renderMainCf(options: PostfixConfigOptions): string {
  const { paths } = options;
  const settings: Array<[string, string]> = [
    ['compatibility_level', '3.7'],
    ['queue_directory', paths.queueDir],
    ['data_directory', paths.dataDir],
    ['maillog_file', paths.maillog],
    ['maillog_file_prefixes', paths.logPrefix],
    ['myhostname', 'lab.mailping.test'],
    ['mydomain', 'mailping.test'],
    ['myorigin', '$myhostname'],
    ['smtpd_banner', '$myhostname ESMTP Postfix (MailPing lab)'],
    ['biff', 'no'],
    ['inet_protocols', 'ipv4'],
    // The listeners bind their own addresses in master.cf; nothing else listens.
    ['inet_interfaces', 'loopback-only'],
    // No trusted networks: lab clients connect from 127.0.0.1 and must get the same recipient
    // checks as anyone else (Debian's default mynetworks would exempt loopback).
    ['mynetworks', ''],
    ['mydestination', ''],
    ['local_recipient_maps', ''],
    ['alias_maps', ''],
    ['alias_database', ''],
    ['relayhost', ''],
    ['relay_domains', ''],
    ['transport_maps', ''],
    // Never deliver, never relay: the only transports are discard and error.
    ['virtual_transport', 'discard:the MailPing lab never delivers'],
    ['default_transport', 'error:the MailPing lab never delivers'],
    ['relay_transport', 'error:the MailPing lab never relays'],
    ['notify_classes', ''],
    // No DNS, ever: no client reverse lookups, no MX lookups.
    ['smtpd_peername_lookup', 'no'],
    // With the default 1 s in_flow_delay, MAIL starts waiting a second once a long-lived lab has run many sessions.
    ['in_flow_delay', '0'],
    ['smtp_dns_support_level', 'disabled'],
    ['lmtp_dns_support_level', 'disabled'],
    ['virtual_mailbox_domains', VIRTUAL_MAILBOX_DOMAINS.join(', ')],
    ['virtual_mailbox_maps', 'texthash:${config_directory}/virtual-mailboxes'],
    ['virtual_alias_maps', ''],
    ['smtpd_relay_restrictions', 'reject_unauth_destination'],
    ['smtpd_recipient_restrictions', 'check_recipient_access texthash:${config_directory}/recipient-access'],
    ['smtputf8_enable', 'yes'],
    ['smtpd_tls_security_level', 'may'],
    ['smtpd_tls_cert_file', options.certFile],
    ['smtpd_tls_key_file', options.keyFile],
    ['smtpd_tls_loglevel', '1'],
    // Counts for the tempfail listener's rate limit must not reset during a lab's life.
    ['anvil_rate_time_unit', '3650d'],
  ];
  return [
    '# Generated by tests/lab/postfix-config.ts for one lab run; rewritten at every start.',
    ...settings.map(([k, v]) => (v === '' ? `${k} =` : `${k} = ${v}`)),
    '',
  ].join('\n');
}

function overrideArg(name: string, value: string): string {
  // The { } form (Postfix ≥ 3.0) allows spaces and commas in a -o value.
  if (value === '') return `-o { ${name} = }`;
  return /[\s,]/.test(value) ? `-o { ${name} = ${value} }` : `-o ${name}=${value}`;
}

export function renderMasterCf(ports: ListenerPorts): string {
  const lines = [
    '# Generated by tests/lab/postfix-config.ts for one lab run; rewritten at every start.',
    '# chroot is "n" everywhere: a chroot would need copies of system files in the queue dir.',
    '# service type  private unpriv  chroot  wakeup  maxproc command + args',
  ];
  for (const l of postfixListeners(ports)) {
    lines.push(`${l.bindHost}:${l.bindPort} inet n - n - - smtpd`);
    lines.push(`  -o syslog_name=postfix/${l.role}`);
    lines.push(`  -o myhostname=${l.hostname}`);
    for (const [name, value] of l.overrides) lines.push(`  ${overrideArg(name, value)}`);
  }
  lines.push(
    '# Internal services: only what smtpd needs to answer, queue and discard.',
    'cleanup   unix  n       -       n       -       0       cleanup',
    'qmgr      unix  n       -       n       300     1       qmgr',
    'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
    'rewrite   unix  -       -       n       -       -       trivial-rewrite',
    'bounce    unix  -       -       n       -       0       bounce',
    'defer     unix  -       -       n       -       0       bounce',
    'trace     unix  -       -       n       -       0       bounce',
    'verify    unix  -       -       n       -       1       verify',
    'flush     unix  n       -       n       1000?   0       flush',
    'proxymap  unix  -       -       n       -       -       proxymap',
    'error     unix  -       -       n       -       -       error',
    'retry     unix  -       -       n       -       -       error',
    'discard   unix  -       -       n       -       -       discard',
    'anvil     unix  -       -       n       -       1       anvil',
    'scache    unix  -       -       n       -       1       scache',
    'postlog   unix-dgram n  -       n       -       1       postlogd',
    '',
  );
  return lines.join('\n');
}

export function renderTable(rows: ReadonlyArray<readonly [string, string]>): string {
  return `${rows.map(([k, v]) => `${k} ${v}`).join('\n')}\n`;
}

export function renderMailboxes(): string {
  return renderTable(VIRTUAL_MAILBOXES.map((m) => [m, 'ok'] as const));
}
