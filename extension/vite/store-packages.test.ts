// @vitest-environment node
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What goes to the stores: `pnpm zip` (WXT's zip, both browsers) gives the Chrome and Firefox
 * packages and the sources zip addons.mozilla.org asks for, and Mozilla's own linter (web-ext
 * lint, as AMO runs it on upload) finds nothing in the Firefox build: no error, no warning.
 */
const run = promisify(execFile);
const EXTENSION = fileURLToPath(new URL('..', import.meta.url));
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'mailping-extension-zip-'));
  await run('pnpm', ['run', 'zip'], { cwd: EXTENSION, env: { ...process.env, MAILPING_EXTENSION_OUT_DIR: out }, timeout: 170_000 });
}, 180_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('store packages', () => {
  it('are the Chrome zip, the Firefox zip and the sources zip', async () => {
    const zips = (await readdir(out)).filter((f) => f.endsWith('.zip')).sort();
    expect(zips).toEqual(['mailping-0.1.0-chrome.zip', 'mailping-0.1.0-firefox.zip', 'mailping-0.1.0-sources.zip']);
    const { stdout } = await run('unzip', ['-Z1', join(out, 'mailping-0.1.0-sources.zip')]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('extension/wxt.config.ts');
    expect(files).toContain('shared/src/protocol.ts');
    expect(files).toContain('pnpm-lock.yaml');
    expect(files.filter((f) => f.startsWith('daemon/') || f.startsWith('tests/') || f.includes('.output/'))).toEqual([]);
  });

  it('pass web-ext lint with no error and no warning (zod built without eval)', async () => {
    const lint = await run('pnpm', ['exec', 'web-ext', 'lint', '--source-dir', join(out, 'firefox-mv3'), '--output', 'json', '--no-config-discovery'], {
      cwd: EXTENSION,
      timeout: 120_000,
    }).catch((error: { stdout: string }) => error);
    const report = JSON.parse(lint.stdout.slice(lint.stdout.indexOf('{'))) as { summary: { errors: number; warnings: number }; errors: unknown[]; warnings: unknown[] };
    expect({ errors: report.errors, warnings: report.warnings }).toEqual({ errors: [], warnings: [] });
    expect(report.summary.errors + report.summary.warnings).toBe(0);
  }, 130_000);
});
