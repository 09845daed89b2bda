import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHome, removeHome } from '../support/daemon-process';
import { BENCH_HELO, configFor } from './mailping-runs';
import { median, ms, table } from './stats';

/**
 * Figure 6: how long `mailping` takes to start, next to a bare `node -e 0` measured in the same
 * runs (interleaved, so a busy machine slows all of them alike). The command runs as installed:
 * bin/, dist/ and package.json copied out of the checkout (no source tree beside it, so the bin's
 * rebuild check is skipped as on a user's machine) with the workspace's node_modules.
 */
export interface StartRow {
  label: string;
  command: string;
  wallMs: number[];
  /** Median over the median of `node -e 0`. */
  ratio: number;
  target: number | null;
}

export interface StartFigure {
  runs: number;
  node: number[];
  rows: StartRow[];
}

const DAEMON = fileURLToPath(new URL('../../daemon/', import.meta.url));

/** `mailping verify` of one address the lab answers, so the cache has it for the cached row. */
const CACHED_ADDRESS = 'alice@valid.test';

export async function startFigure(dnsServer: string, runs: number): Promise<StartFigure> {
  const build = spawnSync(process.execPath, [join(DAEMON, 'scripts/build.mjs')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`daemon build failed: ${build.stderr}`);
  const installed = await mkdtemp(join(tmpdir(), 'mailping-installed-'));
  const home = await makeHome({ ...configFor(dnsServer), helo: BENCH_HELO });
  try {
    for (const part of ['bin', 'dist', 'package.json']) await cp(join(DAEMON, part), join(installed, part), { recursive: true });
    await symlink(join(DAEMON, 'node_modules'), join(installed, 'node_modules'));
    const bin = join(installed, 'bin/mailping.js');
    const env = { ...process.env, NO_COLOR: '1', MAILPING_HOME: home };
    const run = (args: string[], okCodes: number[]): number => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      const wall = performance.now() - t0;
      if (r.status === null || !okCodes.includes(r.status)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 1000)}`);
      return wall;
    };
    // Fill the cache (and check that the address really is answered from it afterwards).
    run([bin, 'verify', '--no-progress', CACHED_ADDRESS], [0]);
    const cachedCheck = spawnSync(process.execPath, [bin, 'verify', '--no-progress', CACHED_ADDRESS], { env, encoding: 'utf8' });
    if (!/from cache/.test(cachedCheck.stderr)) throw new Error(`the second verify of ${CACHED_ADDRESS} was not answered from the cache: ${cachedCheck.stderr}`);

    const cases: Array<{ label: string; command: string; args: string[]; ok: number[]; target: number | null }> = [
      { label: 'version', command: 'mailping --version', args: [bin, '--version'], ok: [0], target: 1.5 },
      { label: 'invalid', command: 'mailping verify --no-cache not-an-address', args: [bin, 'verify', '--no-cache', 'not-an-address'], ok: [1], target: 2 },
      { label: 'cached', command: `mailping verify ${CACHED_ADDRESS} (from the cache)`, args: [bin, 'verify', CACHED_ADDRESS], ok: [0], target: 2.5 },
      { label: 'help', command: 'mailping --help (every command loaded)', args: [bin, '--help'], ok: [0], target: null },
    ];
    const node: number[] = [];
    const walls = cases.map(() => [] as number[]);
    // One warm-up round (file cache), then interleaved rounds.
    for (let round = -1; round < runs; round++) {
      const n = run(['-e', '0'], [0]);
      const w = cases.map((c) => run(c.args, c.ok));
      if (round < 0) continue;
      node.push(n);
      w.forEach((x, i) => walls[i]!.push(x));
    }
    const base = median(node);
    return {
      runs,
      node,
      rows: cases.map((c, i) => ({ label: c.label, command: c.command, wallMs: walls[i]!, ratio: median(walls[i]!) / base, target: c.target })),
    };
  } finally {
    await rm(installed, { recursive: true, force: true });
    await removeHome(home);
  }
}

export function renderStart(f: StartFigure): string {
  return [
    table(
      ['command', 'median wall', 'vs `node -e 0`', 'target'],
      [
        ['`node -e 0`', ms(median(f.node)), '1.00×', ''],
        ...f.rows.map((r) => [`\`${r.command}\``, ms(median(r.wallMs)), `${r.ratio.toFixed(2)}×`, r.target === null ? '' : `≤ ${r.target}×`]),
      ],
    ),
    '',
    `${f.runs} interleaved runs of each (after one warm-up round), spawned from Node as an installed \`mailping\` is (bin/, dist/, package.json; no source tree).`,
  ].join('\n');
}
