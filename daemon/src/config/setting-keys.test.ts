import { describe, expect, it } from 'vitest';
import { closestKey, deleteAt, editDistance, getAt, setAt, settingKeys, settingKind } from './setting-keys';
import { DEFAULT_SETTINGS } from './settings';

describe('setting keys read off the schema', () => {
  it('lists groups and leaves as dotted keys', () => {
    const keys = settingKeys();
    expect(keys).toContain('helo');
    expect(keys).toContain('timeouts');
    expect(keys).toContain('timeouts.connectSeconds');
    expect(keys).toContain('allowedExtensions.firefox');
    expect(keys).not.toContain('timeouts.nonsense');
    // Every leaf the defaults have is a key, and nothing else.
    const leaves = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [`${prefix}${k}`, ...leaves(v, `${prefix}${k}.`)] : [`${prefix}${k}`]));
    expect(keys.sort()).toEqual(leaves(DEFAULT_SETTINGS).sort());
  });

  it('knows what each key holds', () => {
    expect(settingKind('helo')).toEqual({ type: 'string', nullable: true });
    expect(settingKind('from')).toEqual({ type: 'string', nullable: false });
    expect(settingKind('port')).toEqual({ type: 'number', nullable: false });
    expect(settingKind('tls')).toEqual({ type: 'enum', nullable: false, values: ['auto', 'always'] });
    expect(settingKind('dnsServers')).toEqual({ type: 'array', nullable: false, element: { type: 'string', nullable: false } });
    expect(settingKind('greylist')).toMatchObject({ type: 'group', keys: ['retryDelaySeconds', 'maxRetries'] });
    expect(settingKind('nope')).toBeNull();
  });

  it('suggests the key the user meant', () => {
    expect(closestKey('timeouts.connectSecond')).toBe('timeouts.connectSeconds');
    expect(closestKey('connectSeconds')).toBe('timeouts.connectSeconds');
    expect(closestKey('socksproxy')).toBe('socksProxy');
    expect(closestKey('dnsServer')).toBe('dnsServers');
    expect(closestKey('hello')).toBe('helo');
    expect(closestKey('completely-unrelated-words')).toBeNull();
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('gets, sets and deletes by dotted key without touching the input', () => {
    const stored = { helo: 'a.example', timeouts: { connectSeconds: 5 } };
    expect(getAt(stored, 'timeouts.connectSeconds')).toBe(5);
    expect(getAt(stored, 'timeouts.greetingSeconds')).toBeUndefined();
    expect(setAt(stored, 'timeouts.greetingSeconds', 9)).toEqual({ helo: 'a.example', timeouts: { connectSeconds: 5, greetingSeconds: 9 } });
    expect(setAt({}, 'cache.riskyHours', 1)).toEqual({ cache: { riskyHours: 1 } });
    expect(deleteAt(stored, 'timeouts.connectSeconds')).toEqual({ helo: 'a.example' });
    expect(deleteAt(stored, 'helo')).toEqual({ timeouts: { connectSeconds: 5 } });
    expect(stored).toEqual({ helo: 'a.example', timeouts: { connectSeconds: 5 } });
  });
});
