// Bundles the daemon into dist/, the package that `pnpm pack` ships and `npm install -g` installs.
// The rule: `dependencies` are installed with the package and stay external (better-sqlite3 is
// native); everything else the code imports (the workspace's shared package, commander, zod,
// hono, ws, the address lists...) is a devDependency, bundled in. One bundle loads far faster than
// hundreds of files resolved one by one (zod alone is ~80), and no dependency's install script
// runs on the user's machine (free-email-domains' would download its list anew).
// A new runtime dependency that reads its own files (native code, scripts, data) goes in
// `dependencies`; a plain JavaScript one goes in `devDependencies`. Commands are split into chunks
// (see src/cli/command-registry.ts), so each loads only its own code.
import { build } from 'esbuild';
import { writeAddressLists } from './address-lists.mjs';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const external = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  // ws's optional native speed-ups: required inside try/catch, absent is fine.
  'bufferutil',
  'utf-8-validate',
  // msgpackr's (BullMQ's) native encoder, likewise optional: it falls back to plain JavaScript.
  'msgpackr-extract',
  // BullMQ's optional peers, required only by features we do not use (PostgreSQL, node-redis,
  // OpenTelemetry).
  'pg',
  'redis',
  'bullmq-otel',
]);
/**
 * Node built-ins that bundled packages require when they load but use only on paths the daemon
 * never takes: ws's client (https, tls) and compression (zlib, off on our server), commander's
 * executable subcommands (child_process). Each becomes a stand-in that requires the real module
 * at first use: ~2.5 MB less resident in an idle daemon, a little less start-up for every command.
 */
const LAZY_BUILTINS = { ws: ['https', 'tls', 'zlib'], commander: ['child_process'] };
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
    // Source text stays in memory as long as its functions live (a daemon's whole day): without
    // the indentation and comments it is ~30% smaller. Names stay, so stack traces still read.
    minifyWhitespace: true,
    // Bundled CommonJS packages (commander, ws...) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __mailpingRequire } from 'node:module'; const require = __mailpingRequire(import.meta.url);" },
    logLevel: quiet ? 'error' : 'info',
    plugins: [
      {
        name: 'lazy-builtins',
        setup(b) {
          b.onResolve({ filter: /^(node:)?[a-z_]+$/ }, (args) => {
            const owner = /[\\/]node_modules[\\/]([^\\/]+)[\\/]/.exec(args.importer.slice(args.importer.lastIndexOf('node_modules') - 1))?.[1];
            const name = args.path.replace(/^node:/, '');
            return owner && LAZY_BUILTINS[owner]?.includes(name) ? { path: name, namespace: 'lazy-builtin' } : undefined;
          });
          b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
            loader: 'js',
            contents: `let m; const load = () => (m ??= require('node:${args.path}'));
module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
          }));
        },
      },
      {
        // See src/server/zod-for-openapi.ts: named imports of zod keep the bundle's zod small.
        name: 'zod-for-openapi',
        setup(b) {
          b.onResolve({ filter: /^zod$/ }, (args) =>
            /[\\/]@hono[\\/]zod-openapi[\\/]/.test(args.importer) ? { path: `${root}/src/server/zod-for-openapi.ts` } : undefined,
          );
        },
      },
      {
        // BullMQ's index re-exports its PostgreSQL backend (a third of BullMQ's code, ~330 KB we
        // would parse at every `verify --queue` and `worker` start); MailPing's queue is Redis.
        name: 'bullmq-without-postgres',
        setup(b) {
          b.onResolve({ filter: /^\.\/postgres$/ }, (args) =>
            /[\\/]bullmq[\\/]dist[\\/]cjs[\\/]index\.js$/.test(args.importer) ? { path: 'bullmq-postgres', namespace: 'empty' } : undefined,
          );
          b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ loader: 'js', contents: 'module.exports = {};' }));
        },
      },
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
  // Read at run time beside the bundle, searched in place (src/verify/address-lists.ts).
  writeAddressLists(`${root}/dist/lists`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDaemon({ quiet: process.argv.includes('--quiet') });
}
