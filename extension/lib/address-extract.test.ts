import { describe, expect, it } from 'vitest';
import { addressFromMailto, findAddressIn } from './address-extract';

describe('finding the address in what was right-clicked', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['  alice@example.com\n', 'alice@example.com'],
    ['Write to Alice <alice@example.com>.', 'alice@example.com'],
    ['(bob.smith+news@mail.example.org)', 'bob.smith+news@mail.example.org'],
    ['"carol@example.net",', 'carol@example.net'],
    ['contact: dave@example.com!', 'dave@example.com'],
    ['mailto:erin@example.com', 'erin@example.com'],
    ['josé@exámple.com', 'josé@exámple.com'],
    ['no address here', null],
    ['trailing@', null],
    ['@leading.example', null],
  ])('%j → %j', (text, expected) => {
    expect(findAddressIn(text)).toBe(expected);
  });

  it.each([
    ['mailto:alice@example.com', 'alice@example.com'],
    ['MAILTO:alice@example.com?subject=Hi%20there', 'alice@example.com'],
    ['mailto:alice@example.com,bob@example.com', 'alice@example.com'],
    ['mailto:al%69ce@example.com', 'alice@example.com'],
    ['mailto:?to=alice@example.com', null],
    ['https://example.com', null],
  ])('mailto %j → %j', (url, expected) => {
    expect(addressFromMailto(url)).toBe(expected);
  });
});
