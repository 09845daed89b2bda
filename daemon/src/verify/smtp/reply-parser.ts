/**
 * SMTP reply parsing (RFC 5321 §4.2), pure and incremental: bytes in, complete replies out.
 * A reply is one or more lines `NNN-text` ending with `NNN text`. The parser never trusts the
 * server: a line or a reply over its limits, or a line that is not a reply, ends the stream with
 * an error instead of growing memory.
 */

export interface Reply {
  code: number;
  /** RFC 3463 `class.subject.detail`, when the first line carries one matching the code's class. */
  enhanced: string | null;
  /** Text of every line without code and enhanced code, joined with "\n". */
  text: string;
  /** The raw lines as received (sanitised), for the transcript. */
  lines: string[];
}

export type ReplyErrorCode = 'line_too_long' | 'reply_too_long' | 'malformed_reply';

export interface ReplyError {
  error: ReplyErrorCode;
  message: string;
  /** The offending line (sanitised and shortened), when there is one. */
  line?: string;
}

export interface ReplyParserLimits {
  /** RFC 5321 §4.5.3.1.5 allows 512 octets; real servers stay well under 1,000. */
  maxLineBytes: number;
  /** EHLO replies are the longest real ones, rarely over 30 lines. */
  maxLines: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyParserLimits = { maxLineBytes: 4096, maxLines: 100 };

const LINE = /^([2-5][0-9][0-9])([ -]|$)(.*)$/s;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

export class ReplyParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lines: string[] = [];
  private failed: ReplyError | null = null;
  private readonly limits: ReplyParserLimits;

  constructor(limits: Partial<ReplyParserLimits> = {}) {
    this.limits = { ...DEFAULT_REPLY_LIMITS, ...limits };
  }

  /** Feeds received bytes; returns the replies (and at most one final error) they complete. */
  push(chunk: Buffer | string): Array<Reply | ReplyError> {
    if (this.failed) return [];
    const out: Array<Reply | ReplyError> = [];
    let data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (;;) {
      const lf = data.indexOf(0x0a);
      if (lf < 0) {
        this.pending.push(data);
        this.pendingBytes += data.length;
        if (this.pendingBytes > this.limits.maxLineBytes) {
          out.push(this.fail('line_too_long', `a reply line exceeded ${this.limits.maxLineBytes} bytes`));
        }
        return out;
      }
      const head = data.subarray(0, lf);
      data = data.subarray(lf + 1);
      const lineBytes = this.pendingBytes + head.length;
      const raw = this.pending.length ? Buffer.concat([...this.pending, head]) : head;
      this.pending = [];
      this.pendingBytes = 0;
      if (lineBytes > this.limits.maxLineBytes) {
        out.push(this.fail('line_too_long', `a reply line exceeded ${this.limits.maxLineBytes} bytes`));
        return out;
      }
      const result = this.takeLine(stripCr(raw.toString('utf8')));
      if (result) out.push(result);
      if (this.failed) return out;
    }
  }

  /** Drops buffered bytes: after STARTTLS, plaintext sent before the handshake must not be read (RFC 3207 §4.2). */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.lines = [];
  }

  /** Bytes of an unfinished reply are waiting: the server stopped mid-reply. */
  get midReply(): boolean {
    return this.pendingBytes > 0 || this.lines.length > 0;
  }

  private takeLine(line: string): Reply | ReplyError | null {
    const clean = sanitize(line);
    const match = LINE.exec(line);
    if (!match) return this.fail('malformed_reply', 'the server sent a line that is not an SMTP reply', clean);
    this.lines.push(clean);
    if (match[2] === '-') {
      if (this.lines.length >= this.limits.maxLines) {
        return this.fail('reply_too_long', `a reply ran over ${this.limits.maxLines} lines`, clean);
      }
      return null;
    }
    const lines = this.lines;
    this.lines = [];
    return buildReply(Number(match[1]), lines);
  }

  private fail(error: ReplyErrorCode, message: string, line?: string): ReplyError {
    this.failed = { error, message, ...(line === undefined ? {} : { line: line.slice(0, 200) }) };
    this.pending = [];
    this.lines = [];
    return this.failed;
  }
}

export function isReplyError(value: Reply | ReplyError): value is ReplyError {
  return 'error' in value;
}

function buildReply(code: number, lines: string[]): Reply {
  // The last line's code is the reply's (RFC 5321 says all lines share it; some servers differ).
  const texts = lines.map((l) => l.slice(4));
  const first = ENHANCED.exec(texts[0] ?? '');
  const enhanced = first && first[1] === String(code)[0] ? `${first[1]}.${first[2]}.${first[3]}` : null;
  const text = enhanced
    ? texts.map((t) => (t.startsWith(enhanced) ? t.slice(enhanced.length).trimStart() : t)).join('\n')
    : texts.join('\n');
  return { code, enhanced, text, lines };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * Replies end up on terminals and in web pages: control characters (escape sequences) from a
 * hostile server are shown as \xNN, never passed through.
 */
export function sanitize(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
