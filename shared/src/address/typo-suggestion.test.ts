import { describe, expect, it } from 'vitest';
import { editDistance, suggestAddress, suggestDomain } from './typo-suggestion';

describe('suggestDomain', () => {
  it.each([
    ['gmial.com', 'gmail.com'],
    ['gmai.com', 'gmail.com'],
    ['gnail.com', 'gmail.com'],
    ['gmail.con', 'gmail.com'],
    ['hotmial.com', 'hotmail.com'],
    ['outlok.com', 'outlook.com'],
    ['yaho.com', 'yahoo.com'],
    ['icloud.cm', 'icloud.com'],
    ['hotmail.co.ukk', 'hotmail.co.uk'],
  ])('suggests %s → %s', (typo, fixed) => {
    expect(suggestDomain(typo)).toBe(fixed);
  });

  it.each(['gmail.com', 'mail.com', 'protonmail.ch', 'me.com', 'mac.com', 'valid.test', 'example.org', 'mycompany.de'])(
    'leaves real or unrelated domain %s alone',
    (domain) => {
      expect(suggestDomain(domain)).toBeNull();
    },
  );

  it('keeps the local part when suggesting an address', () => {
    expect(suggestAddress('Bob.Smith', 'gmial.com')).toBe('Bob.Smith@gmail.com');
    expect(suggestAddress('bob', 'gmail.com')).toBeNull();
  });
});

describe('editDistance', () => {
  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('gmial', 'gmail')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
