import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { differencesFromDefaults, readStoredSettings, writeSettingsFile } from './config-file';
import { loadSettings, SettingsError } from './load-settings';
import { mailpingPaths } from './paths';
import { DEFAULT_SETTINGS } from './settings';

const freshPaths = () => mailpingPaths({ MAILPING_HOME: mkdtempSync(join(tmpdir(), 'mailping-config-')) });

describe('config.json', () => {
  it('keeps only what differs from the defaults', () => {
    expect(differencesFromDefaults(DEFAULT_SETTINGS)).toEqual({});
    const changed = { ...DEFAULT_SETTINGS, helo: 'mail.example.com', dnsServers: ['1.1.1.1'], timeouts: { ...DEFAULT_SETTINGS.timeouts, connectSeconds: 4 } };
    expect(differencesFromDefaults(changed)).toEqual({ helo: 'mail.example.com', dnsServers: ['1.1.1.1'], timeouts: { connectSeconds: 4 } });
  });

  it('is written whole, private to the user, and read back as the same settings', () => {
    const paths = freshPaths();
    const settings = { ...DEFAULT_SETTINGS, from: 'me@mailping.test', socksProxy: 'socks5://u:p@127.0.0.1:1080' };
    writeSettingsFile(paths, settings);
    expect(statSync(paths.configFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(paths.configFile, 'utf8'))).toEqual({ from: 'me@mailping.test', socksProxy: 'socks5://u:p@127.0.0.1:1080' });
    expect(loadSettings(paths, {})).toEqual(settings);
    // No temp file left behind.
    expect(readdirSync(paths.config)).toEqual(['config.json']);
  });

  it('reports a broken file instead of treating it as empty', () => {
    const paths = freshPaths();
    expect(readStoredSettings(paths)).toEqual({ ok: true, stored: {} });
    writeFileSync(paths.configFile, '{ "helo": ');
    expect(readStoredSettings(paths)).toMatchObject({ ok: false, message: expect.stringMatching(/is not valid JSON/) });
    writeFileSync(paths.configFile, '[1]');
    expect(readStoredSettings(paths)).toMatchObject({ ok: false, message: expect.stringMatching(/expected a JSON object/) });
  });

  it('is refused by loadSettings when a value is semantically wrong', () => {
    const paths = freshPaths();
    writeFileSync(paths.configFile, JSON.stringify({ socksProxy: 'http://proxy:3128' }));
    expect(() => loadSettings(paths, {})).toThrow(SettingsError);
    expect(() => loadSettings(paths, {})).toThrow(/socksProxy: "http:\/\/proxy:3128" is not a socks5:\/\/ URL/);
  });
});
