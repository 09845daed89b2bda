import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseDaemonUrl } from './daemon-url';

const ok = (input: string) => {
  const parsed = parseDaemonUrl(input);
  if (!parsed.ok) throw new Error(`refused ${input}: ${parsed.message}`);
  return parsed.value;
};
const refusal = (input: string) => {
  const parsed = parseDaemonUrl(input);
  if (parsed.ok) throw new Error(`accepted ${input} as ${parsed.value.url}`);
  return parsed.message;
};

describe('parseDaemonUrl: ws:// only to this machine, wss:// for anything else', () => {
  it('takes a local daemon in plain text, with the health probe and the host:port label of local mode', () => {
    expect(ok('ws://127.0.0.1:7425')).toEqual({
      url: 'ws://127.0.0.1:7425',
      webSocketUrl: 'ws://127.0.0.1:7425/ws',
      healthUrl: 'http://127.0.0.1:7425/health',
      host: '127.0.0.1',
      port: 7425,
      local: true,
      label: '127.0.0.1:7425',
    });
    expect(ok('ws://localhost').port).toBe(7425);
    expect(ok('ws://[::1]:7500').label).toBe('[::1]:7500');
    expect(ok('http://127.0.0.2:7500/').webSocketUrl).toBe('ws://127.0.0.2:7500/ws');
  });

  it('takes a server over TLS, names it, and has no health probe for it (it would need a host permission)', () => {
    const server = ok('wss://verify.example.com');
    expect(server).toMatchObject({ url: 'wss://verify.example.com', webSocketUrl: 'wss://verify.example.com/ws', healthUrl: null, local: false, label: 'verify.example.com', port: 443 });
    expect(ok('https://verify.example.com:7425/').webSocketUrl).toBe('wss://verify.example.com:7425/ws');
    expect(ok('https://verify.example.com:7425/').label).toBe('verify.example.com:7425');
    // No scheme typed: TLS, never plain text.
    expect(ok('verify.example.com').url).toBe('wss://verify.example.com');
    // Behind a reverse proxy under a path; the /ws a person may paste is not doubled.
    expect(ok('wss://example.com/mailping/ws').webSocketUrl).toBe('wss://example.com/mailping/ws');
  });

  it('refuses plain text to anything but loopback, and says what to use instead', () => {
    expect(refusal('ws://verify.example.com')).toMatch(/unencrypted.*wss:\/\/verify\.example\.com/);
    expect(refusal('http://10.0.0.5:7425')).toMatch(/wss:\/\/10\.0\.0\.5:7425/);
    // A name that only looks local is still the network.
    expect(refusal('ws://127.0.0.1.example.com')).toMatch(/unencrypted/);
    expect(refusal('ws://localhost.example.com:7425')).toMatch(/unencrypted/);
  });

  it('refuses what is not a daemon URL', () => {
    expect(refusal('ftp://verify.example.com')).toMatch(/not a daemon URL/);
    expect(refusal('wss://user:secret@verify.example.com')).toMatch(/password/);
    expect(refusal('wss://verify.example.com/?token=x')).toMatch(/query/);
    expect(refusal('wss://')).toMatch(/not a URL/);
  });

  it('counts all of 127.0.0.0/8, ::1 and localhost as this machine', () => {
    for (const host of ['127.0.0.1', '127.0.43.1', 'localhost', 'LOCALHOST', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['128.0.0.1', '10.0.0.1', 'verify.example.com', '::ffff:7f00:1', '127.0.0.1.nip.io']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
