import { verdictOf, type Reason } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import type { RecipientOutcome } from '../smtp/session';
import { ReplyParser, type Reply } from '../smtp/reply-parser';
import { classifyDns, classifySmtp } from './classify';
import { matchRule, RCPT_RULES, SESSION_RULES } from './reply-rules';

const reply = (wire: string): Reply => new ReplyParser().push(`${wire.replace(/\r?\n/g, '\r\n')}\r\n`)[0] as Reply;

function outcome(wire: string | null, command = 'RCPT TO', host = 'mx.example.test', failure: RecipientOutcome['failure'] = null): RecipientOutcome {
  return {
    reply: wire ? reply(wire) : null,
    command,
    failure,
    target: { host, ip: '192.0.2.1', preference: 10 },
    tls: false,
    pipelining: true,
    roundTrips: 4,
    transcript: [],
  };
}

const rcpt = (wire: string, catchAll: boolean | null = false): Reason => classifySmtp(outcome(wire), catchAll).reason;

describe('classifySmtp: replies to RCPT TO, as real servers send them', () => {
  it.each<[string, Reason]>([
    ['250 2.1.5 Ok', 'accepted'],
    ['250 Accepted', 'accepted'],
    ['550 5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown in virtual mailbox table', 'mailbox_not_found'],
    ['550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient\'s email address for typos or\n550 5.1.1 unnecessary spaces.', 'mailbox_not_found'],
    ['550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', 'mailbox_not_found'],
    ['550 5.4.1 Recipient address rejected: Access denied. AS(201806281)', 'mailbox_not_found'],
    ['550 <x@nocodes.test>: Recipient address rejected: User unknown in virtual mailbox table', 'mailbox_not_found'],
    ['550 No such user here', 'mailbox_not_found'],
    ['550 unrouteable address', 'mailbox_not_found'],
    ['550 5.2.1 <disabled@valid.test>: Mailbox disabled', 'mailbox_disabled'],
    ['550 Account disabled', 'mailbox_disabled'],
    ['452 4.2.2 <full@valid.test>: Mailbox full', 'mailbox_full'],
    ['552 5.2.2 Mailbox full', 'mailbox_full'],
    ['552 Requested mail action aborted: exceeded storage allocation', 'mailbox_full'],
    ['450 4.2.0 <alice@greylist.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/greylist.test.html', 'greylisted'],
    // Issue 13: "try again later" is a deferral; greylisting is one specific mechanism.
    ['451 4.7.1 Please try again later', 'temporary_failure'],
    ['421 4.7.0 Try again later, closing connection.', 'temporary_failure'],
    ['421 4.7.0 [TSS04] Messages from 192.0.2.192 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes', 'temporary_failure'],
    ['451 4.3.0 Resources temporarily unavailable, please try again later', 'temporary_failure'],
    ['452 4.3.1 Insufficient system storage', 'temporary_failure'],
    // Non-syntax 5.5.x, a 554 about the mailbox, and text that beats a generic code.
    ['550 5.5.0 Requested action not taken: mailbox unavailable', 'mailbox_not_found'],
    ["554 delivery error: dd This user doesn't have a yahoo.com account (***@yahoo.com) [0] - mta1012.mail.ne1.yahoo.com", 'mailbox_not_found'],
    ['552 5.1.1 <x@example.jp>... Mailbox is overquota', 'mailbox_full'],
    ['550 5.7.1 Recipient not found', 'mailbox_not_found'],
    ['550 5.5.0 Requested action not taken: account is blocked', 'mailbox_disabled'],
    // About us, whatever the code says.
    ['550 5.1.1 <x@example.jp>: Sender address rejected: User unknown in local recipient table', 'blocked'],
    ['550 5.1.1 Client host [192.0.2.1] blocked using zen.spamhaus.org', 'blocked'],
    ['421 4.7.0 IP not in whitelist for RCPT domain, closing connection.', 'blocked'],
    ['451 4.7.650 The mail server [192.0.2.5] has been temporarily rate limited due to IP reputation.', 'blocked'],
    ['451 4.3.0 Temporary lookup failure', 'temporary_failure'],
    ['421 4.7.0 mx.example Error: too many errors', 'temporary_failure'],
    ['554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org', 'blocked'],
    ['550 5.7.1 Unfortunately, messages from [192.0.2.1] weren\'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150).', 'blocked'],
    ['550 5.7.25 The IP address sending this message does not have a PTR record setup', 'blocked'],
    ['554 5.7.1 <x@y>: Relay access denied', 'blocked'],
    ['550 Rejected: 192.0.2.1 listed at zen.spamhaus.org', 'blocked'],
    ['550 Access denied - Invalid HELO name (See RFC2821 4.1.1.1)', 'blocked'],
    ['553 sorry, that domain isn\'t in my list of allowed rcpthosts (#5.7.1)', 'blocked'],
    ['554 Transaction failed', 'blocked'],
    ['503 5.5.1 Error: need MAIL command', 'protocol_error'],
    ['501 5.1.3 Bad recipient address syntax', 'invalid_syntax'],
    ['550 Requested action not taken', 'mailbox_not_found'],
  ])('%s → %s', (wire, reason) => {
    expect(rcpt(wire)).toBe(reason);
  });

  it('never calls a policy refusal undeliverable, whatever the wording', () => {
    for (const wire of ['554 5.7.1 blocked', '550 5.7.606 Access denied, banned sending IP', '550 spam detected', '550 Your IP has poor reputation']) {
      expect(verdictOf(rcpt(wire))).toBe('unknown');
    }
  });

  it('turns an accepted address at a catch-all domain into risky/catch_all', () => {
    expect(rcpt('250 2.1.5 Ok', true)).toBe('catch_all');
    expect(rcpt('250 2.1.5 Ok', null)).toBe('accepted');
  });

  it('does not trust a yes from providers that accept everything', () => {
    const yahoo = classifySmtp(outcome('250 recipient <x@yahoo.com> ok', 'RCPT TO', 'mta5.am0.yahoodns.net'), false);
    expect(yahoo.reason).toBe('accept_all_provider');
    const m365 = classifySmtp(outcome('250 2.1.5 Recipient OK', 'RCPT TO', 'contoso-com.mail.protection.outlook.com'), null);
    expect(m365.reason).toBe('accept_all_provider');
    // A Microsoft 365 tenant that refused the random probe validates recipients: its yes counts.
    const validating = classifySmtp(outcome('250 2.1.5 Recipient OK', 'RCPT TO', 'contoso-com.mail.protection.outlook.com'), false);
    expect(validating.reason).toBe('accepted');
  });

  it('reads failures before RCPT as being about the session, not the mailbox', () => {
    expect(classifySmtp(outcome('421 4.7.0 mx.tempfail.test Error: too many connections from 127.0.0.1', 'greeting'), null).reason).toBe('temporary_failure');
    expect(classifySmtp(outcome('554 5.7.1 Service unavailable; client [192.0.2.1] blocked', 'greeting'), null).reason).toBe('blocked');
    expect(classifySmtp(outcome('550 5.7.1 Sender rejected', 'MAIL FROM'), null).reason).toBe('blocked');
    expect(classifySmtp(outcome('550 5.1.1 sender address unknown', 'MAIL FROM'), null).reason).toBe('blocked');
    expect(classifySmtp(outcome('502 5.5.2 Error: command not recognized', 'HELO'), null).reason).toBe('protocol_error');
  });

  it('maps connection failures to unknown reasons', () => {
    const fail = (failure: NonNullable<RecipientOutcome['failure']>['failure']) =>
      classifySmtp(outcome(null, 'RCPT TO', 'mx', { failure, message: 'x' }), null).reason;
    expect(fail('connection_refused')).toBe('connection_failed');
    expect(fail('connect_timeout')).toBe('timeout');
    expect(fail('timeout')).toBe('timeout');
    expect(fail('deadline')).toBe('timeout');
    expect(fail('connection_closed')).toBe('connection_failed');
    expect(fail('protocol_error')).toBe('protocol_error');
    expect(fail('tls_failed')).toBe('protocol_error');
  });

  it('quotes the deciding reply in the detail', () => {
    const c = classifySmtp(outcome('550 5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown'), false);
    expect(c.detail).toBe('mx.example.test answered "550 5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown" to RCPT TO');
    expect(c.rule).toBe('rcpt.5xx.not-found-text');
  });

  it.each([
    ...RCPT_RULES.map((rule) => ['RCPT', rule, RCPT_RULES] as const),
    ...SESSION_RULES.map((rule) => ['session', rule, SESSION_RULES] as const),
  ])('%s rule %o is the rule its own citation matches', (_table, rule, table) => {
    expect(rule.source.length).toBeGreaterThan(5);
    expect(matchRule(table, reply(rule.cites))?.id).toBe(rule.id);
  });
});

describe('classifyDns', () => {
  it('maps each DNS outcome to its own reason', () => {
    expect(classifyDns({ kind: 'null_mx' }).reason).toBe('null_mx');
    expect(classifyDns({ kind: 'no_such_domain', message: 'x' }).reason).toBe('no_such_domain');
    expect(classifyDns({ kind: 'no_mail_server', message: 'x' }).reason).toBe('no_mail_server');
    expect(classifyDns({ kind: 'dns_error', code: 'ESERVFAIL', message: 'x' }).reason).toBe('dns_error');
    expect(verdictOf(classifyDns({ kind: 'dns_error', code: 'ETIMEOUT', message: 'x' }).reason)).toBe('unknown');
  });
});
