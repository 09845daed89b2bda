import { describe, expect, it } from 'vitest';
import { createNetworkPolicy } from '../network/network-policy';
import { describeClient, refusalOf } from './client-info';

describe('where a request comes from', () => {
  const behindProxy = { network: createNetworkPolicy({ localNetworks: ['127.0.0.0/8', '::1/128'], trustedProxies: ['127.0.0.1'] }) };

  it('takes the client from X-Forwarded-For only through a trusted proxy, and counts it as the network', () => {
    const viaProxy = describeClient(behindProxy, { remoteAddress: '127.0.0.1' }, { 'x-forwarded-for': '203.0.113.5' });
    expect(viaProxy).toEqual({ address: '203.0.113.5', local: false, encrypted: true });
    // Even a forwarded loopback address is not this machine: the proxy says who connected to it.
    expect(describeClient(behindProxy, { remoteAddress: '127.0.0.1' }, { 'x-forwarded-for': '127.0.0.1' }).local).toBe(false);
    const direct = describeClient(behindProxy, { remoteAddress: '::ffff:198.51.100.7' }, { 'x-forwarded-for': '127.0.0.1' });
    expect(direct).toEqual({ address: '198.51.100.7', local: false, encrypted: false });
    expect(describeClient(behindProxy, { remoteAddress: '127.0.0.2' }, {})).toEqual({ address: '127.0.0.2', local: true, encrypted: false });
  });

  it('refuses plain text from the network, never from this machine or over TLS', () => {
    expect(refusalOf({ address: '198.51.100.7', local: false, encrypted: false })).toMatch(/TLS only/);
    expect(refusalOf({ address: '198.51.100.7', local: false, encrypted: true })).toBeNull();
    expect(refusalOf({ address: '127.0.0.1', local: true, encrypted: false })).toBeNull();
  });
});
