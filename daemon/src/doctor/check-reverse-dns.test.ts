import { describe, expect, it } from 'vitest';
import { checkReverseDns, isPublicAddress } from './check-reverse-dns';
import { fakeResolver } from './fake-resolver.test-support';

describe('the reverse DNS check', () => {
  it('skips without a public IP, and never asks anyone for one', async () => {
    const resolver = fakeResolver({});
    expect(await checkReverseDns(resolver, undefined, { resolverWorks: true })).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/asks no third-party service/) });
    expect(await checkReverseDns(resolver, '127.0.0.1', { resolverWorks: true })).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/private address/) });
    expect(resolver.asked).toEqual([]);
  });

  it('is ok when the PTR name resolves back to the address', async () => {
    const resolver = fakeResolver({ ptr: { '203.0.113.7': ['mail.example.com'] }, a: { 'mail.example.com': ['203.0.113.7'] } });
    expect(await checkReverseDns(resolver, '203.0.113.7', { resolverWorks: true })).toMatchObject({ status: 'ok', summary: '203.0.113.7 → mail.example.com → 203.0.113.7 (forward-confirmed)' });
  });

  it('warns without a PTR record, or with one that does not resolve back', async () => {
    const none = await checkReverseDns(fakeResolver({}), '203.0.113.7', { resolverWorks: true });
    expect(none).toMatchObject({ status: 'warn', summary: expect.stringMatching(/has no reverse DNS \(PTR\) record/) });
    expect(none.advice).toMatch(/ask your ISP or hosting provider/);
    const mismatch = await checkReverseDns(fakeResolver({ ptr: { '203.0.113.7': ['dyn-7.isp.example'] }, a: { 'dyn-7.isp.example': ['198.51.100.9'] } }), '203.0.113.7', { resolverWorks: true });
    expect(mismatch).toMatchObject({ status: 'warn', summary: '203.0.113.7 → dyn-7.isp.example, but that name does not resolve back to 203.0.113.7' });
  });

  it('tells private from public addresses', () => {
    for (const ip of ['10.1.2.3', '127.0.25.10', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.1.1', '::1', 'fe80::1', 'fd00::1']) expect(isPublicAddress(ip)).toBe(false);
    for (const ip of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '2001:4860::8888']) expect(isPublicAddress(ip)).toBe(true);
  });
});
