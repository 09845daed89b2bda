/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestSite, type TestSite } from '../e2e/support/test-site';
import { removeHome, type DaemonProcess } from '../support/daemon-process';
import { runCli } from '../support/run-cli';
import { SERVER_ADDRESS, SERVER_NAME, startServerDaemon } from '../support/server-mode';
import { makeTestCa, type TestCa } from '../support/test-ca';
import { clickMenuItem, toolbarBadge } from './support/context-menu';
import { launchFirefoxWithExtension, type FirefoxExtensionBrowser } from './support/firefox-browser';
import { attributeNow, textNow, typeAndLeave } from './support/page-reading';
import { makeTrustingProfile, type TrustingProfile } from './support/trusting-profile';

/**
 * The extension in Firefox against a MailPing server, as tests/e2e/server-mode.test.ts does in
 * Chromium: the daemon in server mode on 127.0.43.1 as verify.mailping.test over TLS, with a
 * certificate from a CA this test makes; Firefox is a stranger on the network to it
 * (server.localNetworks leaves 127.0.0.1 out). Firefox trusts the CA through its profile's own
 * certificate store (support/trusting-profile.ts) and finds the name through
 * network.dns.forceResolve (every name lookup answers 127.0.43.1; the test site is reached by
 * its address, without a lookup). The options page refuses ws:// there, takes the wss:// URL,
 * pairs with an invite, and badges and the context menu get the lab's verdicts through it.
 */
const lab = inject('lab');
let ca: TestCa;
let daemon: DaemonProcess;
let site: TestSite;
let profile: TrustingProfile;
let firefox: FirefoxExtensionBrowser;

beforeAll(async () => {
  ca = await makeTestCa();
  daemon = await startServerDaemon(
    ca,
    {
      dnsServers: [lab.dnsServer],
      helo: 'verifier.mailping.test',
      from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
      timeouts: { totalSeconds: 12, greetingSeconds: 6, connectSeconds: 3, commandSeconds: 6, dnsSeconds: 3 },
    },
    { localNetworks: ['::1/128'] },
  );
  site = await startTestSite();
  profile = await makeTrustingProfile(ca.caCert);
  firefox = await launchFirefoxWithExtension(inject('firefoxExtensionDir'), {
    profile: profile.dir,
    prefs: {
      'network.dns.forceResolve': SERVER_ADDRESS,
      // The suite's dead proxy keeps everything else on this machine; the server is reached directly.
      'network.proxy.no_proxies_on': SERVER_NAME,
    },
  });
}, 90_000);

afterAll(async () => {
  await firefox?.close().catch(() => {});
  await profile?.remove();
  await site?.close().catch(() => {});
  await daemon?.stop();
  if (daemon) await removeHome(daemon.home);
  await ca?.remove();
});

async function invite(name: string): Promise<string> {
  const run = await runCli(['invite', name, '--json'], { env: { MAILPING_HOME: daemon.home } });
  if (run.code !== 0) throw new Error(`mailping invite failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { code: string }).code;
}

/** The server's tokens for this Firefox, from `mailping tokens list --json`. */
async function firefoxTokens(): Promise<Array<{ label: string; revokedAt: string | null; today: { fresh: number } }>> {
  const run = await runCli(['tokens', 'list', '--json'], { env: { MAILPING_HOME: daemon.home } });
  if (run.code !== 0) throw new Error(`mailping tokens failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as Array<{ origin: string | null; label: string; revokedAt: string | null; today: { fresh: number } }>).filter((t) => t.origin === firefox.origin);
}

const setField = async (page: Page, selector: string, value: string) => {
  await page.click(selector);
  await page.$eval(selector, (el) => {
    (el as HTMLInputElement).value = '';
  });
  await page.type(selector, value);
};

describe('Firefox with a MailPing server over TLS', () => {
  const where = () => `${SERVER_NAME}:${daemon.port}`;

  it('refuses ws:// to the server, pairs with an invite over wss://, and says where addresses go', async () => {
    const options = await firefox.extensionPage('options.html');
    try {
      await expect.poll(() => options.$eval('#port', (el) => (el as HTMLInputElement).value), { timeout: 10_000 }).toBe('7425');
      expect(await attributeNow(options, '#destination', 'hidden')).not.toBeNull();

      await setField(options, '#server-url', `ws://${where()}`);
      await options.click('#endpoint-save');
      await expect.poll(() => textNow(options, '#endpoint-saved')).toMatch(/^Not saved: .*unencrypted.*wss:\/\//);

      await setField(options, '#server-url', `wss://${where()}`);
      await options.click('#endpoint-save');
      await expect.poll(() => textNow(options, '#endpoint-saved')).toBe('Saved.');
      // Reached over TLS (the certificate is trusted), but not paired yet.
      await expect.poll(() => textNow(options, '#status-advice'), { timeout: 15_000 }).toContain('mailping invite');
      expect(await attributeNow(options, '#status', 'data-kind')).toBe('not_paired');
      expect(await textNow(options, '#destination')).toBe(`Addresses you check are verified by ${where()}, not on this computer.`);

      await setField(options, '#code', 'WRONG-CODE');
      await options.click('#pair-button');
      await expect.poll(() => attributeNow(options, '#pair-result', 'data-ok'), { timeout: 15_000 }).toBe('false');
      expect(await textNow(options, '#pair-result')).toMatch(/Pairing failed: .*mailping invite/);

      await setField(options, '#code', await invite('firefox'));
      await options.click('#pair-button');
      await expect.poll(() => attributeNow(options, '#pair-result', 'data-ok'), { timeout: 15_000 }).toBe('true');
      await expect.poll(() => attributeNow(options, '#status', 'data-kind'), { timeout: 15_000 }).toBe('connected');
      expect(await textNow(options, '#status')).toBe(`Connected to ${where()}`);
    } finally {
      await options.close();
    }
    // The invite became a token bound to this Firefox's moz-extension origin.
    expect((await firefoxTokens()).map((t) => [t.label, t.revokedAt])).toEqual([['firefox', null]]);

    const popup = await firefox.extensionPage('popup.html');
    try {
      await expect.poll(() => attributeNow(popup, '#status-pill', 'data-kind'), { timeout: 15_000 }).toBe('connected');
      expect(await textNow(popup, '#destination')).toBe(`Addresses are verified by ${where()}`);
    } finally {
      await popup.close();
    }
  });

  it('gets badge verdicts from the lab through the server', async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(site.url('signup.html'));
      await typeAndLeave(page, '#email', 'alice@valid.test');
      await expect.poll(() => attributeNow(page, 'mailping-badge[data-field="email"]', 'data-verdict'), { timeout: 25_000 }).toBe('deliverable');
      await typeAndLeave(page, '#email', 'nobody@valid.test');
      await expect.poll(() => attributeNow(page, 'mailping-badge[data-field="email"]', 'data-verdict'), { timeout: 25_000 }).toBe('undeliverable');
    } finally {
      await page.close();
    }
  });

  it('verifies from the context menu through the server: the result by the click and on the toolbar', async () => {
    const page = await firefox.browser.newPage();
    try {
      await page.goto(site.url('addresses.html'));
      await page.evaluate(() => {
        const range = document.createRange();
        range.selectNodeContents(document.getElementById('sales-address')!);
        getSelection()!.removeAllRanges();
        getSelection()!.addRange(range);
      });
      const selection = await page.evaluate(() => getSelection()?.toString());
      expect(selection).toBe('alice@valid.test');
      await clickMenuItem(firefox, page, { menuItemId: 'mailping-verify', selectionText: selection, frameId: 0 });
      await expect.poll(() => attributeNow(page, 'mailping-toast', 'data-verdict'), { timeout: 20_000 }).toBe('deliverable');
      await expect.poll(() => toolbarBadge(firefox, page)).toEqual({ text: '✓', title: 'MailPing: alice@valid.test — Deliverable: mailbox exists' });

      const href = await page.$eval('#support-link', (a) => a.getAttribute('href'));
      await clickMenuItem(firefox, page, { menuItemId: 'mailping-verify-mailto', linkUrl: href, frameId: 0 });
      await expect.poll(() => attributeNow(page, 'mailping-toast', 'data-verdict'), { timeout: 20_000 }).toBe('undeliverable');
      expect(await textNow(page, 'mailping-toast >>> .mp-details')).toContain('nobody@valid.test');
    } finally {
      await page.close();
    }
    // Those checks asked the mail servers from the server, on this Firefox's invite.
    await expect.poll(async () => (await firefoxTokens())[0]?.today.fresh, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  });
});
