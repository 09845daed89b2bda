import { describe, expect, it } from 'vitest';
import { isSilentSite, normalizeSiteList, siteEntryHost } from './site-match';

describe('silent sites', () => {
  it.each([
    ['example.com', 'example.com'],
    ['  Example.COM ', 'example.com'],
    ['*.example.com', 'example.com'],
    ['https://mail.example.com/inbox?x=1', 'mail.example.com'],
    ['mail.example.com:8443', 'mail.example.com'],
    ['', null],
    ['   ', null],
  ])('reads the entry %j as host %j', (entry, host) => {
    expect(siteEntryHost(entry)).toBe(host);
  });

  it('silences a host and its subdomains, not look-alikes', () => {
    const list = ['example.com'];
    expect(isSilentSite('example.com', list)).toBe(true);
    expect(isSilentSite('app.example.com', list)).toBe(true);
    expect(isSilentSite('notexample.com', list)).toBe(false);
    expect(isSilentSite('example.com.evil.test', list)).toBe(false);
    expect(isSilentSite('', list)).toBe(false);
  });

  it('cleans a pasted list: hosts only, no duplicates, order kept', () => {
    expect(normalizeSiteList(['https://b.test/x', 'a.test', '', 'B.test', '*.c.test'])).toEqual(['b.test', 'a.test', 'c.test']);
  });
});
