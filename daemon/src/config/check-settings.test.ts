import { describe, expect, it } from 'vitest';
import { checkDnsServer, checkSettings, isHeloName } from './check-settings';
import { DEFAULT_SETTINGS, type Settings } from './settings';

const issues = (change: Partial<Settings>) => checkSettings({ ...DEFAULT_SETTINGS, ...change }).map((i) => i.key);

describe('what the schema cannot check', () => {
  it('accepts the defaults', () => {
    expect(checkSettings(DEFAULT_SETTINGS)).toEqual([]);
  });

  it('wants the sender to be an address, or empty for the null sender', () => {
    expect(issues({ from: 'me@mailping.test' })).toEqual([]);
    expect(issues({ from: '' })).toEqual([]);
    expect(issues({ from: 'me' })).toEqual(['from']);
    expect(issues({ from: 'a@b@c' })).toEqual(['from']);
  });

  it('wants the HELO name to be a host name or an address literal', () => {
    for (const good of ['mail.example.com', 'localhost', 'verifier.mailping.test', '[192.0.2.1]', '[IPv6:2001:db8::1]']) expect(isHeloName(good)).toBe(true);
    for (const bad of ['mail example.com', '-bad.example', 'a..b', '[not-an-ip]', 'x'.repeat(254), 'exa_mple.com']) expect(isHeloName(bad)).toBe(false);
    expect(issues({ helo: 'two words' })).toEqual(['helo']);
  });

  it('wants DNS servers as ip[:port]', () => {
    expect(checkDnsServer('1.1.1.1')).toBeNull();
    expect(checkDnsServer('127.0.0.1:5353')).toBeNull();
    expect(checkDnsServer('[2001:db8::1]:53')).toBeNull();
    expect(checkDnsServer('2001:db8::1')).toBeNull();
    expect(checkDnsServer('dns.google')).toMatch(/not an IP address/);
    expect(checkDnsServer('1.1.1.1:0')).toMatch(/port must be between/);
    expect(checkDnsServer('1.1.1.1:70000')).toMatch(/port must be between/);
    expect(issues({ dnsServers: ['1.1.1.1', 'nope'] })).toEqual(['dnsServers[1]']);
  });

  it('wants the proxy as a socks5:// URL', () => {
    expect(issues({ socksProxy: 'socks5://127.0.0.1:1080' })).toEqual([]);
    expect(issues({ socksProxy: 'socks5://user:secret@proxy.example' })).toEqual([]);
    expect(issues({ socksProxy: 'http://127.0.0.1:8080' })).toEqual(['socksProxy']);
    expect(issues({ socksProxy: 'socks4://127.0.0.1:1080' })).toEqual(['socksProxy']);
    expect(issues({ socksProxy: '127.0.0.1:1080' })).toEqual(['socksProxy']);
    expect(issues({ socksProxy: 'socks5://127.0.0.1:0' })).toEqual(['socksProxy']);
  });
});
