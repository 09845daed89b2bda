import { describe, expect, it } from 'vitest';
import { createNetworkPolicy, parseCidr } from './network-policy';

describe('network policy', () => {
  const policy = createNetworkPolicy({ localNetworks: ['127.0.0.0/8', '::1'], trustedProxies: ['10.0.0.2'] });

  it('tells this machine from the network, v4-mapped peers included', () => {
    expect(policy.isLocal('127.0.0.1')).toBe(true);
    expect(policy.isLocal('::ffff:127.0.0.9')).toBe(true);
    expect(policy.isLocal('::1')).toBe(true);
    expect(policy.isLocal('10.0.0.2')).toBe(false);
    expect(policy.isLocal('not an ip')).toBe(false);
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only its rightmost untrusted hop', () => {
    expect(policy.clientAddress('198.51.100.7', '127.0.0.1')).toBe('198.51.100.7');
    expect(policy.clientAddress('10.0.0.2', '127.0.0.1, 203.0.113.5')).toBe('203.0.113.5');
    expect(policy.clientAddress('10.0.0.2', ['203.0.113.5', '10.0.0.2'])).toBe('203.0.113.5');
    expect(policy.clientAddress('10.0.0.2', 'garbage')).toBe('10.0.0.2');
    expect(policy.clientAddress('10.0.0.2', undefined)).toBe('10.0.0.2');
  });

  it('budgets an IPv6 host by its /64', () => {
    expect(policy.budgetKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(policy.budgetKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(policy.budgetKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(policy.budgetKey('203.0.113.5')).toBe('203.0.113.5');
  });

  it('parses networks and refuses junk', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ ok: true, prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1')).toMatchObject({ ok: true, prefix: 128, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '10.0.0.0/x']) expect(parseCidr(bad).ok, bad).toBe(false);
  });
});
