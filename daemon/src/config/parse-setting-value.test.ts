import { describe, expect, it } from 'vitest';
import { parseSettingValue } from './parse-setting-value';
import { settingKind } from './setting-keys';

const parse = (key: string, ...raw: string[]) => parseSettingValue(key, settingKind(key)!, raw);

describe('command-line values for settings', () => {
  it('reads numbers for number fields, and refuses words', () => {
    expect(parse('timeouts.connectSeconds', '5')).toEqual({ ok: true, value: 5 });
    expect(parse('timeouts.connectSeconds', '2.5')).toEqual({ ok: true, value: 2.5 });
    expect(parse('timeouts.connectSeconds', 'soon')).toEqual({ ok: false, message: 'timeouts.connectSeconds must be a number, not "soon"' });
    expect(parse('port', '')).toMatchObject({ ok: false });
    expect(parse('port', '7425', '7426')).toMatchObject({ ok: false, message: expect.stringMatching(/takes one value/) });
  });

  it('keeps text as typed, with null for nullable fields and JSON strings unquoted', () => {
    expect(parse('helo', 'mail.example.com')).toEqual({ ok: true, value: 'mail.example.com' });
    expect(parse('helo', 'null')).toEqual({ ok: true, value: null });
    expect(parse('from', '"me@example.com"')).toEqual({ ok: true, value: 'me@example.com' });
    // from is not nullable: "null" stays text (and the address check refuses it later).
    expect(parse('from', 'null')).toEqual({ ok: true, value: 'null' });
    expect(parse('from', '')).toEqual({ ok: true, value: '' });
  });

  it('builds arrays from repeated values or from JSON', () => {
    expect(parse('dnsServers', '1.1.1.1', '9.9.9.9:53')).toEqual({ ok: true, value: ['1.1.1.1', '9.9.9.9:53'] });
    expect(parse('dnsServers', '["127.0.0.1:5353"]')).toEqual({ ok: true, value: ['127.0.0.1:5353'] });
    expect(parse('dnsServers', '[]')).toEqual({ ok: true, value: [] });
    expect(parse('dnsServers', '8.8.8.8')).toEqual({ ok: true, value: ['8.8.8.8'] });
    expect(parse('dnsServers', '[1, 2]')).toMatchObject({ ok: false, message: 'dnsServers[0] must be a string, not 1' });
    expect(parse('dnsServers', '[not json')).toMatchObject({ ok: false, message: expect.stringMatching(/not a JSON array/) });
  });

  it('checks enum values and explains groups', () => {
    expect(parse('tls', 'always')).toEqual({ ok: true, value: 'always' });
    expect(parse('tls', 'never')).toEqual({ ok: false, message: 'tls must be one of auto, always, not "never"' });
    expect(parse('greylist', '{"maxRetries": 1}')).toEqual({ ok: true, value: { maxRetries: 1 } });
    expect(parse('greylist', '5')).toMatchObject({ ok: false, message: expect.stringMatching(/greylist is a group of settings: set one of them \(greylist.retryDelaySeconds, greylist.maxRetries\)/) });
  });
});
