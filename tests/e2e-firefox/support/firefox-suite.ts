import type { Page } from 'puppeteer-core';
import { inject } from 'vitest';
import { StopStack } from '../../support/stop-stack';
import type { E2eDaemon } from '../../e2e/support/e2e-daemon';
import { startSuiteParts } from '../../e2e/support/suite-parts';
import type { TestSite } from '../../e2e/support/test-site';
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
  const stops = new StopStack();
  try {
    const { daemon, site, browser: firefox } = await startSuiteParts(launchFirefoxWithExtension(inject('firefoxExtensionDir')), stops);
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
      stop: () => stops.stop(),
    };
  } catch (e) {
    await stops.stop().catch(() => {});
    throw e;
  }
}
