import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAILPING_BIN } from '../support/run-cli';
import type { DocBlock } from './doc-blocks';

/**
 * Runs a doc block the way a newcomer pastes it into a terminal: bash, in a scratch directory,
 * with `mailping` on PATH (a wrapper around the built daemon bin) and curl configured by a
 * .curlrc (CURL_HOME) that resolves the test's server name and trusts the test CA. Only what
 * the test rewrites differs from the page: names, ports, paths, placeholders; each rewrite must
 * find its text, so a page that changed under the test fails rather than running something else.
 */
const HOSTS_HOOK = fileURLToPath(new URL('./hosts-hook.mjs', import.meta.url));

export type Rewrite = readonly [from: string, to: string];

export interface BlockRun {
  script: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface DocShell {
  /** The scratch directory blocks run in (their relative paths: leads.csv, results.csv). */
  dir: string;
  run(block: DocBlock, options?: { rewrites?: readonly Rewrite[]; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<BlockRun>;
  /** A line a reader types after the page's blocks (checks the test makes with the same tools). */
  runScript(script: string, options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<BlockRun>;
  /** Replaces the .curlrc (curl's --resolve needs the port, known once a daemon runs). */
  curlrc(lines: string[]): Promise<void>;
  remove(): Promise<void>;
}

export function rewrite(body: string, rewrites: readonly Rewrite[]): string {
  let text = body;
  for (const [from, to] of rewrites) {
    if (!text.includes(from)) throw new Error(`the doc block no longer contains ${JSON.stringify(from)}:\n${body}`);
    text = text.split(from).join(to);
  }
  return text;
}

export async function makeDocShell(options: { hosts: Record<string, string> }): Promise<DocShell> {
  const root = await mkdtemp(join(tmpdir(), 'mailping-doc-test-'));
  const dir = join(root, 'work');
  const bin = join(root, 'bin');
  await mkdir(dir);
  await mkdir(bin);
  const wrapper = join(bin, 'mailping');
  await writeFile(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(HOSTS_HOOK)} ${JSON.stringify(MAILPING_BIN)} "$@"\n`);
  await chmod(wrapper, 0o755);
  const curlrc = (lines: string[]) => writeFile(join(root, '.curlrc'), `${lines.join('\n')}\n`);
  await curlrc([]);
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    NO_COLOR: '1',
    CURL_HOME: root,
    MAILPING_DOC_TEST_HOSTS: JSON.stringify(options.hosts),
    MAILPING_TOKEN: '',
    MAILPING_PORT: '',
  };

  function runScript(script: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<BlockRun> {
    return new Promise((resolve, reject) => {
      // -e: a line that fails stops the block, as a reader would stop; pipefail: `curl ... | jq` too.
      const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: dir, env: { ...baseEnv, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ script, code, stdout, stderr });
      });
    });
  }

  return {
    dir,
    run: (block, opts = {}) => runScript(rewrite(block.body, opts.rewrites ?? []), opts),
    runScript,
    curlrc,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
