import { CHROME_EXTENSION_ID } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { checkExtensionOrigin, isAllowedHost, isLoopbackHost, tokenFitsOrigin } from './origin-policy';

const none = { chrome: [], firefox: [] };
const FIREFOX = 'moz-extension://0f2c8a5e-6b1d-4c3e-9a7f-1234567890ab';

describe('extension origins', () => {
  it('admit our Chrome extension and the ids settings add', () => {
    expect(checkExtensionOrigin(`chrome-extension://${CHROME_EXTENSION_ID}`, none)).toMatchObject({ ok: true, browser: 'chrome' });
    const other = 'a'.repeat(32);
    expect(checkExtensionOrigin(`chrome-extension://${other}`, none).ok).toBe(false);
    expect(checkExtensionOrigin(`chrome-extension://${other}`, { chrome: [other], firefox: [] }).ok).toBe(true);
  });

  it('admit any Firefox extension while the list is empty, only listed ones otherwise', () => {
    expect(checkExtensionOrigin(FIREFOX, none)).toMatchObject({ ok: true, browser: 'firefox' });
    expect(checkExtensionOrigin(FIREFOX, { chrome: [], firefox: ['11111111-2222-4333-8444-555555555555'] }).ok).toBe(false);
    expect(checkExtensionOrigin(FIREFOX, { chrome: [], firefox: ['0F2C8A5E-6B1D-4C3E-9A7F-1234567890AB'] }).ok).toBe(true);
  });

  it('refuse web pages, null, a missing origin and look-alikes', () => {
    for (const origin of [
      undefined,
      '',
      'null',
      'https://evil.example',
      'http://127.0.0.1:7425',
      'http://localhost:8080',
      `chrome-extension://${CHROME_EXTENSION_ID}.evil.example`,
      `chrome-extension://${CHROME_EXTENSION_ID}/`,
      `chrome-extension://${CHROME_EXTENSION_ID}:80`,
      `CHROME-EXTENSION://${CHROME_EXTENSION_ID}`,
      `https://${CHROME_EXTENSION_ID}`,
      'moz-extension://not-a-uuid',
      `${FIREFOX}/page.html`,
      'file://',
    ]) {
      expect(checkExtensionOrigin(origin, none).ok, String(origin)).toBe(false);
    }
  });
});

describe('Host header', () => {
  it('is a loopback name, with our port or none', () => {
    for (const host of ['localhost', 'localhost:7425', '127.0.0.1', '127.0.0.1:7425', '[::1]', '[::1]:7425', 'LOCALHOST:7425']) {
      expect(isLoopbackHost(host, 7425), host).toBe(true);
    }
  });

  it('refuses other names (DNS rebinding), other ports and junk', () => {
    for (const host of [undefined, '', 'evil.example', 'attacker.com:7425', 'localhost.evil.example', 'localhost.', '127.0.0.2', '127.0.0.1:80', '[::1]:1', '::1', '0.0.0.0', '127.1', '[::ffff:127.0.0.1]', 'localhost:7425:7425', 'localhost:']) {
      expect(isLoopbackHost(host, 7425), String(host)).toBe(false);
    }
  });
});

describe('token binding', () => {
  it('lets a token work from its own origin, or without any (a local program)', () => {
    expect(tokenFitsOrigin(FIREFOX, FIREFOX)).toBe(true);
    expect(tokenFitsOrigin(FIREFOX, undefined)).toBe(true);
    expect(tokenFitsOrigin(FIREFOX, 'moz-extension://11111111-2222-4333-8444-555555555555')).toBe(false);
    expect(tokenFitsOrigin(null, FIREFOX)).toBe(false);
  });
});

describe('Host header in server mode', () => {
  it('accepts the server\'s own names with any port or none, and still the loopback names', () => {
    const names = ['verify.example.com'];
    for (const host of ['verify.example.com', 'VERIFY.example.com:7425', 'verify.example.com:443', 'verify.example.com:8443', 'verify.example.com.', 'localhost:7425']) {
      expect(isAllowedHost(host, 7425, names), host).toBe(true);
    }
  });
  it('refuses other names, look-alikes and impossible ports', () => {
    const names = ['verify.example.com'];
    for (const host of [undefined, 'evil.example', 'verify.example.com.evil.example', 'xverify.example.com', 'verify.example.com:0', 'verify.example.com:99999', 'verify.example.com:7425:1', '[verify.example.com]']) {
      expect(isAllowedHost(host, 7425, names), String(host)).toBe(false);
    }
    expect(isAllowedHost('verify.example.com', 7425, [])).toBe(false);
  });
});
