import { describe, expect, it } from 'vitest';
import { checkHelo, heloShape } from './check-helo';
import { fakeResolver } from './fake-resolver.test-support';

const resolver = fakeResolver({ a: { 'mail.example.com': ['203.0.113.7'], 'other.example.com': ['198.51.100.1'] } });

describe('the HELO name check', () => {
  it('sorts names by shape before asking DNS', () => {
    expect(heloShape('localhost')).toBe('localhost');
    expect(heloShape('localhost.localdomain')).toBe('localhost');
    expect(heloShape('vm')).toBe('bare');
    expect(heloShape('laptop.local')).toBe('private_suffix');
    expect(heloShape('box.lan')).toBe('private_suffix');
    expect(heloShape('mail.example.com')).toBe('fqdn');
    expect(heloShape('mail.example.com.')).toBe('fqdn');
    expect(heloShape('[203.0.113.7]')).toBe('address_literal');
    expect(heloShape('203.0.113.7')).toBe('invalid');
  });

  it('warns about localhost and bare host names without a lookup', async () => {
    const local = await checkHelo(resolver, 'localhost', { configured: false, resolverWorks: true });
    expect(local).toMatchObject({ status: 'warn', summary: expect.stringMatching(/"localhost" \(this machine's host name\) is localhost/) });
    expect(local.advice).toMatch(/mailping config set helo/);
    const bare = await checkHelo(resolver, 'vm', { configured: true, resolverWorks: true });
    expect(bare).toMatchObject({ status: 'warn', summary: expect.stringMatching(/"vm" is not a fully qualified domain name/) });
  });

  it('is ok for a name that resolves, and says so when it matches our public IP', async () => {
    expect(await checkHelo(resolver, 'mail.example.com', { configured: true, resolverWorks: true })).toMatchObject({ status: 'ok', summary: '"mail.example.com" resolves to 203.0.113.7' });
    expect(await checkHelo(resolver, 'mail.example.com', { configured: true, resolverWorks: true, publicIp: '203.0.113.7' })).toMatchObject({
      status: 'ok',
      summary: '"mail.example.com" resolves to 203.0.113.7 (our public IP)',
    });
  });

  it('warns when the name does not exist or points elsewhere than our public IP', async () => {
    expect(await checkHelo(resolver, 'ghost.example.com', { configured: true, resolverWorks: true })).toMatchObject({ status: 'warn', summary: expect.stringMatching(/does not exist in DNS \(NXDOMAIN\)/) });
    const elsewhere = await checkHelo(resolver, 'other.example.com', { configured: true, resolverWorks: true, publicIp: '203.0.113.7' });
    expect(elsewhere).toMatchObject({ status: 'warn', summary: '"other.example.com" resolves to 198.51.100.1, but mail servers see us as 203.0.113.7' });
    expect(elsewhere.advice).toMatch(/point other.example.com at 203.0.113.7/);
  });

  it('does not wait on a resolver already known to be dead', async () => {
    const dead = fakeResolver({ all: 'ETIMEOUT' });
    expect(await checkHelo(dead, 'mail.example.com', { configured: true, resolverWorks: false })).toMatchObject({ status: 'skipped' });
    expect(dead.asked).toEqual([]);
  });
});
