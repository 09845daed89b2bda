import { beforeAll, describe, expect, it } from 'vitest';
import { addressFlags, loadAddressLists } from './flags';

beforeAll(loadAddressLists);

describe('addressFlags', () => {
  it('flags disposable inbox providers, subdomains of wildcard ones included', () => {
    expect(addressFlags('x', 'mailinator.com').disposable).toBe(true);
    expect(addressFlags('x', 'anything.33mail.com').disposable).toBe(true);
    expect(addressFlags('x', 'valid.test').disposable).toBe(false);
  });

  it('flags role accounts, ignoring case and +tags', () => {
    expect(addressFlags('Info', 'example.com').roleAccount).toBe(true);
    expect(addressFlags('sales+eu', 'example.com').roleAccount).toBe(true);
    expect(addressFlags('alice', 'example.com').roleAccount).toBe(false);
  });

  it('flags free mailbox providers', () => {
    expect(addressFlags('alice', 'gmail.com').freeProvider).toBe(true);
    expect(addressFlags('alice', 'valid.test').freeProvider).toBe(false);
  });
});

describe('addressFlags with Unicode and upper-case domains', () => {
  it('finds a listed Unicode domain however it is written: Unicode, punycode, other case', () => {
    // disposable-email-domains lists "instágram.com".
    expect(addressFlags('x', 'instágram.com').disposable).toBe(true);
    expect(addressFlags('x', 'INSTÁGRAM.com').disposable).toBe(true);
    expect(addressFlags('x', 'xn--instgram-cza.com').disposable).toBe(true);
    expect(addressFlags('x', 'instagram.com').disposable).toBe(false);
  });

  it('ignores case in ASCII domains and local parts', () => {
    expect(addressFlags('INFO', 'GMAIL.COM')).toEqual({ disposable: false, roleAccount: true, freeProvider: true });
    expect(addressFlags('x', 'Mailinator.Com').disposable).toBe(true);
  });
});
