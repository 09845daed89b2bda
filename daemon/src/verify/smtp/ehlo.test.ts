import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCapability, parseEhlo } from './ehlo';
import { ReplyParser, type Reply } from './reply-parser';

const reply = (wire: string): Reply => new ReplyParser().push(wire)[0] as Reply;

describe('parseEhlo', () => {
  it('reads the server name and keywords of a Postfix EHLO reply', () => {
    const caps = parseEhlo(reply('250-mx1.valid.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n'));
    expect(caps.serverName).toBe('mx1.valid.test');
    expect(hasCapability(caps, 'pipelining')).toBe(true);
    expect(caps.keywords.get('SIZE')).toEqual(['10240000']);
    expect(hasCapability(caps, 'STARTTLS')).toBe(true);
    expect(hasCapability(caps, 'AUTH')).toBe(false);
  });

  it('treats keywords case-insensitively and skips junk lines', () => {
    const caps = parseEhlo(reply('250-mx Hello there\r\n250-pipelining\r\n250-   \r\n250-!!bad\r\n250 auth PLAIN LOGIN\r\n'));
    expect([...caps.keywords.keys()]).toEqual(['PIPELINING', 'AUTH']);
    expect(caps.keywords.get('AUTH')).toEqual(['PLAIN', 'LOGIN']);
  });

  it('handles a one-line reply (no extensions)', () => {
    expect(parseEhlo(reply('250 mx.plain.test\r\n')).keywords.size).toBe(0);
  });

  it('never throws on any reply the parser accepts (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[ -~]{0,60}$/), { minLength: 1, maxLength: 30 }), (texts) => {
        const wire = texts.map((t, i) => `250${i === texts.length - 1 ? ' ' : '-'}${t}\r\n`).join('');
        const caps = parseEhlo(reply(wire));
        for (const k of caps.keywords.keys()) expect(k).toMatch(/^[A-Z0-9][A-Z0-9-]*$/);
      }),
      { numRuns: 500 },
    );
  });
});
