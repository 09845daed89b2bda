import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verificationResultSchema } from '@mailping/shared';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/run-cli';
import { useTempHome } from './home';

/** `mailping config`, the real command, and `mailping verify` honouring what it saved. */
const lab = inject('lab');
const home = useTempHome();
const cli = (...args: string[]) => runCli(args, { env: { MAILPING_HOME: home() } });
const stored = () => JSON.parse(readFileSync(join(home(), 'config.json'), 'utf8')) as unknown;

describe('mailping config', () => {
  it('get prints the effective settings, defaults included', async () => {
    const all = await cli('config', 'get');
    expect(all.code).toBe(0);
    const settings = JSON.parse(all.stdout);
    expect(settings).toMatchObject({ helo: null, from: '', dnsServers: [], socksProxy: null, timeouts: { connectSeconds: 10 } });
    expect(all.stdout).toContain('\n  "timeouts": {\n');
    const compact = await cli('config', 'get', '--json');
    expect(compact.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(compact.stdout)).toEqual(settings);
    expect((await cli('config', 'get', 'timeouts.connectSeconds')).stdout).toBe('10\n');
    expect((await cli('config')).stdout).toBe(all.stdout);
  });

  it('set validates, saves only what differs from the defaults (0600, atomically), and get reads it back', async () => {
    expect((await cli('config', 'set', 'helo', 'verifier.mailping.test')).code).toBe(0);
    expect((await cli('config', 'set', 'timeouts.connectSeconds', '4')).code).toBe(0);
    expect((await cli('config', 'set', 'dnsServers', '1.1.1.1', '9.9.9.9:53')).code).toBe(0);
    expect((await cli('config', 'set', 'tls', 'auto')).code).toBe(0); // the default: not stored
    expect(stored()).toEqual({ helo: 'verifier.mailping.test', dnsServers: ['1.1.1.1', '9.9.9.9:53'], timeouts: { connectSeconds: 4 } });
    expect(statSync(join(home(), 'config.json')).mode & 0o777).toBe(0o600);
    expect((await cli('config', 'get', 'helo')).stdout).toBe('verifier.mailping.test\n');
    expect((await cli('config', 'get', 'helo', '--json')).stdout).toBe('"verifier.mailping.test"\n');
    expect((await cli('config', 'get', 'dnsServers', '--json')).stdout).toBe('["1.1.1.1","9.9.9.9:53"]\n');

    expect((await cli('config', 'unset', 'timeouts.connectSeconds')).code).toBe(0);
    expect((await cli('config', 'set', 'dnsServers', '[]')).code).toBe(0);
    expect(stored()).toEqual({ helo: 'verifier.mailping.test' });
  });

  it('refuses unknown keys (suggesting the closest) and invalid values with exit 64, leaving the file alone', async () => {
    await cli('config', 'set', 'from', 'me@mailping.test');
    const before = readFileSync(join(home(), 'config.json'), 'utf8');
    const typo = await cli('config', 'set', 'timeouts.conectSeconds', '5');
    expect(typo.code).toBe(64);
    expect(typo.stderr).toMatch(/unknown setting "timeouts.conectSeconds": did you mean "timeouts.connectSeconds"\?/);
    // One of each kind of refusal; every rule is in daemon/src/config/*.test.ts.
    const cases: Array<[string[], RegExp]> = [
      [['timeouts.connectSeconds', 'soon'], /must be a number, not "soon"/],
      [['timeouts.connectSeconds', '9999'], /invalid value for timeouts.connectSeconds/],
      [['from', 'not an address'], /"not an address" is not an address/],
      [['socksProxy', 'http://127.0.0.1:3128'], /is not a socks5:\/\/ URL/],
    ];
    for (const [args, message] of cases) {
      const run = await cli('config', 'set', ...args);
      expect(run.code, args.join(' ')).toBe(64);
      expect(run.stderr).toMatch(message);
    }
    expect((await cli('config', 'get', 'nope')).code).toBe(64);
    expect(readFileSync(join(home(), 'config.json'), 'utf8')).toBe(before);
  });

  it('path prints where the file and the data live', async () => {
    const run = await cli('config', 'path');
    expect(run.stdout).toBe(`config file  ${join(home(), 'config.json')}\ndata dir     ${home()}\ndatabase     ${join(home(), 'mailping.db')}\n`);
    expect(JSON.parse((await cli('config', 'path', '--json')).stdout)).toEqual({
      configFile: join(home(), 'config.json'),
      configDir: home(),
      dataDir: home(),
      database: join(home(), 'mailping.db'),
    });
  });

  it('says plainly when config.json is broken (exit 78)', async () => {
    writeFileSync(join(home(), 'config.json'), '{ "helo": ');
    const get = await cli('config', 'get');
    expect(get.code).toBe(78);
    expect(get.stderr).toMatch(/config\.json/);
    const set = await cli('config', 'set', 'helo', 'a.example');
    expect(set.code).toBe(78);
    expect(set.stderr).toMatch(/is not valid JSON/);
  });
});

describe('mailping verify honours the settings', () => {
  const parse = (stdout: string) => stdout.trim().split('\n').map((l) => verificationResultSchema.parse(JSON.parse(l)));

  it('uses the configured DNS servers when no --dns-server is given', async () => {
    expect((await cli('config', 'set', 'dnsServers', JSON.stringify([lab.dnsServer]))).code).toBe(0);
    const run = await cli('verify', '--json', '--no-cache', '--helo', 'verifier.mailping.test', '--timeout', '4', 'alice@valid.test');
    expect(parse(run.stdout).map((r) => `${r.verdict}/${r.reason}`)).toEqual(['deliverable/accepted']);
    expect(run.code).toBe(0);
  });

  it('sends the configured sender and HELO name (seen in the --verbose transcript)', async () => {
    await cli('config', 'set', 'dnsServers', lab.dnsServer);
    await cli('config', 'set', 'from', 'me@mailping.test');
    await cli('config', 'set', 'helo', 'verifier.mailping.test');
    const run = await cli('verify', '--verbose', '--no-cache', '--timeout', '4', 'alice@valid.test');
    expect(run.stdout).toMatch(/deliverable\s+alice@valid\.test/);
    expect(run.stdout).toMatch(/ms {2}> EHLO verifier\.mailping\.test/);
    expect(run.stdout).toMatch(/ms {2}> MAIL FROM:<me@mailping\.test>/);
  });

  it('lets the command line win over the file', async () => {
    await cli('config', 'set', 'dnsServers', '127.0.0.1:1');
    await cli('config', 'set', 'from', 'me@mailping.test');
    const run = await cli('verify', '--json', '--no-cache', '--timeout', '4', '--dns-server', lab.dnsServer, '--from', '', 'alice@valid.test');
    const [result] = parse(run.stdout);
    expect(result!.verdict).toBe('deliverable');
    expect(result!.transcript.map((e) => e.line)).toContain('MAIL FROM:<>');
  });
});
