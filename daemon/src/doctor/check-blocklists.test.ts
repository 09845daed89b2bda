import { describe, expect, it } from 'vitest';
import { checkBlocklists, dnsblQueryName, heloPtrMismatch } from './check-blocklists';
import { fakeResolver } from './fake-resolver.test-support';

describe('the block list check', () => {
  it('builds DNSBL names from IPv4 and IPv6 addresses', () => {
    expect(dnsblQueryName('203.0.113.7', 'zen.spamhaus.org')).toBe('7.113.0.203.zen.spamhaus.org');
    expect(dnsblQueryName('2001:db8::1', 'zen.spamhaus.org')).toBe(`1.0.0.0.${'0.'.repeat(20)}8.b.d.0.1.0.0.2.zen.spamhaus.org`);
  });

  it('is ok when every list says NXDOMAIN', async () => {
    const result = await checkBlocklists(fakeResolver({}), '203.0.113.7', { resolverWorks: true });
    expect(result).toMatchObject({ status: 'ok', summary: '203.0.113.7 is not on Spamhaus ZEN, Barracuda, SpamCop' });
  });

  it('warns when listed, naming the list and the code, and says where to ask for removal', async () => {
    const result = await checkBlocklists(fakeResolver({ a: { '7.113.0.203.zen.spamhaus.org': ['127.0.0.4'] } }), '203.0.113.7', { resolverWorks: true });
    expect(result).toMatchObject({ status: 'warn', summary: expect.stringContaining('listed on Spamhaus ZEN (127.0.0.4)') });
    expect(result.advice).toContain('https://check.spamhaus.org/');
  });

  it('says it cannot tell when the lists refuse the resolver, never "not listed"', async () => {
    const refused = fakeResolver({
      a: {
        '7.113.0.203.zen.spamhaus.org': ['127.255.255.254'],
        '7.113.0.203.b.barracudacentral.org': { error: 'ETIMEOUT' },
        '7.113.0.203.bl.spamcop.net': { error: 'ESERVFAIL' },
      },
    });
    expect(await checkBlocklists(refused, '203.0.113.7', { resolverWorks: true })).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/^cannot tell/) });
    const partly = await checkBlocklists(fakeResolver({ a: { '7.113.0.203.zen.spamhaus.org': ['127.255.255.254'] } }), '203.0.113.7', { resolverWorks: true });
    expect(partly).toMatchObject({ status: 'ok', summary: expect.stringContaining('Spamhaus ZEN could not tell') });
  });

  it('skips private addresses and unknown IPs without asking', async () => {
    const resolver = fakeResolver({});
    expect((await checkBlocklists(resolver, '192.168.1.4', { resolverWorks: true })).status).toBe('skipped');
    expect((await checkBlocklists(resolver, undefined, { resolverWorks: true })).status).toBe('skipped');
    expect(resolver.asked).toEqual([]);
  });

  it('compares the HELO name with the PTR name', () => {
    expect(heloPtrMismatch('mail.example.com', 'mail.example.com', '203.0.113.7')).toBeNull();
    expect(heloPtrMismatch('MAIL.example.com.', 'mail.example.com', '203.0.113.7')).toBeNull();
    expect(heloPtrMismatch('laptop.example.com', 'mail.example.com', '203.0.113.7')).toMatchObject({ advice: expect.stringContaining('mailping config set helo mail.example.com') });
    expect(heloPtrMismatch('laptop.example.com', undefined, '203.0.113.7')).toBeNull();
  });
});
