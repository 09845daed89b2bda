import { allStarted, type StopStack } from '../../support/stop-stack';
import { createE2eDaemon, type E2eDaemon } from './e2e-daemon';
import { startTestSite, type TestSite } from './test-site';

/**
 * What both browsers' suites start, side by side (each waits on its own process; the browser's
 * start is the longest): the daemon, the test site, and the browser `launching`. Each one's stop
 * goes on `stops` as it starts, so a failure leaves nothing behind once `stops` runs.
 */
export async function startSuiteParts<B extends { close(): Promise<void> }>(
  launching: Promise<B>,
  stops: StopStack,
): Promise<{ daemon: E2eDaemon; site: TestSite; browser: B }> {
  const [daemon, site, browser] = await allStarted([
    stops.started(createE2eDaemon(), (d) => d.dispose()).then(async (d) => {
      await d.start();
      return d;
    }),
    stops.started(startTestSite(), (s) => s.close()),
    stops.started(launching, (b) => b.close()),
  ] as const);
  return { daemon, site, browser };
}
