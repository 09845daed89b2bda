import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { verificationResultSchema } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedis } from '../scale/redis-server';

/**
 * `mailping` as a user gets it: the daemon package packed (`pnpm pack`), installed with
 * `npm install -g` into a temporary prefix from the npm registry, run from outside the workspace.
 * The one native dependency, better-sqlite3, would compile for a minute or more (no prebuilt
 * binary can be downloaded here); its own installer, prebuild-install, takes a local prebuild
 * instead, which we make from the workspace's compiled copy. Everything else is as on a user's machine.
 */
const run = promisify(execFile);
const DAEMON = fileURLToPath(new URL('../../daemon/', import.meta.url));
const pkg = JSON.parse(readFileSync(join(DAEMON, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const lab = inject('lab');

let dir: string;
let mailping: string;
const env = (): NodeJS.ProcessEnv => ({ PATH: `${join(dir, 'prefix/bin')}:${process.env.PATH}`, HOME: join(dir, 'home'), MAILPING_HOME: join(dir, 'mailping-home'), NO_COLOR: '1' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailping-install-'));
  await mkdir(join(dir, 'home'));
  // The globalSetup built dist/ already; a prepack rebuild would empty it under the other suites' feet.
  await run('pnpm', ['pack', '--config.ignore-scripts=true', '--pack-destination', dir], { cwd: DAEMON });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack left no tarball in ${dir}`);

  const sqlite = join(DAEMON, 'node_modules/better-sqlite3');
  const sqliteVersion = (JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')) as { version: string }).version;
  expect(pkg.dependencies['better-sqlite3']).toBe(sqliteVersion);
  const prebuilds = join(dir, 'prebuilds');
  await mkdir(prebuilds);
  const name = `better-sqlite3-v${sqliteVersion}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run('tar', ['-czf', join(prebuilds, name), '-C', sqlite, 'build/Release/better_sqlite3.node']);

  await run('npm', ['install', '--global', '--prefix', join(dir, 'prefix'), '--no-audit', '--no-fund', '--loglevel=error', join(dir, tarball)], {
    cwd: dir,
    env: { ...process.env, npm_config_better_sqlite3_local_prebuilds: prebuilds, ...(existsSync('/usr/include/node/node.h') && { npm_config_nodedir: '/usr' }) },
    timeout: 240_000,
  });
  mailping = join(dir, 'prefix/bin/mailping');
}, 300_000);

const run_ = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
  run(mailping, args, { cwd: dir, env: env(), timeout: 30_000 }).catch((error: { stdout: string; stderr: string }) => error);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed and installed `mailping`', () => {
  it('installs only what it declares: better-sqlite3 (and its own dependencies), nothing of the workspace', () => {
    const installed = join(dir, 'prefix/lib/node_modules/@mailping/daemon');
    expect(readdirSync(installed).sort()).toEqual(['bin', 'dist', 'node_modules', 'package.json']);
    const modules = readdirSync(join(installed, 'node_modules'));
    expect(modules).toContain('better-sqlite3');
    for (const bundled of ['@mailping', 'zod', 'commander', 'hono', 'ws', 'free-email-domains', 'bullmq', 'ioredis']) expect(modules).not.toContain(bundled);
  });

  it('answers --version from the PATH', async () => {
    const { stdout } = await run('mailping', ['--version'], { cwd: dir, env: env() });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('runs doctor --json against the lab and finishes', async () => {
    const result = await run(mailping, ['doctor', '--json', '--dns-server', lab.dnsServer, '--domain', 'valid.test', '--helo', 'verifier.mailping.test', '--timeout', '3'], {
      cwd: dir,
      env: env(),
      timeout: 30_000,
    }).catch((error: { code: number; stdout: string }) => error);
    const report = JSON.parse(result.stdout) as { checks: Array<{ id: string; status: string }> };
    expect(report.checks.find((c) => c.id === 'dns')?.status).toBe('ok');
    expect(report.checks.find((c) => c.id === 'port25')?.status).toBe('ok');
  });

  it('verifies against the lab, and answers again from its SQLite cache', async () => {
    const args = ['verify', '--json', '--dns-server', lab.dnsServer, '--helo', 'verifier.mailping.test', '--timeout', '4', 'alice@valid.test', 'nobody@valid.test'];
    const first = await run(mailping, args, { cwd: dir, env: env() }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    const results = first.stdout.trim().split('\n').map((l) => verificationResultSchema.parse(JSON.parse(l)));
    expect(results.map((r) => `${r.address} ${r.verdict}/${r.reason}`)).toEqual(['alice@valid.test deliverable/accepted', 'nobody@valid.test undeliverable/mailbox_not_found']);
    const again = await run(mailping, args, { cwd: dir, env: env() }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(again.stderr).toMatch(/2 from cache/);
  });

  it('runs the queue from its bundle: a worker verifies what `verify --queue` puts on a real Redis', async () => {
    const redis = await startRedis();
    const worker = spawn(mailping, ['worker', '--queue', redis.url, '--dns-server', lab.dnsServer, '--helo', 'verifier.mailping.test'], { cwd: dir, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    worker.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!stderr.includes('ready:') && worker.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(stderr).toContain('ready:');
      const { stdout } = await run_(['verify', '--queue', redis.url, '--json', 'alice@valid.test', 'nobody@valid.test']);
      const results = stdout.trim().split('\n').map((l) => verificationResultSchema.parse(JSON.parse(l)));
      expect(results.map((r) => `${r.address} ${r.verdict}/${r.reason}`)).toEqual(['alice@valid.test deliverable/accepted', 'nobody@valid.test undeliverable/mailbox_not_found']);
      worker.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
    } finally {
      worker.kill('SIGKILL');
      await redis.stop();
    }
  });

  it('finds its address lists in the installed package: a disposable role address is flagged', async () => {
    const lists = join(dir, 'prefix/lib/node_modules/@mailping/daemon/dist/lists');
    expect(readdirSync(lists).sort()).toEqual(['disposable-wildcards.txt', 'disposable.txt', 'free.txt', 'roles.txt']);
    // mailinator.com does not resolve in the lab (NXDOMAIN): the flags come from the lists alone.
    const args = ['verify', '--json', '--no-cache', '--dns-server', lab.dnsServer, '--timeout', '4', 'info@mailinator.com', 'alice@valid.test'];
    const run = await run_(args);
    const [disposable, plain] = run.stdout.trim().split('\n').map((l) => verificationResultSchema.parse(JSON.parse(l)));
    expect(disposable!.flags).toMatchObject({ disposable: true, roleAccount: true });
    expect(plain!.flags).toEqual({ disposable: false, roleAccount: false, freeProvider: false });
  });
});
