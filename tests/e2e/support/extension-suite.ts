import type { BrowserContext, Page } from 'playwright-core';
import { inject } from 'vitest';
import { StopStack } from '../../support/stop-stack';
import type { E2eDaemon } from './e2e-daemon';
import { configureExtension, launchWithExtension, type ExtensionBrowser } from './extension-browser';
import { startSuiteParts } from './suite-parts';
import type { TestSite } from './test-site';

/**
 * What every browser test file starts with: the real daemon on the lab, the test pages
 * (tests/e2e/pages) on a local origin, and Chromium with the built extension, paired with the
 * daemon the way the options page leaves it. `stop()` closes all of it, in reverse.
 */
export interface ExtensionSuite {
  daemon: E2eDaemon;
  browser: ExtensionBrowser;
  context: BrowserContext;
  site: TestSite;
  /** A new tab at `url`. */
  open(url: string): Promise<Page>;
  stop(): Promise<void>;
}

export interface ExtensionSuiteOptions {
  /** false: the extension is left as a fresh install finds itself, neither configured nor paired. */
  paired?: boolean;
}

export async function startExtensionSuite(options: ExtensionSuiteOptions = {}): Promise<ExtensionSuite> {
  const stops = new StopStack();
  try {
    const { daemon, site, browser } = await startSuiteParts(launchWithExtension(inject('extensionDir')), stops);
    if (options.paired !== false) {
      await configureExtension(await browser.worker(), { port: daemon.port, token: await daemon.tokenForExtension() });
    }
    return {
      daemon,
      browser,
      context: browser.context,
      site,
      async open(url) {
        const page = await browser.context.newPage();
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
