import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ADDRESS_OCTETS, parseAddress } from './parse-address';

const ok = (input: string) => {
  const r = parseAddress(input);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got ${r.error.code}`);
  return r.address;
};
const code = (input: string) => {
  const r = parseAddress(input);
  return r.ok ? 'ok' : r.error.code;
};

describe('parseAddress', () => {
  it('accepts ordinary dot-atom addresses and lower-cases only the domain', () => {
    const a = ok('  Alice.Smith+news@Example.COM ');
    expect(a.local).toBe('Alice.Smith+news');
    expect(a.domain).toBe('example.com');
    expect(a.normalized).toBe('Alice.Smith+news@example.com');
    expect(a.smtputf8).toBe(false);
  });

  it('accepts every atext special character', () => {
    expect(ok("!#$%&'*+-/=?^_`{|}~@example.com").local).toBe("!#$%&'*+-/=?^_`{|}~");
  });

  it('accepts quoted local parts with spaces, @ and escaped quotes', () => {
    expect(ok('"john doe"@example.com').quoted).toBe(true);
    expect(ok('"a@b"@example.com').local).toBe('"a@b"');
    expect(ok('"say \\"hi\\""@example.com').local).toBe('"say \\"hi\\""');
    expect(code('"unclosed@example.com')).toBe('quoted_local_invalid');
    expect(code('"a"b"@example.com')).toBe('quoted_local_invalid');
  });

  it('converts IDN domains to punycode and keeps the Unicode form for display', () => {
    const a = ok('jörg@Bücher.Example');
    expect(a.domain).toBe('xn--bcher-kva.example');
    expect(a.unicodeDomain).toBe('bücher.example');
    expect(a.smtputf8).toBe(true);
    expect(ok('a@例え.テスト').domain).toBe('xn--r8jz45g.xn--zckzah');
  });

  it('drops one trailing root dot', () => {
    expect(ok('a@example.com.').domain).toBe('example.com');
    expect(code('a@example.com..')).toBe('domain_invalid');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['plainaddress', 'missing_at'],
    ['@example.com', 'local_empty'],
    ['a@', 'domain_empty'],
    ['.a@example.com', 'local_dot'],
    ['a.@example.com', 'local_dot'],
    ['a..b@example.com', 'local_dot'],
    ['a b@example.com', 'whitespace'],
    ['a@exa mple.com', 'whitespace'],
    ['a(b)@example.com', 'local_invalid_char'],
    ['a,b@example.com', 'local_invalid_char'],
    ['a@b@example.com', 'local_invalid_char'],
    ['a@localhost', 'domain_single_label'],
    ['a@-example.com', 'domain_label_hyphen'],
    ['a@example-.com', 'domain_label_hyphen'],
    ['a@exa_mple.com', 'domain_invalid'],
    ['a@1.2.3.4', 'domain_numeric_tld'],
    ['a@[192.0.2.1]', 'address_literal'],
    [`${'a'.repeat(65)}@example.com`, 'local_too_long'],
    [`a@${'b'.repeat(64)}.com`, 'domain_label_too_long'],
    ['a\r\nRCPT TO:<x@y.z>@example.com', 'control_character'],
    ['a@example.com\u0000', 'control_character'],
    ['a\u001b[31m@example.com', 'control_character'],
  ])('rejects %j with %s', (input, expected) => {
    expect(code(input)).toBe(expected);
  });

  it('counts the 64-octet local-part limit in UTF-8 bytes', () => {
    expect(code(`${'a'.repeat(64)}@example.com`)).toBe('ok');
    expect(code(`${'é'.repeat(33)}@example.com`)).toBe('local_too_long');
  });

  it('enforces the 254-octet total length', () => {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(60)}.com`;
    expect(code(`${'a'.repeat(64)}@${domain}`)).toBe('address_too_long');
    expect(`${'a'.repeat(64)}@${domain}`.length).toBeGreaterThan(MAX_ADDRESS_OCTETS);
  });

  it('gives every rejection a message a person can read', () => {
    const r = parseAddress('a..b@example.com');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/dot/);
  });

  it('never accepts CR, LF or NUL inside an address (property)', () => {
    const word = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s);
    fc.assert(
      fc.property(word, fc.constantFrom('\r', '\n', '\0', '\r\n'), word, (a, bad, b) => {
        return !parseAddress(`${a}${bad}${b}@example.com`).ok && !parseAddress(`a@${a}${bad}${b}.com`).ok;
      }),
      { numRuns: 2000 },
    );
  });

  it('only ever yields control-free addresses, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ maxLength: 40 }), (local, domain) => {
        const r = parseAddress(`${local}@${domain}`);
        return !r.ok || !/[\u0000-\u001f\u007f]/.test(r.address.normalized);
      }),
      { numRuns: 3000 },
    );
  });

  it('trims pasted whitespace, including a trailing newline', () => {
    expect(ok('alice@example.com\r\n').normalized).toBe('alice@example.com');
  });

  it('normalises idempotently and keeps accepted addresses free of control characters (property)', () => {
    const local = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]{1,20}(\.[A-Za-z0-9_-]{1,10}){0,2}$/);
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
    fc.assert(
      fc.property(local, fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'test', 'org'), (l, labels, tld) => {
        const input = `${l}@${labels.join('.')}.${tld}`.toUpperCase();
        const first = parseAddress(input);
        if (!first.ok) return true;
        const again = parseAddress(first.address.normalized);
        return again.ok && again.address.normalized === first.address.normalized && !/[\r\n\0]/.test(first.address.normalized);
      }),
      { numRuns: 1000 },
    );
  });

  it('survives any input without throwing (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => typeof parseAddress(s).ok === 'boolean'), { numRuns: 3000 });
  });
});
