#!/usr/bin/env node
// The `mailping` command. Installed from the package, it only loads dist/cli.js. In a source
// checkout it first rebuilds dist/ when a source file is newer, so `pnpm mailping` always runs what
// is on disk. `--version` is answered here, before anything else loads: it is the one command a
// script runs to ask whether mailping is there at all.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => new URL(p, import.meta.url);
const args = process.argv.slice(2);
/** Commands that run for hours, where memory matters more than start-up or peak speed. */
const LONG_RUNNING = new Set(['serve']);

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(here('../package.json'), 'utf8')).version}\n`);
} else {
  if (LONG_RUNNING.has(args[0])) {
    // Set before anything is loaded: V8's size-over-speed choices take ~6 MB off an idle daemon's
    // resident memory, 4 of them by going without the optimizing compiler (TurboFan), whose
    // code is never paged in then; `serve` turns it back on in server mode. The semi-space cap
    // only bites on node's command line (V8 sizes the young generation when the isolate starts),
    // but the growth factor is read each time the young generation would grow: at 1 it stays at
    // 1 MB a semi-space until the first verification (serve-command.ts), where start-up's
    // survivors otherwise doubled it to 4 MB on one run in two (~3.3 MB resident, never given
    // back). See docs/daemon.md, "Memory".
    const { setFlagsFromString } = await import('node:v8');
    setFlagsFromString('--max-semi-space-size=1');
    setFlagsFromString('--optimize-for-size');
    setFlagsFromString('--no-opt');
    setFlagsFromString('--semi-space-growth-factor=1');
  }
  const bundle = here('../dist/cli.js');
  const sources = ['../src', '../scripts', '../../shared/src'].map((d) => fileURLToPath(here(d))).filter((d) => existsSync(d));
  if (sources.length > 0 && sources.some((dir) => newest(dir) > (existsSync(bundle) ? statSync(bundle).mtimeMs : 0))) {
    // In a child process: the builder (esbuild, the address lists' JSON) never stays in this
    // process's memory, a daemon's above all.
    const { spawnSync } = await import('node:child_process');
    const built = spawnSync(process.execPath, [fileURLToPath(here('../scripts/build.mjs')), '--quiet'], { stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  await import(bundle);
}

// Paths as strings: the same walk over URL objects left ~5 MB more resident in a daemon.
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
