import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAILPING_BIN, runCli } from '../support/run-cli';

/** `mailping service`, the real command, writing into a temp dir: never the real home. */
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});
const tempDir = () => (dir = mkdtempSync(join(tmpdir(), 'mailping-service-')));

describe('mailping service', () => {
  it('install writes a systemd user unit that runs this node and this bin; status and uninstall follow', async () => {
    const target = tempDir();
    const env = { MAILPING_SERVICE_DIR: target, MAILPING_HOME: join(target, 'home') };
    const install = await runCli(['service', 'install', '--platform', 'linux'], { env });
    expect(install.code).toBe(0);
    expect(install.stdout).toContain('systemctl --user daemon-reload && systemctl --user enable --now mailping');
    const unit = readFileSync(join(target, 'mailping.service'), 'utf8');
    expect(unit).toContain(`\nExecStart=${process.execPath} ${MAILPING_BIN} serve\n`);
    expect(unit).toContain(`\nEnvironment=MAILPING_HOME=${join(target, 'home')}\n`);
    expect(unit).toContain('\nRestart=on-failure\n');
    expect(unit).toContain('\nWantedBy=default.target\n');

    const again = await runCli(['service', 'install', '--platform', 'linux'], { env });
    expect(again.stdout).toMatch(/^already installed/);

    const status = await runCli(['service', 'status', '--platform', 'linux', '--json'], { env });
    expect(JSON.parse(status.stdout)).toEqual({ platform: 'linux', file: join(target, 'mailping.service'), installed: true, upToDate: true, manager: null });
    expect(status.code).toBe(0);

    const uninstall = await runCli(['service', 'uninstall', '--platform', 'linux'], { env });
    expect(uninstall.code).toBe(0);
    expect(existsSync(join(target, 'mailping.service'))).toBe(false);
    const after = await runCli(['service', 'status', '--platform', 'linux'], { env });
    expect(after.stdout).toMatch(/^not installed/);
    expect(after.code).toBe(1);
  });

  it('--now with a custom directory does not touch systemd, and says what to run', async () => {
    const target = tempDir();
    const run = await runCli(['service', 'install', '--platform', 'linux', '--dir', target, '--now']);
    expect(existsSync(join(target, 'mailping.service'))).toBe(true);
    expect(run.stderr).toMatch(/--now not done \(custom directory: systemctl not asked\)/);
    expect(run.code).toBe(1);
  });

  it('install --platform darwin writes a launchd agent with RunAtLoad and KeepAlive', async () => {
    const target = tempDir();
    const run = await runCli(['service', 'install', '--platform', 'darwin', '--dir', target]);
    expect(run.code).toBe(0);
    const plist = readFileSync(join(target, 'dev.mailping.daemon.plist'), 'utf8');
    expect(plist).toContain(`<string>${process.execPath}</string>\n    <string>${MAILPING_BIN}</string>\n    <string>serve</string>`);
    expect(plist).toMatch(/<key>RunAtLoad<\/key>\n {2}<true\/>/);
    expect(plist).toMatch(/<key>KeepAlive<\/key>/);
    expect(run.stdout).toMatch(/launchctl bootstrap gui\/\d+ /);
  });

  it('install --platform win32 prints the Task Scheduler recipe and writes nothing', async () => {
    const target = tempDir();
    const run = await runCli(['service', 'install', '--platform', 'win32', '--dir', target]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`schtasks /Create /TN MailPing /SC ONLOGON /RL LIMITED /TR "\\"${process.execPath}\\" \\"${MAILPING_BIN}\\" serve" /F`);
    expect(run.stdout).toContain('schtasks /Delete /TN MailPing /F');
  });
});
