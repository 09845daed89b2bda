import type { Reply } from './reply-parser';

/** What a reply is paired with: the command it would answer, and the recipient a RCPT named. */
export interface Expected {
  /** 'greeting', or the verb we sent ('EHLO', 'MAIL', 'RCPT', 'QUIT', ...). */
  command: string;
  /** The address in a MAIL or RCPT command. */
  address?: string;
}

/** EHLO keywords (RFC 5321 §4.1.1.1 and the registry): lines that only ever answer EHLO. */
const EHLO_KEYWORD = /^(PIPELINING|SIZE|8BITMIME|STARTTLS|ENHANCEDSTATUSCODES|SMTPUTF8|CHUNKING|DSN|AUTH|ETRN|VRFY|EXPN|BINARYMIME|DELIVERBY|HELP|XCLIENT|XFORWARD|REQUIRETLS|MT-PRIORITY|LIMITS)(\s|=|$)/i;
const BRACKETED = /<([^<>\s]+@[^<>\s]+)>/g;

/**
 * Why `reply` cannot be the answer to `expected`, or null when it can. Replies are paired with
 * commands by order alone (RFC 2920), so a reply that does not fit is proof the order is broken
 * (an extra or duplicated reply upstream): the session must end, not guess. Only shapes no real
 * server gives are refused; any code a server may use for a refusal fits.
 * `others`: the recipients we asked about earlier on this connection.
 */
export function replyMisfit(reply: Reply, expected: Expected, others: ReadonlySet<string>): string | null {
  const said = `"${reply.lines[0] ?? reply.code}"`;
  const { command } = expected;
  // A server may close any session with 421 (RFC 5321 §3.8).
  if (reply.code === 421) return null;
  if (command === 'greeting') return reply.code === 220 || reply.code >= 400 ? null : `${said} is not a greeting`;
  if (reply.code === 220 && command !== 'STARTTLS') return `${said} to ${command} is a second greeting`;
  if (reply.code === 221 && command !== 'QUIT') return `${said} to ${command} is a goodbye nobody asked for`;
  if (reply.code === 354 || reply.code === 334) return `${said} answers DATA or AUTH, which we never send`;
  // QUIT is answered 221 (RFC 5321 §4.3.2): pipelined last, it proves every reply before it was paired right.
  if (command === 'QUIT' && reply.code !== 221) return `${said} cannot answer QUIT`;
  if (command === 'MAIL' || command === 'RCPT') {
    if (reply.lines.length > 1 && reply.lines.slice(1).some((l) => EHLO_KEYWORD.test(l.slice(4)))) {
      return `a multi-line reply listing EHLO keywords cannot answer ${command}`;
    }
    if (command === 'MAIL' && reply.enhanced?.endsWith('.1.5')) return `${said} is a recipient's status, not the sender's`;
    const own = expected.address?.toLowerCase();
    for (const m of reply.text.matchAll(BRACKETED)) {
      const named = m[1]!.toLowerCase();
      if (named !== own && others.has(named)) return `${said} to ${command} names another recipient, <${m[1]}>`;
    }
  }
  return null;
}
