import { describe, expect, it } from 'vitest';
import { activationCommands, shellLine } from './activation';
import { launchdPlist } from './launchd-plist';
import { carriedEnv, type ServiceSpec } from './service-spec';
import { serviceTarget } from './service-target';
import { systemdUnit, systemdWord } from './systemd-unit';
import { windowsRecipe, windowsTaskCommands } from './windows-task';

const spec: ServiceSpec = { nodePath: '/usr/bin/node', binPath: '/opt/mailping/daemon/bin/mailping.js', env: {} };

/** Just enough of a plist reader to prove the file is well-formed and says what we mean. */
function parsePlist(text: string): unknown {
  const body = /<plist version="1.0">\s*([\s\S]*)\s*<\/plist>\s*$/.exec(text);
  if (!body || !text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')) throw new Error('not a plist');
  const tokens = [...body[1]!.matchAll(/<(\/?)(\w+)(\/?)>|([^<]+)/g)].filter((m) => m[4] === undefined || m[4].trim() !== '');
  let i = 0;
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const text_ = (tag: string): string => {
    const content = tokens[i]?.[4] !== undefined ? unescape(tokens[i++]![4]!) : '';
    const close = tokens[i++];
    if (close?.[1] !== '/' || close[2] !== tag) throw new Error(`unclosed <${tag}>`);
    return content;
  };
  const value = (): unknown => {
    const open = tokens[i++];
    if (!open || open[1] === '/') throw new Error('expected a value');
    const tag = open[2]!;
    if (open[3] === '/') {
      if (tag === 'true' || tag === 'false') return tag === 'true';
      throw new Error(`unexpected <${tag}/>`);
    }
    if (tag === 'string') return text_('string');
    if (tag === 'integer') return Number(text_('integer'));
    if (tag === 'array') {
      const items: unknown[] = [];
      while (!(tokens[i]?.[1] === '/' && tokens[i]?.[2] === 'array')) items.push(value());
      i++;
      return items;
    }
    if (tag === 'dict') {
      const dict: Record<string, unknown> = {};
      while (!(tokens[i]?.[1] === '/' && tokens[i]?.[2] === 'dict')) {
        if (tokens[i++]?.[2] !== 'key') throw new Error('expected <key>');
        const key = text_('key');
        dict[key] = value();
      }
      i++;
      return dict;
    }
    throw new Error(`unknown tag <${tag}>`);
  };
  const root = value();
  if (i !== tokens.length) throw new Error('trailing content');
  return root;
}

describe('systemd user unit', () => {
  it('runs node with the absolute bin path, restarting on failure', () => {
    expect(systemdUnit(spec)).toBe(
      [
        '# Written by `mailping service install`; `mailping service uninstall` removes it.',
        '[Unit]',
        'Description=MailPing daemon (local email verification for the browser extension)',
        '',
        '[Service]',
        'Type=simple',
        'ExecStart=/usr/bin/node /opt/mailping/daemon/bin/mailping.js serve',
        'Restart=on-failure',
        'RestartSec=5',
        '',
        '[Install]',
        'WantedBy=default.target',
        '',
      ].join('\n'),
    );
  });

  it('quotes paths with spaces and escapes systemd specifiers, and carries MAILPING_HOME', () => {
    const unit = systemdUnit({ nodePath: '/home/a b/.nvm/node', binPath: '/home/a b/100%/mailping.js', env: { MAILPING_HOME: '/home/a b/mp' } });
    expect(unit).toContain('ExecStart="/home/a b/.nvm/node" "/home/a b/100%%/mailping.js" serve\n');
    expect(unit).toContain('Environment="MAILPING_HOME=/home/a b/mp"\n');
    expect(systemdWord('$HOME')).toBe('$$HOME');
    expect(systemdWord('say "hi"')).toBe('"say \\"hi\\""');
  });
});

describe('launchd agent', () => {
  it('is a valid plist with RunAtLoad and KeepAlive', () => {
    const plist = parsePlist(launchdPlist({ ...spec, env: { MAILPING_HOME: '/Users/me/mp & co' } }, '/Users/me/Library/Logs/mailping.log'));
    expect(plist).toEqual({
      Label: 'dev.mailping.daemon',
      ProgramArguments: ['/usr/bin/node', '/opt/mailping/daemon/bin/mailping.js', 'serve'],
      EnvironmentVariables: { MAILPING_HOME: '/Users/me/mp & co' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      StandardOutPath: '/Users/me/Library/Logs/mailping.log',
      StandardErrorPath: '/Users/me/Library/Logs/mailping.log',
    });
  });

  it('escapes XML in paths', () => {
    expect(launchdPlist({ ...spec, binPath: '/a<b>/m&p.js' }, '/log')).toContain('<string>/a&lt;b&gt;/m&amp;p.js</string>');
    expect(() => parsePlist('<plist version="1.0"><dict><key>x</key></dict></plist>')).toThrow();
  });
});

describe('Windows Task Scheduler recipe', () => {
  it('creates a logon task that runs node with the bin', () => {
    const win = { nodePath: 'C:\\Program Files\\nodejs\\node.exe', binPath: 'C:\\Users\\me\\mailping\\daemon\\bin\\mailping.js', env: { MAILPING_HOME: 'D:\\mp' } };
    expect(windowsTaskCommands(win)).toEqual({
      install: ['setx MAILPING_HOME "D:\\mp"', 'schtasks /Create /TN MailPing /SC ONLOGON /RL LIMITED /TR "\\"C:\\Program Files\\nodejs\\node.exe\\" \\"C:\\Users\\me\\mailping\\daemon\\bin\\mailping.js\\" serve" /F'],
      start: 'schtasks /Run /TN MailPing',
      uninstall: 'schtasks /Delete /TN MailPing /F',
      status: 'schtasks /Query /TN MailPing',
    });
    expect(windowsRecipe(win)).toMatch(/^Windows: start the MailPing daemon at logon/);
  });
});

describe('where the files go and how they are switched on', () => {
  it('uses the standard places unless told otherwise', () => {
    expect(serviceTarget('linux', { env: {}, home: '/home/me' })).toEqual({ platform: 'linux', dir: '/home/me/.config/systemd/user', file: '/home/me/.config/systemd/user/mailping.service', custom: false });
    expect(serviceTarget('linux', { env: { XDG_CONFIG_HOME: '/xdg' }, home: '/home/me' }).file).toBe('/xdg/systemd/user/mailping.service');
    expect(serviceTarget('darwin', { env: {}, home: '/Users/me' }).file).toBe('/Users/me/Library/LaunchAgents/dev.mailping.daemon.plist');
    expect(serviceTarget('linux', { env: { MAILPING_SERVICE_DIR: '/tmp/x' }, home: '/home/me' })).toMatchObject({ file: '/tmp/x/mailping.service', custom: true });
    expect(serviceTarget('darwin', { dir: '/tmp/y', env: { MAILPING_SERVICE_DIR: '/tmp/x' }, home: '/Users/me' })).toMatchObject({ file: '/tmp/y/dev.mailping.daemon.plist', custom: true });
  });

  it('prints the commands a user would type', () => {
    const linux = activationCommands(serviceTarget('linux', { env: {}, home: '/home/me' }), 1000);
    expect(shellLine(linux.enable)).toBe('systemctl --user daemon-reload && systemctl --user enable --now mailping');
    const mac = activationCommands(serviceTarget('darwin', { env: {}, home: '/Users/my name' }), 501);
    expect(shellLine(mac.enable)).toBe("launchctl bootstrap gui/501 '/Users/my name/Library/LaunchAgents/dev.mailping.daemon.plist'");
    expect(shellLine(mac.disable)).toBe('launchctl bootout gui/501/dev.mailping.daemon');
  });

  it('carries only the variables that move data or the port', () => {
    expect(carriedEnv({ MAILPING_HOME: '/mp', MAILPING_PORT: '8000', PATH: '/bin', HOME: '/home/me' })).toEqual({ MAILPING_HOME: '/mp', MAILPING_PORT: '8000' });
  });
});
