#!/usr/bin/env node
// The `mailping` command. In a source checkout it rebuilds dist/ first when a source file is
// newer, so `pnpm mailping` always runs what is on disk.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const bundle = here('../dist/cli.js');
const sources = [here('../src'), here('../scripts'), here('../../shared/src')].filter((d) => existsSync(d));

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

if (sources.length > 0) {
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (sources.some((dir) => newest(dir) > built)) {
    const { buildDaemon } = await import('../scripts/build.mjs');
    await buildDaemon({ quiet: true });
  }
}
await import(bundle);
