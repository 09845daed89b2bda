import { describe, expect, it } from 'vitest';
import { lookupKey, setSetting, unsetSetting } from './edit-settings';

describe('config set / unset, validated as a whole', () => {
  it('sets a value and returns the effective settings', () => {
    const edit = setSetting({}, 'timeouts.connectSeconds', ['5']);
    expect(edit.ok && edit.settings.timeouts).toEqual({ totalSeconds: 30, connectSeconds: 5, greetingSeconds: 25, commandSeconds: 20, dnsSeconds: 5 });
  });

  it('refuses unknown keys with the closest one', () => {
    expect(setSetting({}, 'timeout.connectSeconds', ['5'])).toEqual({
      ok: false,
      kind: 'usage',
      message: 'unknown setting "timeout.connectSeconds": did you mean "timeouts.connectSeconds"? (mailping config get lists them all)',
    });
    expect(lookupKey('zzzzzzzzzzzz')).toEqual({ ok: false, message: 'unknown setting "zzzzzzzzzzzz" (mailping config get lists them all)' });
    expect(unsetSetting({}, 'helloo')).toMatchObject({ ok: false, kind: 'usage', message: expect.stringMatching(/did you mean "helo"/) });
  });

  it('refuses values out of the schema\'s range, naming the key', () => {
    expect(setSetting({}, 'timeouts.connectSeconds', ['500'])).toMatchObject({ ok: false, kind: 'usage', message: expect.stringMatching(/^invalid value for timeouts.connectSeconds: /) });
    expect(setSetting({}, 'port', ['1.5'])).toMatchObject({ ok: false, kind: 'usage' });
    expect(setSetting({}, 'allowedExtensions.chrome', ['not-an-id'])).toMatchObject({ ok: false, kind: 'usage', message: expect.stringMatching(/allowedExtensions.chrome\[0\]/) });
  });

  it('refuses what only the semantic checks catch', () => {
    expect(setSetting({}, 'from', ['nobody'])).toMatchObject({ ok: false, kind: 'usage', message: expect.stringMatching(/invalid value for from: "nobody" is not an address/) });
    expect(setSetting({}, 'helo', ['my laptop'])).toMatchObject({ ok: false, kind: 'usage' });
    expect(setSetting({}, 'dnsServers', ['1.1.1.1', 'dns.google'])).toMatchObject({ ok: false, kind: 'usage', message: expect.stringMatching(/dns.google/) });
    expect(setSetting({}, 'socksProxy', ['http://proxy:3128'])).toMatchObject({ ok: false, kind: 'usage', message: expect.stringMatching(/not a socks5:\/\/ URL/) });
  });

  it('takes the sender as SMTP writes it', () => {
    const plain = setSetting({}, 'from', ['<me@mailping.test>']);
    expect(plain.ok && plain.settings.from).toBe('me@mailping.test');
    const nullSender = setSetting({ from: 'me@mailping.test' }, 'from', ['<>']);
    expect(nullSender.ok && nullSender.settings.from).toBe('');
  });

  it('blames the file, not the user, for a problem elsewhere in it', () => {
    const edit = setSetting({ helo: 'bad name' }, 'port', ['8000']);
    expect(edit).toMatchObject({ ok: false, kind: 'config', message: expect.stringMatching(/config.json already has an invalid helo/) });
    // ...and unset is how it gets fixed.
    const fixed = unsetSetting({ helo: 'bad name', port: 8000 }, 'helo');
    expect(fixed.ok && fixed.settings.helo).toBeNull();
    expect(fixed.ok && fixed.settings.port).toBe(8000);
  });

  it('unsets a group back to all its defaults', () => {
    const edit = unsetSetting({ timeouts: { connectSeconds: 3, dnsSeconds: 1 } }, 'timeouts');
    expect(edit.ok && edit.settings.timeouts.connectSeconds).toBe(10);
  });
});
