// vitest global setup: bundle the daemon once, so suites that spawn `mailping` never race to rebuild it.
export default async function setup(): Promise<void> {
  // @ts-expect-error -- a plain .mjs build script without types
  const { buildDaemon } = (await import('../../daemon/scripts/build.mjs')) as { buildDaemon: (o: { quiet: boolean }) => Promise<void> };
  await buildDaemon({ quiet: true });
}
