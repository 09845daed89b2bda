import type { Reason } from '@mailping/shared';

/**
 * What a server's reply to RCPT TO means, one rule per line, first match wins. Enhanced status
 * codes (RFC 3463) are asked first, text second, the bare code last. Every rule cites a real
 * reply it was written for. A rule may only say "undeliverable" when the reply is about the
 * mailbox; anything about us (policy, blocklists, reverse DNS, rate) is `blocked` and `unknown`.
 */
export interface ReplyRule {
  id: string;
  /** Reply code class (2, 4, 5) or an exact code. */
  code?: number | ((code: number) => boolean);
  /** Enhanced code pattern, matched against "class.subject.detail". */
  enhanced?: RegExp;
  text?: RegExp;
  reason: Reason | 'accepted_pending';
  /** A real reply this rule was written for. */
  cites: string;
}

const cls = (c: number) => (code: number) => Math.floor(code / 100) === c;

// Phrases that say the refusal is about the sending client, not the recipient.
const POLICY_TEXT =
  /block(ed|list)|black ?list|spamhaus|spamcop|barracuda|sorbs|\bs?rbl\b|dnsbl|reputation|\bpolicy\b|not allowed|not permitted|access denied|client host|reverse (dns|lookup)|\bptr\b|rdns|helo|relay(ing)? (access )?(denied|not permitted)|spam|rate limit|too many (connections|messages|recipients)|authentication required/i;
const GREYLIST_TEXT = /gr[ae]y ?list|try (again )?later|temporarily deferred|please retry/i;
const NOT_FOUND_TEXT =
  /user unknown|unknown user|no such (user|mailbox|recipient|address)|mailbox (not found|unavailable|does not exist)|does ?n[o']t exist|invalid (recipient|mailbox|address)|recipient (not found|unknown|rejected)|unknown (recipient|mailbox|address)|not a valid (mailbox|recipient)|no mailbox|address rejected|undeliverable address|user not found|account (does not exist|not found)|not our customer/i;
const DISABLED_TEXT = /disabled|deactivated|inactive|suspended|account (is )?(closed|locked|blocked)|no longer (active|in use)/i;
const FULL_TEXT = /mailbox (is )?full|over ?quota|quota exceeded|exceeded (the )?(storage|quota)|insufficient (system )?storage/i;

export const RCPT_RULES: readonly ReplyRule[] = [
  { id: 'rcpt.2xx', code: cls(2), reason: 'accepted_pending', cites: '250 2.1.5 Ok' },

  // Temporary answers are never final.
  { id: 'rcpt.4.2.2.full', code: cls(4), enhanced: /^4\.2\.2$/, reason: 'mailbox_full', cites: '452 4.2.2 <full@valid.test>: Mailbox full (Postfix check_recipient_access)' },
  { id: 'rcpt.4xx.greylist', code: cls(4), text: GREYLIST_TEXT, reason: 'greylisted', cites: '450 4.2.0 <alice@greylist.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/greylist.test.html' },
  { id: 'rcpt.4.7.x.greylist', code: cls(4), enhanced: /^4\.7\.1$/, text: /later|defer/i, reason: 'greylisted', cites: '451 4.7.1 Please try again later (Gmail-style greylisting)' },
  { id: 'rcpt.4xx.full', code: cls(4), text: FULL_TEXT, reason: 'mailbox_full', cites: '452 Mailbox full (exim without enhanced codes)' },
  { id: 'rcpt.4xx', code: cls(4), reason: 'temporary_failure', cites: '451 4.3.0 Temporary lookup failure' },

  // Enhanced codes about us.
  { id: 'rcpt.5.7.x', code: cls(5), enhanced: /^5\.7\.\d+$/, reason: 'blocked', cites: '554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org' },
  // Exchange Online answers unknown recipients with 5.4.1 when Directory Based Edge Blocking is on.
  { id: 'rcpt.5.4.1.exchange', code: 550, enhanced: /^5\.4\.1$/, text: /recipient address rejected: access denied/i, reason: 'mailbox_not_found', cites: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281) (Exchange Online)' },

  // Enhanced codes about the mailbox.
  { id: 'rcpt.5.1.1', code: cls(5), enhanced: /^5\.1\.1$/, reason: 'mailbox_not_found', cites: '550 5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown in virtual mailbox table' },
  // Microsoft uses 5.1.10 at RCPT for "not found" (RFC 7505 gave it to null MX; at RCPT it means the mailbox).
  { id: 'rcpt.5.1.10', code: cls(5), enhanced: /^5\.1\.10$/, reason: 'mailbox_not_found', cites: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup' },
  { id: 'rcpt.5.1.6', code: cls(5), enhanced: /^5\.1\.6$/, reason: 'mailbox_not_found', cites: '551 5.1.6 Recipient no longer on server' },
  { id: 'rcpt.5.1.3', code: cls(5), enhanced: /^5\.1\.3$/, reason: 'invalid_syntax', cites: '501 5.1.3 Bad recipient address syntax' },
  { id: 'rcpt.5.2.1', code: cls(5), enhanced: /^5\.2\.1$/, reason: 'mailbox_disabled', cites: '550 5.2.1 <disabled@valid.test>: Mailbox disabled' },
  { id: 'rcpt.5.2.2', code: cls(5), enhanced: /^5\.2\.2$/, reason: 'mailbox_full', cites: '552 5.2.2 Mailbox full' },
  { id: 'rcpt.5.5.x', code: cls(5), enhanced: /^5\.5\.\d+$/, reason: 'protocol_error', cites: '503 5.5.1 Error: need MAIL command' },
  { id: 'rcpt.5.3.x', code: cls(5), enhanced: /^5\.3\.\d+$/, reason: 'temporary_failure', cites: '554 5.3.0 Mail system error (a server fault, not an answer about the mailbox)' },

  // qmail puts its enhanced code at the end, in parentheses.
  { id: 'rcpt.qmail.5.7.x', code: cls(5), text: /\(#5\.7\.\d+\)/, reason: 'blocked', cites: "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)" },
  { id: 'rcpt.qmail.5.1.1', code: cls(5), text: /\(#5\.1\.1\)/, reason: 'mailbox_not_found', cites: '550 sorry, no mailbox here by that name. (#5.1.1)' },

  // Text, for servers without enhanced codes (exim, older sendmail) or with a generic X.0.0.
  { id: 'rcpt.5xx.policy-text', code: cls(5), text: POLICY_TEXT, reason: 'blocked', cites: '550 Rejected: 192.0.2.1 listed at zen.spamhaus.org' },
  { id: 'rcpt.5xx.disabled-text', code: cls(5), text: DISABLED_TEXT, reason: 'mailbox_disabled', cites: '550 Account disabled' },
  { id: 'rcpt.5xx.full-text', code: cls(5), text: FULL_TEXT, reason: 'mailbox_full', cites: '552 Mailbox full' },
  { id: 'rcpt.5xx.not-found-text', code: cls(5), text: NOT_FOUND_TEXT, reason: 'mailbox_not_found', cites: '550 <x@nocodes.test>: Recipient address rejected: User unknown in virtual mailbox table' },

  // The bare code, RFC 5321 §4.2.2-§4.2.3.
  { id: 'rcpt.550', code: 550, reason: 'mailbox_not_found', cites: '550 Requested action not taken: mailbox unavailable (RFC 5321 §4.2.2)' },
  { id: 'rcpt.551', code: 551, reason: 'mailbox_not_found', cites: '551 User not local; please try <forward-path>' },
  { id: 'rcpt.552', code: 552, reason: 'mailbox_full', cites: '552 Requested mail action aborted: exceeded storage allocation' },
  { id: 'rcpt.553', code: 553, reason: 'mailbox_not_found', cites: '553 Requested action not taken: mailbox name not allowed' },
  // 554 at RCPT is "transaction failed", in practice a policy refusal (relay access denied, blocklists).
  { id: 'rcpt.554', code: 554, reason: 'blocked', cites: '554 Transaction failed' },
  { id: 'rcpt.5xx', code: cls(5), reason: 'protocol_error', cites: '500 Syntax error, command unrecognized' },
];

/**
 * Replies to anything before RCPT: whatever goes wrong there is about the session or about us,
 * never evidence about the mailbox.
 */
export const SESSION_RULES: readonly ReplyRule[] = [
  { id: 'session.4xx.greylist', code: cls(4), text: GREYLIST_TEXT, reason: 'greylisted', cites: '451 4.7.1 Greylisting in action, please come back later' },
  { id: 'session.421', code: 421, reason: 'temporary_failure', cites: '421 4.7.0 mx.tempfail.test Error: too many connections from 127.0.0.1' },
  { id: 'session.4xx', code: cls(4), reason: 'temporary_failure', cites: '451 4.3.0 Server configuration problem' },
  { id: 'session.5.5.x', code: cls(5), enhanced: /^5\.5\.\d+$/, reason: 'protocol_error', cites: '502 5.5.2 Error: command not recognized' },
  { id: 'session.5xx', code: cls(5), reason: 'blocked', cites: '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org' },
];

export function matchRule(rules: readonly ReplyRule[], reply: { code: number; enhanced: string | null; text: string }): ReplyRule | null {
  for (const rule of rules) {
    if (rule.code !== undefined && !(typeof rule.code === 'number' ? rule.code === reply.code : rule.code(reply.code))) continue;
    if (rule.enhanced && !(reply.enhanced && rule.enhanced.test(reply.enhanced))) continue;
    if (rule.text && !rule.text.test(reply.text)) continue;
    return rule;
  }
  return null;
}
