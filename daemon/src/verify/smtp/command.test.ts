import fc from 'fast-check';
import { parseAddress } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { CommandInjectionError, command, ehlo, mailFrom, rcptTo } from './command';

describe('SMTP commands', () => {
  it('builds the commands of a verification', () => {
    expect(ehlo('verifier.example')).toBe('EHLO verifier.example');
    expect(mailFrom('')).toBe('MAIL FROM:<>');
    expect(mailFrom('me@example.com', ['SMTPUTF8'])).toBe('MAIL FROM:<me@example.com> SMTPUTF8');
    expect(rcptTo('"john doe"@example.com')).toBe('RCPT TO:<"john doe"@example.com>');
  });

  it.each(['a\r\nDATA', 'a\nx', 'a\rx', 'a\u0000b'])('refuses to put %j on the wire', (arg) => {
    expect(() => rcptTo(arg)).toThrow(CommandInjectionError);
    expect(() => ehlo(arg)).toThrow(CommandInjectionError);
    expect(() => command('MAIL FROM:', arg)).toThrow(CommandInjectionError);
  });

  it('no parsed address ever yields a command with CR, LF or NUL (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (input) => {
        const parsed = parseAddress(input);
        if (!parsed.ok) return true;
        const line = rcptTo(parsed.address.normalized);
        return !/[\r\n\0]/.test(line);
      }),
      { numRuns: 5000 },
    );
  });
});
