/**
 * The four verdicts and the reasons behind them. Every reason belongs to exactly one verdict,
 * so a result can never say "undeliverable" for a reason that only means "we were refused".
 */
export const VERDICTS = ['deliverable', 'undeliverable', 'risky', 'unknown'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const REASONS = {
  accepted: { verdict: 'deliverable', summary: 'mailbox exists' },

  invalid_syntax: { verdict: 'undeliverable', summary: 'not a valid email address' },
  no_such_domain: { verdict: 'undeliverable', summary: 'domain does not exist' },
  null_mx: { verdict: 'undeliverable', summary: 'domain accepts no mail (null MX)' },
  no_mail_server: { verdict: 'undeliverable', summary: 'domain has no mail server' },
  mailbox_not_found: { verdict: 'undeliverable', summary: 'mailbox does not exist' },
  mailbox_disabled: { verdict: 'undeliverable', summary: 'mailbox is disabled' },

  catch_all: { verdict: 'risky', summary: 'catch-all domain: any address is accepted' },
  mailbox_full: { verdict: 'risky', summary: 'mailbox is full' },
  accept_all_provider: {
    verdict: 'risky',
    summary: 'provider accepts every address at SMTP time, so it cannot be verified',
  },

  greylisted: { verdict: 'unknown', summary: 'greylisted: the server asked to try again later' },
  temporary_failure: { verdict: 'unknown', summary: 'temporary failure at the mail server' },
  blocked: { verdict: 'unknown', summary: 'the mail server refused us (policy or blocklist), not the address' },
  connection_failed: { verdict: 'unknown', summary: 'could not connect to any mail server' },
  timeout: { verdict: 'unknown', summary: 'the mail server did not answer in time' },
  dns_error: { verdict: 'unknown', summary: 'DNS lookup failed' },
  protocol_error: { verdict: 'unknown', summary: 'the mail server spoke invalid SMTP' },
  // Says nothing about the server: the address was never asked (a queue batch that failed for good).
  not_verified: { verdict: 'unknown', summary: 'not verified: MailPing gave up before asking the mail server' },
} as const satisfies Record<string, { verdict: Verdict; summary: string }>;

export type Reason = keyof typeof REASONS;
export const REASON_NAMES = Object.keys(REASONS) as [Reason, ...Reason[]];

export function verdictOf(reason: Reason): Verdict {
  return REASONS[reason].verdict;
}

export function describeReason(reason: Reason): string {
  return REASONS[reason].summary;
}
