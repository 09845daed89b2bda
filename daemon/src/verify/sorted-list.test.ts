import { describe, expect, it } from 'vitest';
import { SortedList } from './sorted-list';

const list = (entries: string[]): SortedList => new SortedList(Buffer.from(entries.length ? `${entries.join('\n')}\n` : ''));

describe('SortedList', () => {
  it('finds every entry and nothing between, before or after them', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => `d${String(i * 2).padStart(5, '0')}.example`).sort();
    const l = list(entries);
    for (const e of entries) expect(l.has(e)).toBe(true);
    for (let i = 0; i < 1000; i++) expect(l.has(`d${String(i * 2 + 1).padStart(5, '0')}.example`)).toBe(false);
    expect(l.has('a')).toBe(false);
    expect(l.has('z')).toBe(false);
    expect(l.size).toBe(1000);
  });

  it('tells an entry from its prefixes and extensions', () => {
    const l = list(['mail.com', 'mail.company', 'mailinator.com']);
    expect(l.has('mail.com')).toBe(true);
    expect(l.has('mail.co')).toBe(false);
    expect(l.has('mail.comp')).toBe(false);
    expect(l.has('ail.com')).toBe(false);
    expect(l.has('mailinator.com')).toBe(true);
  });

  it('works at the edges: one entry, no entries, no final newline, odd input', () => {
    expect(list(['only']).has('only')).toBe(true);
    expect(list([]).has('only')).toBe(false);
    expect(new SortedList(Buffer.from('a\nb\nc')).has('c')).toBe(true);
    expect(list(['a', 'b']).has('')).toBe(false);
    expect(list(['a', 'b']).has('a\nb')).toBe(false);
  });
});
