#!/usr/bin/env node
// The README's two commands land here: `npm start` and `npm test`. Plain JavaScript with no
// dependencies, because it runs before anything is installed: it checks Node, installs pnpm and
// the workspace, installs the Debian packages the tests need (when root), then runs the job.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PNPM_VERSION = '10.34.9';
const TEST_PACKAGES = {
  postfix: '/usr/sbin/postfix',
  'dnsmasq-base': '/usr/sbin/dnsmasq',
  postgrey: '/usr/sbin/postgrey',
  swaks: '/usr/bin/swaks',
  openssl: '/usr/bin/openssl',
  'libnet-ssleay-perl': '/usr/share/perl5/Net/SSLeay.pm',
  'libio-socket-inet6-perl': '/usr/share/perl5/IO/Socket/INET6.pm',
  chromium: '/usr/bin/chromium',
  'firefox-esr': '/usr/bin/firefox-esr',
  iproute2: '/usr/sbin/ip',
  microsocks: '/usr/bin/microsocks',
  unzip: '/usr/bin/unzip',
  // The queue tests (tests/scale) start their own Redis for BullMQ.
  'redis-server': '/usr/bin/redis-server',
  // tests/docs runs the docs' curl examples as written (curl ... | jq).
  curl: '/usr/bin/curl',
  jq: '/usr/bin/jq',
  // certutil: the Firefox server-mode test trusts its test CA in the profile's NSS store.
  'libnss3-tools': '/usr/bin/certutil',
};

const [job = 'start', ...rest] = process.argv.slice(2);

function say(message) {
  process.stderr.write(`\u001b[1m› ${message}\u001b[0m\n`);
}

function fail(message) {
  process.stderr.write(`\nmailping setup: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: MailPing needs Node 20.19 or newer.`);
}

/** pnpm 10 (11 needs Node 22): the one on PATH if it fits, else installed with npm. */
function ensurePnpm() {
  const version = (() => {
    try {
      return execFileSync('pnpm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  })();
  if (version?.startsWith('10.')) return ['pnpm'];
  say(`installing pnpm ${PNPM_VERSION} with npm`);
  if (run('npm', ['install', '--global', `pnpm@${PNPM_VERSION}`]) === 0) return ['pnpm'];
  say('a global install is not allowed here: using npx instead');
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
}

/** The lab and browser tests need real servers and a real browser, from Debian's packages. */
function ensureTestPackages() {
  const missing = Object.entries(TEST_PACKAGES).filter(([, path]) => !existsSync(path)).map(([name]) => name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    fail(`the test suites need these Debian packages: ${missing.join(' ')}\n  install them with: sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  say(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-q'], { env }) !== 0) fail('apt-get update failed');
  if (run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env }) !== 0) fail('apt-get install failed');
}

/**
 * `mailping` on the PATH, the way `npm link` would put it there but without npm installing into the
 * pnpm workspace: a symlink in npm's global bin directory to daemon/bin/mailping.js (which rebuilds
 * dist/ from source when needed). Where that directory is not ours to write, print the one command.
 * The same command from a packed tarball, for a machine without this checkout: docs/install.md.
 */
function linkMailpingCommand() {
  const target = join(ROOT, 'daemon/bin/mailping.js');
  if (process.platform === 'win32') {
    process.stderr.write(`To get the mailping command: cd daemon && pnpm pack && npm install --global mailping-daemon-*.tgz\n`);
    return;
  }
  let binDir;
  try {
    binDir = join(execFileSync('npm', ['prefix', '--global'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(), 'bin');
  } catch {
    return;
  }
  const link = join(binDir, 'mailping');
  const ours = () => existsSync(link) && realpathSync(link) === realpathSync(target);
  if (ours()) return;
  const existing = lstatSync(link, { throwIfNoEntry: false });
  if (existing) {
    const current = existing.isSymbolicLink() ? readlinkSync(link) : link;
    process.stderr.write(`Another mailping is on the PATH (${current}); this checkout's: ${target}\n`);
    return;
  }
  try {
    accessSync(binDir, constants.W_OK);
    symlinkSync(target, link);
    say(`mailping is on the PATH: ${link} → ${target}`);
  } catch {
    process.stderr.write(`To get the mailping command, run once: sudo ln -s ${target} ${link}\n`);
  }
}

checkNode();
if (job === 'test') ensureTestPackages();
const pnpm = ensurePnpm();
const pnpmRun = (args) => run(pnpm[0], [...pnpm.slice(1), ...args]);

say('installing the workspace (pnpm install)');
if (pnpmRun(['install', '--frozen-lockfile']) !== 0) fail('pnpm install failed');

if (job === 'test') {
  process.exit(pnpmRun(['run', 'test:all', ...rest]));
} else if (job === 'start') {
  say('building the daemon and the extension');
  if (pnpmRun(['run', 'build']) !== 0) fail('the build failed');
  linkMailpingCommand();
  if (rest.length === 0) {
    process.stderr.write(
      [
        '',
        'The extension is built:',
        '  Chrome:  chrome://extensions → Developer mode → Load unpacked → extension/.output/chrome-mv3',
        '  Firefox: about:debugging#/runtime/this-firefox → Load Temporary Add-on → extension/.output/firefox-mv3/manifest.json',
        'Pair it: in another terminal run `mailping pair`, then enter the code in MailPing\'s options.',
        '',
      ].join('\n'),
    );
  }
  // `npm start` runs the daemon; `npm start -- verify a@b.example` runs any other mailping command.
  process.exit(pnpmRun(['run', 'start:main', ...(rest.length > 0 ? rest : ['serve'])]));
} else {
  fail(`unknown job "${job}" (use start or test)`);
}
