/**
 * vitest global setup: bundle the daemon once, so suites that spawn `mailping` never race to
 * rebuild it. Three projects list this setup (lab, e2e, e2e-firefox) and vitest runs each
 * project's global setup in the one main process, loading this module anew for each: the build
 * is remembered on globalThis, so a full run bundles once (a build empties dist/ first, which must
 * not happen while another project's files already run the daemon).
 */
const BUILT = Symbol.for('mailping.tests.daemonBuilt');

export default async function setup(): Promise<void> {
  const store = globalThis as { [BUILT]?: Promise<void> };
  store[BUILT] ??= (async () => {
    // @ts-expect-error -- a plain .mjs build script without types
    const { buildDaemon } = (await import('../../daemon/scripts/build.mjs')) as { buildDaemon: (o: { quiet: boolean }) => Promise<void> };
    await buildDaemon({ quiet: true });
  })();
  await store[BUILT];
}
