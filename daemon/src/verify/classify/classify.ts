import type { Reason } from '@mailping/shared';
import type { MxLookup } from '../dns/mx-lookup';
import type { FailureCode } from '../smtp/failure';
import type { RecipientOutcome } from '../smtp/session';
import { acceptAllProvider } from './accept-all-providers';
import { matchRule, RCPT_RULES, SESSION_RULES } from './reply-rules';

export interface Classification {
  reason: Reason;
  /** One sentence for people: what the evidence was. */
  detail: string;
  /** The rule that decided, for tests and for "why?" in a UI. */
  rule: string;
}

type DnsFailure = Exclude<MxLookup, { kind: 'mx' }>;

export function classifyDns(lookup: DnsFailure): Classification {
  switch (lookup.kind) {
    case 'null_mx':
      return { reason: 'null_mx', detail: 'the domain publishes a null MX (RFC 7505): it accepts no mail', rule: 'dns.null_mx' };
    case 'no_such_domain':
      return { reason: 'no_such_domain', detail: lookup.message, rule: 'dns.nxdomain' };
    case 'no_mail_server':
      return { reason: 'no_mail_server', detail: lookup.message, rule: 'dns.no_mail_server' };
    case 'dns_error':
      return { reason: 'dns_error', detail: lookup.message, rule: `dns.${lookup.code}` };
  }
}

const FAILURE_REASONS: Record<FailureCode, Reason> = {
  connection_refused: 'connection_failed',
  connection_error: 'connection_failed',
  connection_closed: 'connection_failed',
  connect_timeout: 'timeout',
  timeout: 'timeout',
  deadline: 'timeout',
  cancelled: 'timeout',
  protocol_error: 'protocol_error',
  tls_failed: 'protocol_error',
  tls_unavailable: 'protocol_error',
  rationed: 'not_verified',
};

/** The verdict of an SMTP conversation about one address. Pure: the same evidence, the same answer. */
export function classifySmtp(outcome: RecipientOutcome, catchAll: boolean | null): Classification {
  const host = outcome.target?.host ?? 'the mail server';
  if (!outcome.reply) {
    const failure = outcome.failure ?? { failure: 'connection_error' as const, message: 'no reply' };
    return { reason: FAILURE_REASONS[failure.failure], detail: `${host}: ${failure.message}`, rule: `failure.${failure.failure}` };
  }
  const reply = outcome.reply;
  const isRcpt = outcome.command === 'RCPT TO';
  const rule = matchRule(isRcpt ? RCPT_RULES : SESSION_RULES, reply);
  const quoted = `"${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''} ${reply.text.split('\n')[0] ?? ''}"`.replace(/ +"$/, '"');
  const said = `${host} answered ${quoted} to ${outcome.command ?? 'the connection'}`;
  if (!rule) return { reason: 'protocol_error', detail: `${said}, which is not a valid reply here`, rule: 'unmatched' };
  if (rule.reason !== 'accepted_pending') return { reason: rule.reason, detail: said, rule: rule.id };

  const provider = acceptAllProvider(outcome.target?.host ?? null);
  if (provider && (provider.always || catchAll !== false)) {
    return {
      reason: 'accept_all_provider',
      detail: `${said}, but ${provider.name} accepts every address at this stage and bounces later`,
      rule: 'rcpt.2xx.accept-all-provider',
    };
  }
  if (catchAll === true) {
    return { reason: 'catch_all', detail: `${said}, and accepted a random address too: the domain accepts everything`, rule: 'rcpt.2xx.catch-all' };
  }
  return { reason: 'accepted', detail: said, rule: rule.id };
}
