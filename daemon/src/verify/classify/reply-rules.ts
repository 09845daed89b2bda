import type { Reason } from '@mailping/shared';
import { ABOUT_US, ACCEPTS_NO_MAIL, ADDRESS_SYNTAX, DISABLED, FULL, GREYLIST, NO_DOMAIN, NOT_FOUND, OUR_IP, POLICY, SERVER_FAULT, SERVER_STORAGE, SYNTAX } from './reply-phrases';

/**
 * What a server's reply means, one rule per kind of reply, first match wins. Every rule cites a
 * real reply it was written for, and a test checks that `matchRule` gives that reply to that
 * very rule. The corpus (corpus/replies.jsonl) replays hundreds of real replies through them.
 *
 * The order is the policy, read top to bottom:
 * 1. A reply about US (our IP, reverse DNS, HELO, sender, SPF/DKIM/DMARC, reputation, relaying)
 *    is `blocked` whatever its code: never evidence about the mailbox.
 * 2. A 4xx is never final: greylisting is `greylisted`, a full mailbox `mailbox_full`, anything
 *    else (rate, volume, resources, the server's own disk, even "user unknown") `temporary_failure`.
 * 3. Decisive text beats a generic code, in both directions: "Recipient not found" under 5.7.1
 *    is not found, "overquota" under 5.1.1 is full; and (rule 1) "blocked using Spamhaus" under
 *    5.1.1 is blocked.
 * 4. Then enhanced status codes (RFC 3463), then the bare code (RFC 5321 §4.2).
 */
export interface ReplyRule {
  id: string;
  /** Reply code class (2, 4, 5) or an exact code. */
  code?: number | ((code: number) => boolean);
  /** Enhanced code pattern, matched against "class.subject.detail". */
  enhanced?: RegExp;
  text?: RegExp;
  reason: Reason | 'accepted_pending';
  /** A real reply this rule was written for, exactly as the server sent it (code, enhanced code, text). */
  cites: string;
  /** Where that reply comes from. */
  source: string;
}

const cls = (c: number) => (code: number) => Math.floor(code / 100) === c;
const between = (lo: number, hi: number) => (code: number) => code >= lo && code <= hi;

const SOE = 'sisimai/set-of-emails maildir/bsd/';
const GOOGLE = 'Google, SMTP error reference (support.google.com/a/answer/3726730), quoted in sisimai/rb-sisimai lib/sisimai/rhost/google.rb';

export const RCPT_RULES: readonly ReplyRule[] = [
  { id: 'rcpt.2xx', code: cls(2), reason: 'accepted_pending', cites: '250 2.1.5 Ok', source: 'Postfix, the lab' },

  // 1. About us, whatever the code.
  { id: 'rcpt.about-us', code: (c) => c >= 400, text: ABOUT_US, reason: 'blocked', cites: '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', source: 'Postfix reject_rbl_client, as in simple-login/app issue #2675' },

  // 2. Temporary answers are never final.
  { id: 'rcpt.4xx.greylist', code: cls(4), text: GREYLIST, reason: 'greylisted', cites: '450 4.2.0 <alice@greylist.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/greylist.test.html', source: 'postgrey, the lab' },
  { id: 'rcpt.4xx.server-storage', code: cls(4), enhanced: /^4\.3\.1$/, reason: 'temporary_failure', cites: '452 4.3.1 Insufficient system storage', source: 'Postfix (queue file system full), RFC 3463 X.3.1' },
  { id: 'rcpt.4xx.server-storage-text', code: cls(4), text: SERVER_STORAGE, reason: 'temporary_failure', cites: '452 Requested action not taken: insufficient system storage', source: 'RFC 5321 §4.2.3 (reply text for 452)' },
  { id: 'rcpt.4.2.2.full', code: cls(4), enhanced: /^4\.2\.2$/, reason: 'mailbox_full', cites: "452 4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp", source: GOOGLE },
  { id: 'rcpt.4xx.full-text', code: cls(4), text: FULL, reason: 'mailbox_full', cites: '451 requested mail action aborted: exceeded storage allocation', source: 'sisimai/rb-sisimai lib/sisimai/reason/systemfull.rb (phrase list; the 451 is assumed, corpus row 566)' },
  { id: 'rcpt.4xx', code: cls(4), reason: 'temporary_failure', cites: '421 4.7.0 [TSS04] Messages from 192.0.2.192 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes', source: 'Yahoo, quoted in sisimai/rb-sisimai lib/sisimai/rhost/yahooinc.rb' },

  // Our IP named as such, before the mailbox phrases: "IP suspended" is not a suspended mailbox.
  { id: 'rcpt.5xx.our-ip', code: cls(5), text: OUR_IP, reason: 'blocked', cites: '550 5.7.28 There is an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked.', source: GOOGLE },

  // 3. Decisive text about the mailbox, whatever the 5xx code.
  // Exchange Online with Directory Based Edge Blocking: its "access denied" means no such recipient.
  { id: 'rcpt.5.4.1.exchange-dbeb', code: 550, enhanced: /^5\.4\.1$/, text: /recipient address rejected: access denied/i, reason: 'mailbox_not_found', cites: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)', source: 'Exchange Online, learn.microsoft.com (NDR 5.4.1)' },
  { id: 'rcpt.5.1.3', code: cls(5), enhanced: /^5\.1\.3$/, reason: 'invalid_syntax', cites: '501 5.1.3 Bad recipient address syntax', source: 'Postfix smtpd' },
  // 5.5.x is about the command only when the code says so (500-504) or the text says syntax;
  // Microsoft's consumer MX answers unknown users with "550 5.5.0 ... mailbox unavailable".
  { id: 'rcpt.5xx.address-syntax-text', code: cls(5), text: ADDRESS_SYNTAX, reason: 'invalid_syntax', cites: '550 bad address syntax', source: 'sisimai/rb-sisimai lib/sisimai/reason/syntaxerror.rb (phrase list)' },
  { id: 'rcpt.5.5.x.syntax', code: between(500, 504), enhanced: /^5\.5\.\d+$/, reason: 'protocol_error', cites: '503 5.5.1 Error: need MAIL command', source: 'Postfix smtpd' },
  { id: 'rcpt.50x.syntax-text', code: between(500, 504), text: SYNTAX, reason: 'protocol_error', cites: '503 Bad sequence of commands', source: 'NTT docomo, quoted in sisimai/rb-sisimai lib/sisimai/rhost/nttdocomo.rb' },
  { id: 'rcpt.5xx.server-storage-text', code: cls(5), text: SERVER_STORAGE, reason: 'temporary_failure', cites: '550 5.0.0 Mail system full', source: 'sisimai/rb-sisimai test/public/reason-children-test.rb (SystemFull)' },
  { id: 'rcpt.5xx.server-fault-text', code: cls(5), text: SERVER_FAULT, reason: 'temporary_failure', cites: '550 5.0.0 <kijitora@example.or.jp>... Insufficient permission', source: `${SOE}lhost-sendmail-13.eml (Diagnostic-Code)` },
  { id: 'rcpt.5xx.no-domain-text', code: cls(5), text: NO_DOMAIN, reason: 'no_such_domain', cites: '550 Host unknown', source: `${SOE}lhost-sendmail (Diagnostic-Code)` },
  { id: 'rcpt.5xx.accepts-no-mail', code: cls(5), text: ACCEPTS_NO_MAIL, reason: 'no_mail_server', cites: '550 Host does not accept mail', source: `${SOE}lhost-sendmail (Diagnostic-Code)` },
  { id: 'rcpt.5xx.not-found-text', code: cls(5), text: NOT_FOUND, reason: 'mailbox_not_found', cites: "554 delivery error: dd This user doesn't have a yahoo.com account (***@yahoo.com)", source: 'Yahoo, quoted in sisimai/rb-sisimai lib/sisimai/rhost/yahooinc.rb' },
  { id: 'rcpt.5xx.full-text', code: cls(5), text: FULL, reason: 'mailbox_full', cites: '552 5.2.2 <****@icloud.com>: user is over quota', source: 'iCloud, quoted in sisimai/rb-sisimai lib/sisimai/rhost/apple.rb' },
  { id: 'rcpt.5xx.disabled-text', code: cls(5), text: DISABLED, reason: 'mailbox_disabled', cites: '550 5.2.1 The email account that you tried to reach is inactive. For more information, go to https://support.google.com/mail/?p=DisabledUser', source: GOOGLE },

  { id: 'rcpt.5xx.syntax-text', code: cls(5), text: SYNTAX, reason: 'protocol_error', cites: '550 5.3.3 unrecognized command', source: 'Microsoft NDR codes, sisimai/rb-sisimai lib/sisimai/rhost/microsoft.rb (phrase list)' },
  { id: 'rcpt.5.3.x', code: cls(5), enhanced: /^5\.3\.\d+$/, reason: 'temporary_failure', cites: '550 5.3.5 system incorrectly configured', source: 'Microsoft NDR codes, sisimai/rb-sisimai lib/sisimai/rhost/microsoft.rb (phrase list)' },
  // 4. Policy wording, read after the mailbox phrases.
  { id: 'rcpt.5xx.policy-text', code: cls(5), text: POLICY, reason: 'blocked', cites: '550 Access from ip address 192.0.2.1 blocked.', source: 'sisimai/rb-sisimai test/public/reason-children-test.rb (Blocked)' },

  // 5. Enhanced status codes (RFC 3463).
  { id: 'rcpt.5.1.1', code: cls(5), enhanced: /^5\.1\.1$/, reason: 'mailbox_not_found', cites: '550 5.1.1 http://support.google.com/mail/bin/answer.py?answer=6596 ad1si1997204pbd.83 - gsmtp', source: `${SOE}lhost-gmail (Diagnostic-Code)` },
  // Microsoft answers RCPT for unknown recipients with 5.1.10 (RFC 7505 gave it to null MX).
  { id: 'rcpt.5.1.10', code: cls(5), enhanced: /^5\.1\.10$/, reason: 'mailbox_not_found', cites: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient nobody@contoso.com not found by SMTP address lookup', source: 'Exchange Online NDR reference (learn.microsoft.com, NDR 5.1.10)' },
  { id: 'rcpt.5.1.6', code: cls(5), enhanced: /^5\.1\.6$/, reason: 'mailbox_not_found', cites: '550 5.1.6 <hasmoved@libsisimai.net>: Recipient address rejected: Destination mailbox has moved, No forwarding address. See https://libsisimai.org/en/reason/#hasmoved', source: `${SOE}lhost-dragonfly (Diagnostic-Code)` },
  { id: 'rcpt.5.1.2', code: cls(5), enhanced: /^5\.1\.2$/, reason: 'no_such_domain', cites: '550 5.1.2 <hostunknown@libsisimai.net>: Recipient address rejected: Bad destination system address. See https://libsisimai.org/en/reason/#hostunknown', source: `${SOE}lhost-dragonfly-11.eml (Diagnostic-Code)` },
  { id: 'rcpt.5.2.1', code: cls(5), enhanced: /^5\.2\.1$/, reason: 'mailbox_disabled', cites: '550 5.2.1 mailbox cannot be accessed', source: 'Microsoft NDR codes, sisimai/rb-sisimai lib/sisimai/rhost/microsoft.rb (phrase list)' },
  { id: 'rcpt.5.7.x', code: cls(5), enhanced: /^5\.7\.\d+$/, reason: 'blocked', cites: '553 5.7.2 [TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes', source: 'Yahoo, quoted in sisimai/rb-sisimai lib/sisimai/rhost/yahooinc.rb' },

  // 6. The bare code, RFC 5321 §4.2.2-§4.2.3.
  { id: 'rcpt.550', code: 550, reason: 'mailbox_not_found', cites: '550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)', source: 'Outlook.com/Hotmail, MicrosoftDocs/OfficeDocs-Exchange issue #2836' },
  // Any other 5xx (551-554 without telling words, 521, 530, 571...): a refusal that says nothing
  // about the mailbox, so unknown. 550 alone is RFC 5321's "mailbox unavailable".
  { id: 'rcpt.5xx', code: cls(5), reason: 'blocked', cites: '554 Service currently unavailable', source: `${SOE}lhost-surfcontrol-02.eml (Diagnostic-Code)` },
];

/**
 * Replies to anything before RCPT (greeting, EHLO/HELO, STARTTLS, MAIL FROM): whatever goes
 * wrong there is about the session or about us, never evidence about a mailbox.
 */
export const SESSION_RULES: readonly ReplyRule[] = [
  { id: 'session.about-us', code: (c) => c >= 400, text: ABOUT_US, reason: 'blocked', cites: '421 4.7.0 IP not in whitelist for RCPT domain, closing connection.', source: GOOGLE },
  { id: 'session.4xx.greylist', code: cls(4), text: GREYLIST, reason: 'greylisted', cites: '451 4.7.1 Greylisting in action, please come back later', source: 'milter-greylist (default reply)' },
  // A 4xx greeting or MAIL reply is a deferral (load, rate, volume), not greylisting.
  { id: 'session.4xx', code: cls(4), reason: 'temporary_failure', cites: '452 4.3.2 Connection rate limit exceeded.', source: 'sisimai/rb-sisimai lib/sisimai/reason/toomanyconn.rb (in reply to MAIL FROM)' },
  { id: 'session.syntax', code: between(500, 504), text: SYNTAX, reason: 'protocol_error', cites: '502 5.5.2 Error: command not recognized', source: 'Postfix smtpd' },
  { id: 'session.5xx', code: cls(5), reason: 'blocked', cites: '550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137', source: 'iCloud, quoted in sisimai/rb-sisimai lib/sisimai/rhost/apple.rb' },
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
