// Bundles the daemon and the workspace's shared package into dist/ (one file per entry point).
// The daemon's own dependencies stay external (better-sqlite3 is native; the rest load as they
// are from node_modules); workspace packages and their dependencies are bundled in.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const external = new Set(Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith('@mailping/')));
const packageName = (path) => (path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]);

export async function buildDaemon({ quiet = false } = {}) {
  // Chunk names carry hashes: start from an empty dist/ so old chunks do not pile up.
  rmSync(`${root}/dist`, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: 'dist',
    bundle: true,
    // Commands load their implementation on demand (import()): `serve` never loads the list machinery.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'info',
    plugins: [
      {
        name: 'external-dependencies',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            external.has(packageName(args.path)) ? { path: args.path, external: true } : undefined,
          );
        },
      },
    ],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDaemon();
}
