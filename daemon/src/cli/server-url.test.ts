import { describe, expect, it } from 'vitest';
import { parseServerUrl } from './server-url';

describe('server URLs', () => {
  it('take https:// and wss:// to anything, as https', () => {
    expect(parseServerUrl('https://verify.example.com')).toMatchObject({ ok: true });
    const wss = parseServerUrl('wss://verify.example.com:8443/');
    expect(wss.ok && wss.base.href).toBe('https://verify.example.com:8443/');
  });
  it('take ws:// and http:// to loopback only', () => {
    for (const ok of ['ws://127.0.0.1:7425', 'http://localhost:7425', 'ws://[::1]:7425', 'http://127.9.9.9']) expect(parseServerUrl(ok).ok, ok).toBe(true);
    for (const bad of ['ws://verify.example.com', 'http://192.168.1.5:7425', 'ws://127.0.0.1.evil.example', 'http://[::2]', 'ftp://x', 'nonsense', 'https://user:pw@x.example']) {
      expect(parseServerUrl(bad).ok, bad).toBe(false);
    }
    expect(parseServerUrl('ws://verify.example.com')).toMatchObject({ ok: false, message: expect.stringContaining('plain text') });
  });
});
