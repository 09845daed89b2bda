import { describe, expect, it } from 'vitest';
import { checkDns, describeServers } from './check-dns';
import { fakeResolver } from './fake-resolver.test-support';

describe('the DNS check', () => {
  it('finds the known domain\'s best MX, which the port-25 check then tries', async () => {
    const resolver = fakeResolver({
      mx: { 'gmail.com': [{ exchange: 'alt1.gmail-smtp-in.l.google.com', priority: 10 }, { exchange: 'gmail-smtp-in.l.google.com', priority: 5 }] },
      a: { 'gmail-smtp-in.l.google.com': ['142.250.1.26'], 'alt1.gmail-smtp-in.l.google.com': ['142.250.1.27'] },
    });
    const check = await checkDns(resolver, { kind: 'mx', domain: 'gmail.com' }, ['1.1.1.1']);
    expect(check).toMatchObject({ status: 'ok', target: { host: 'gmail-smtp-in.l.google.com', ip: '142.250.1.26' }, resolverWorks: true });
    expect(check.summary).toBe('DNS server 1.1.1.1 answered: gmail.com MX gmail-smtp-in.l.google.com → 142.250.1.26');
  });

  it('fails with advice when the resolver does not answer', async () => {
    for (const code of ['ETIMEOUT', 'ECONNREFUSED', 'ESERVFAIL']) {
      const check = await checkDns(fakeResolver({ all: code }), { kind: 'mx', domain: 'gmail.com' }, []);
      expect(check).toMatchObject({ status: 'fail', resolverWorks: false });
      expect(check.summary).toMatch(/^the system resolver failed looking up gmail.com MX/);
      expect(check.advice).toMatch(/mailping config set dnsServers/);
    }
  });

  it('calls a resolver that denies gmail.com exists broken', async () => {
    expect(await checkDns(fakeResolver({}), { kind: 'mx', domain: 'gmail.com' }, [])).toMatchObject({ status: 'fail', resolverWorks: false });
  });

  it('warns (resolver fine) when a named MX host has no address', async () => {
    const check = await checkDns(fakeResolver({}), { kind: 'host', host: 'ghost.example.com' }, ['127.0.0.1:5353']);
    expect(check).toMatchObject({ status: 'warn', resolverWorks: true, noTarget: 'ghost.example.com has no address (NXDOMAIN)' });
    expect(check.target).toBeUndefined();
  });

  it('names the servers it asked', () => {
    expect(describeServers([])).toBe('the system resolver');
    expect(describeServers(['1.1.1.1', '9.9.9.9'])).toBe('DNS servers 1.1.1.1, 9.9.9.9');
  });
});
