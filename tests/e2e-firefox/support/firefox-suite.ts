import type { Page } from 'puppeteer-core';
import { inject } from 'vitest';
import { createE2eDaemon, type E2eDaemon } from '../../e2e/support/e2e-daemon';
import { startTestSite, type TestSite } from '../../e2e/support/test-site';
import { configureExtension, launchFirefoxWithExtension, type FirefoxExtensionBrowser } from './firefox-browser';

/**
 * What every Firefox test file starts with, as tests/e2e/support/extension-suite.ts for
 * Chromium: the real daemon on the lab, the test pages on a local origin, and Firefox with the
 * built extension, paired with the daemon for its moz-extension origin the way the options page
 * leaves it. `stop()` closes all of it, in reverse, even after a failure.
 */
export interface FirefoxSuite {
  daemon: E2eDaemon;
  firefox: FirefoxExtensionBrowser;
  site: TestSite;
  /** A new tab at `url`, loaded. */
  open(url: string): Promise<Page>;
  stop(): Promise<void>;
}

export async function startFirefoxSuite(options: { paired?: boolean } = {}): Promise<FirefoxSuite> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    let failure: unknown = null;
    for (const step of stops.splice(0).reverse()) {
      try {
        await step();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
  };
  try {
    const daemon = await createE2eDaemon();
    stops.push(() => daemon.dispose());
    await daemon.start();
    const site = await startTestSite();
    stops.push(() => site.close());
    const firefox = await launchFirefoxWithExtension(inject('firefoxExtensionDir'));
    stops.push(() => firefox.close());
    if (options.paired !== false) {
      await configureExtension(await firefox.extensionHost(), { port: daemon.port, token: await daemon.tokenForExtension(firefox.origin) });
    }
    return {
      daemon,
      firefox,
      site,
      async open(url) {
        const page = await firefox.browser.newPage();
        page.setDefaultTimeout(10_000);
        await page.goto(url);
        return page;
      },
      stop,
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}
