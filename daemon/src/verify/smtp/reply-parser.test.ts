import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReplyError, ReplyParser, type Reply, type ReplyError } from './reply-parser';

const parseAll = (...chunks: string[]): Array<Reply | ReplyError> => {
  const p = new ReplyParser();
  return chunks.flatMap((c) => p.push(c));
};

describe('ReplyParser', () => {
  it('parses a single-line reply with an enhanced code', () => {
    const [r] = parseAll('250 2.1.5 Ok\r\n') as Reply[];
    expect(r).toEqual({ code: 250, enhanced: '2.1.5', text: 'Ok', lines: ['250 2.1.5 Ok'] });
  });

  it('joins multi-line replies and strips the enhanced code from each line', () => {
    const [r] = parseAll('550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 Please try double-checking.\r\n') as Reply[];
    expect(r!.code).toBe(550);
    expect(r!.enhanced).toBe('5.1.1');
    expect(r!.text).toBe('The email account that you tried to reach does not exist.\nPlease try double-checking.');
  });

  it('reads the Postfix EHLO reply as one reply', () => {
    const replies = parseAll('250-mx1.valid.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n');
    expect(replies).toHaveLength(1);
    expect((replies[0] as Reply).lines).toHaveLength(5);
    expect((replies[0] as Reply).enhanced).toBeNull();
  });

  it('keeps a partial line until the rest arrives, even split inside the code or a UTF-8 character', () => {
    const p = new ReplyParser();
    expect(p.push('25')).toEqual([]);
    expect(p.midReply).toBe(true);
    const euro = Buffer.from('0 caf\u00e9 \u20ac\r\n', 'utf8');
    expect(p.push(euro.subarray(0, 7))).toEqual([]);
    const [r] = p.push(euro.subarray(7)) as Reply[];
    expect(r!.text).toBe('caf\u00e9 \u20ac');
    expect(p.midReply).toBe(false);
  });

  it('splits pipelined replies that arrive in one packet', () => {
    const replies = parseAll('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <x@y.test>: Recipient address rejected: User unknown\r\n') as Reply[];
    expect(replies.map((r) => r.code)).toEqual([250, 250, 550]);
  });

  it('accepts bare LF line endings and a code without text', () => {
    const replies = parseAll('220\n250 ok\n') as Reply[];
    expect(replies.map((r) => [r.code, r.text])).toEqual([[220, ''], [250, 'ok']]);
  });

  it('ignores an enhanced code whose class does not match the reply code', () => {
    const [r] = parseAll('550 2.1.5 odd\r\n') as Reply[];
    expect(r!.enhanced).toBeNull();
    expect(r!.text).toBe('2.1.5 odd');
  });

  it('rejects garbage as a malformed reply and stops', () => {
    const p = new ReplyParser();
    const [e] = p.push('HTTP/1.1 400 Bad Request\r\n') as ReplyError[];
    expect(e!.error).toBe('malformed_reply');
    expect(p.push('250 ok\r\n')).toEqual([]);
  });

  it('rejects codes outside 200-599', () => {
    expect((parseAll('199 hi\r\n')[0] as ReplyError).error).toBe('malformed_reply');
    expect((parseAll('600 hi\r\n')[0] as ReplyError).error).toBe('malformed_reply');
  });

  it('bounds a line that never ends (1 MB without a newline)', () => {
    const p = new ReplyParser({ maxLineBytes: 4096 });
    const chunk = '2'.repeat(64 * 1024);
    let result: Array<Reply | ReplyError> = [];
    for (let i = 0; i < 16 && result.length === 0; i++) result = p.push(chunk);
    expect((result[0] as ReplyError).error).toBe('line_too_long');
  });

  it('bounds an endless multi-line reply', () => {
    const p = new ReplyParser({ maxLines: 100 });
    const out = p.push('250-x\r\n'.repeat(150));
    expect(out).toHaveLength(1);
    expect((out[0] as ReplyError).error).toBe('reply_too_long');
  });

  it('shows control characters from the server as escapes', () => {
    const [r] = parseAll('250 hi \u001b[31mred\u0007\r\n') as Reply[];
    expect(r!.text).toBe('hi \\x1b[31mred\\x07');
  });

  it('forgets buffered plaintext on reset (STARTTLS)', () => {
    const p = new ReplyParser();
    p.push('250-half');
    p.reset();
    expect(p.push('220 fresh\r\n')).toEqual([expect.objectContaining({ code: 220, text: 'fresh' })]);
  });

  it('gives the same replies however the bytes are split (property)', () => {
    const line = fc.tuple(fc.integer({ min: 200, max: 599 }), fc.stringMatching(/^[ -~]{0,40}$/));
    const reply = fc.array(line, { minLength: 1, maxLength: 5 }).map((lines) => {
      const code = lines[lines.length - 1]![0];
      return lines.map(([, text], i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${text}\r\n`).join('');
    });
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (replies, cuts) => {
        const wire = Buffer.from(replies.join(''));
        const whole = new ReplyParser().push(wire);
        const p = new ReplyParser();
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const pieces: Array<Reply | ReplyError> = [];
        let from = 0;
        for (const at of [...points, wire.length]) {
          pieces.push(...p.push(wire.subarray(from, at)));
          from = at;
        }
        expect(pieces).toEqual(whole);
        expect(whole.filter((r) => !isReplyError(r))).toHaveLength(replies.length);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and never buffers past its limits on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 20 }), (chunks) => {
        const p = new ReplyParser({ maxLineBytes: 1024, maxLines: 10 });
        for (const c of chunks) {
          for (const item of p.push(Buffer.from(c))) {
            if (!isReplyError(item)) {
              expect(item.lines.length).toBeLessThanOrEqual(10);
              for (const l of item.lines) expect(/[\r\n\u0000]/.test(l)).toBe(false);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
