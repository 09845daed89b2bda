/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeHome, type DaemonProcess } from '../support/daemon-process';
import { runCli } from '../support/run-cli';
import { SERVER_ADDRESS, SERVER_NAME, startServerDaemon } from '../support/server-mode';
import { makeTestCa, type TestCa } from '../support/test-ca';
import { clickMenuItem } from './support/context-menu';
import { launchWithExtension, type ExtensionBrowser } from './support/extension-browser';
import { badgeVerdict, typeAndLeave } from './support/field-badges';
import { saveScreenshot } from './support/screenshots';
import { startTestSite, type TestSite } from './support/test-site';
import { openWebmail, typeRecipient } from './support/webmail-fixtures';
import { checkRecipientFromMenu, expectVerdict } from './support/webmail-marks';

/**
 * The extension against a MailPing server, as a person sets it up: the daemon in server mode on
 * 127.0.43.1 as verify.mailping.test over TLS (a certificate from a CA this test makes), where the
 * browser is a stranger on the network (server.localNetworks leaves 127.0.0.1 out); Chromium
 * resolves the name by a host-resolver rule and trusts the test certificate by its key's hash.
 * The options page refuses ws:// to that server, takes its wss:// URL, pairs with an invite from
 * `mailping invite`, says where addresses go, and a badge then gets the lab's verdict through it;
 * so do "Verify this email" in the context menu and the recipient marks of the Gmail fixture.
 */
const lab = inject('lab');
let ca: TestCa;
let daemon: DaemonProcess & { cert: string; key: string };
let site: TestSite;
let browser: ExtensionBrowser;

/** What --ignore-certificate-errors-spki-list wants: base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo. */
async function spkiHash(certFile: string): Promise<string> {
  const der = new X509Certificate(await readFile(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

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
    // Only ::1 is "this machine": Chromium, connecting from 127.0.0.1, is on the network.
    { localNetworks: ['::1/128'] },
  );
  site = await startTestSite();
  browser = await launchWithExtension(inject('extensionDir'), {
    args: [`--host-resolver-rules=MAP ${SERVER_NAME} ${SERVER_ADDRESS}`, `--ignore-certificate-errors-spki-list=${await spkiHash(daemon.cert)}`],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
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

interface TokenRow {
  origin: string | null;
  revokedAt: string | null;
  today: { fresh: number; cached: number };
}

/** The server's tokens for this extension, from `mailping tokens list --json`. */
async function browserTokens(): Promise<TokenRow[]> {
  const run = await runCli(['tokens', 'list', '--json'], { env: { MAILPING_HOME: daemon.home } });
  if (run.code !== 0) throw new Error(`mailping tokens failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as TokenRow[]).filter((t) => t.origin === `chrome-extension://${browser.extensionId}`);
}

describe('the extension with a MailPing server over TLS', () => {
  it('refuses ws:// to the server, pairs with an invite over wss://, says where addresses go, and gets badge verdicts through it', async () => {
    const options = await browser.extensionPage('options.html');
    const url = options.locator('#server-url');
    const saved = options.locator('#endpoint-saved');
    // A fresh install: the daemon on this computer, no server URL, nothing said about a server.
    await expect.poll(() => options.locator('#port').inputValue(), { timeout: 10_000 }).toBe('7425');
    expect(await url.inputValue()).toBe('');
    expect(await options.locator('#destination').isHidden()).toBe(true);

    await url.fill(`ws://${SERVER_NAME}:${daemon.port}`);
    await options.locator('#endpoint-save').click();
    await expect.poll(() => saved.textContent()).toMatch(/^Not saved: .*unencrypted.*wss:\/\//);

    await url.fill(`wss://${SERVER_NAME}:${daemon.port}`);
    await options.locator('#endpoint-save').click();
    await expect.poll(() => saved.textContent()).toBe('Saved.');
    const status = options.locator('#status');
    await expect.poll(() => options.locator('#status-advice').textContent(), { timeout: 15_000 }).toContain('mailping invite');
    expect(await status.getAttribute('data-kind')).toBe('not_paired');
    const destination = options.locator('#destination');
    expect(await destination.textContent()).toBe(`Addresses you check are verified by ${SERVER_NAME}:${daemon.port}, not on this computer.`);

    // A wrong code first: the server says so, and the real invite still works afterwards.
    const result = options.locator('#pair-result');
    await options.locator('#code').fill('WRONG-CODE');
    await options.locator('#pair-button').click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 15_000 }).toBe('false');
    expect(await result.textContent()).toMatch(/Pairing failed: .*mailping invite/);

    await options.locator('#code').fill(await invite('chromium'));
    await options.locator('#pair-button').click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => status.getAttribute('data-kind'), { timeout: 15_000 }).toBe('connected');
    expect(await status.textContent()).toBe(`Connected to ${SERVER_NAME}:${daemon.port}`);
    await expect.poll(() => options.locator('#pairing-state').textContent()).toContain(`${SERVER_NAME}:${daemon.port}`);
    await saveScreenshot(options, 'options-server-paired');
    await options.close();

    // The invite became a token bound to this extension's origin.
    expect((await browserTokens()).map((t) => t.revokedAt)).toEqual([null]);

    const popup = await browser.extensionPage('popup.html');
    await expect.poll(() => popup.locator('#status-pill').getAttribute('data-kind'), { timeout: 15_000 }).toBe('connected');
    expect(await popup.locator('#destination').textContent()).toBe(`Addresses are verified by ${SERVER_NAME}:${daemon.port}`);
    await saveScreenshot(popup, 'popup-server');
    await popup.close();

    const page = await browser.context.newPage();
    try {
      await page.goto(site.url('signup.html'));
      await typeAndLeave(page, '#email', 'alice@valid.test');
      await expect.poll(() => badgeVerdict(page, 'email'), { timeout: 25_000 }).toBe('deliverable');
      await typeAndLeave(page, '#email', 'nobody@valid.test');
      await expect.poll(() => badgeVerdict(page, 'email'), { timeout: 25_000 }).toBe('undeliverable');
    } finally {
      await page.close();
    }
    // Those checks went to the mail servers from the server, counted against the invite's quota.
    await expect.poll(async () => (await browserTokens())[0]?.today.fresh, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  });

  // The next two use the pairing the first one made (tests in a file run in order).
  it('verifies from the context menu through the server: a selection, then a mailto: link', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(site.url('addresses.html'));
      await page.evaluate(() => {
        const range = document.createRange();
        range.selectNodeContents(document.getElementById('sales-address')!);
        getSelection()!.removeAllRanges();
        getSelection()!.addRange(range);
      });
      await page.locator('#sales-address').click({ button: 'right' });
      const worker = await browser.worker();
      await clickMenuItem(worker, page, { menuItemId: 'mailping-verify', selectionText: 'alice@valid.test', frameId: 0 });
      const toast = page.locator('mailping-toast');
      await expect.poll(() => toast.getAttribute('data-verdict'), { timeout: 25_000 }).toBe('deliverable');
      expect(await toast.locator('.mp-details').textContent()).toContain('alice@valid.test');

      const href = await page.locator('#support-link').getAttribute('href');
      await clickMenuItem(worker, page, { menuItemId: 'mailping-verify-mailto', linkUrl: href, frameId: 0 });
      await expect.poll(() => toast.getAttribute('data-verdict'), { timeout: 25_000 }).toBe('undeliverable');
      expect(await toast.locator('.mp-details').textContent()).toContain('nobody@valid.test');
    } finally {
      await page.close();
    }
  });

  it('marks Gmail recipients through the server, and checks an opened message\'s recipient from the context menu', async () => {
    const page = await openWebmail(browser.context, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk', {
      '/mail/u/0/?view=cm': 'gmail-popout.html',
      '/mail/u/0/': 'gmail.html',
    });
    try {
      await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
      await typeRecipient(page, '#to', 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await typeRecipient(page, '#to', 'anyone@catchall.test');
      await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
      await checkRecipientFromMenu(page, await browser.worker());
    } finally {
      await page.close();
    }
    // Still one token for this browser: the webmail marks went through the same pairing.
    expect((await browserTokens()).map((t) => t.revokedAt)).toEqual([null]);
  });
});
