/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createE2eDaemon, type E2eDaemon } from './support/e2e-daemon';
import { configureExtension, launchWithExtension, type ExtensionBrowser } from './support/extension-browser';
import { saveScreenshot } from './support/screenshots';
import {
  chipsOf,
  clickAddressMenu,
  expectVerdict,
  markOf,
  menuAddress,
  noticeRows,
  pasteInto,
  serveWebmail,
  typeRecipient,
} from './support/webmail-fixtures';

/**
 * Outlook on the web, at both of its hosts (outlook.live.com, outlook.office.com): the fixture
 * (tests/e2e/webmail-fixtures/outlook.html) is a reading pane with an opened conversation and a
 * reply under it, whose To/Cc/Bcc fields are contenteditable wells holding chips.
 */

let daemon: E2eDaemon;
let browser: ExtensionBrowser;

beforeAll(async () => {
  daemon = await createE2eDaemon();
  await daemon.start();
  browser = await launchWithExtension(inject('extensionDir'));
  await configureExtension(await browser.worker(), { port: daemon.port, token: await daemon.tokenForExtension() });
  for (const origin of ['https://outlook.live.com', 'https://outlook.office.com']) {
    await serveWebmail(browser.context, origin, { '/mail/': 'outlook.html' });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  }
});

afterAll(async () => {
  await browser?.close();
  await daemon?.dispose();
});

describe('Outlook on the web (outlook.live.com)', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.context.newPage();
    await page.goto('https://outlook.live.com/mail/0/inbox/id/AQQkADAwATNiZmYAZS1hZmQz');
  });

  it('marks the reply’s recipient and each committed recipient, not the one being typed', async () => {
    await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
    const well = page.locator('#to');
    await well.click();
    await page.keyboard.press('End');
    await well.pressSequentially('nobody@valid.test', { delay: 10 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await markOf(page, 'nobody@valid.test').count()).toBe(0);
    await page.keyboard.press(';');
    expect(await chipsOf(page, 'to')).toEqual(['alice@valid.test', 'nobody@valid.test']);
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
  });

  it('covers Cc, Bcc and pasted recipients', async () => {
    await typeRecipient(page, '#cc', 'anyone@catchall.test');
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'cc');
    await pasteInto(page, '#bcc', 'alice@nullmx.test; bob@valid.test');
    await expectVerdict(page, 'alice@nullmx.test', 'undeliverable', 'bcc');
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'bcc');
  });

  it('lists the bad recipients in the notice, and drops a removed one', async () => {
    await page.locator('input[aria-label="Subject"]').click();
    await expect.poll(async () => (await noticeRows(page)).map((r) => `${r.address} ${r.verdict}`)).toEqual([
      'nobody@valid.test undeliverable',
      'alice@nullmx.test undeliverable',
      'anyone@catchall.test risky',
    ]);
    expect((await noticeRows(page))[0]!.text).toContain('To: mailbox does not exist');
    const compose = (await page.locator('#compose').boundingBox())!;
    await saveScreenshot(page, 'webmail-outlook', { x: compose.x - 10, y: Math.max(0, compose.y - 10), width: compose.width + 20, height: Math.min(420, 760 - compose.y + 10) });
    // Backspace in an empty well removes its last chip (as Outlook does).
    await page.locator('#to').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    expect(await chipsOf(page, 'to')).toEqual(['alice@valid.test']);
    await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
    await page.locator('input[aria-label="Subject"]').click();
    await expect.poll(async () => (await noticeRows(page)).map((r) => r.address)).toEqual(['alice@nullmx.test', 'anyone@catchall.test']);
  });

  it('offers a typo’s fix as a copy: Outlook’s chips cannot be edited safely from outside', async () => {
    await typeRecipient(page, '#to', 'dave@gmial.com');
    await page.locator('input[aria-label="Subject"]').click();
    const fix = page.locator('mailping-notice li[data-address="dave@gmial.com"] .mp-fix');
    await expect.poll(() => fix.textContent(), { timeout: 10_000 }).toBe('Did you mean dave@gmail.com? Copy it');
    await fix.click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('dave@gmail.com');
    expect(await page.locator('mailping-notice .mp-message').textContent()).toContain('Copied dave@gmail.com');
    // The webmail's own data is untouched.
    expect(await chipsOf(page, 'to')).toContain('dave@gmial.com');
  });

  it('verifies the sender on hover and a recipient from the context menu', async () => {
    const worker = await browser.worker();
    await page.locator('#sender').hover();
    const mark = page.locator('mailping-mark[data-role="message"][data-address="alice@valid.test"]');
    await expect.poll(() => mark.isVisible()).toBe(true);
    await mark.click();
    await expect.poll(() => mark.getAttribute('data-verdict'), { timeout: 20_000 }).toBe('deliverable');
    await saveScreenshot(page, 'webmail-outlook-message', { x: 500, y: 0, width: 500, height: 280 });
    // Moving away closes it (its details cover what is below while they are open).
    await page.mouse.move(300, 700);
    await expect.poll(() => mark.count(), { timeout: 5_000 }).toBe(0);

    await page.locator('#recipient-nobody').hover();
    await expect.poll(() => menuAddress(worker)).toBe('nobody@valid.test');
    await page.locator('#recipient-nobody').click({ button: 'right' });
    await clickAddressMenu(worker, page);
    await expect.poll(() => page.locator('mailping-toast').getAttribute('data-verdict'), { timeout: 20_000 }).toBe('undeliverable');
  });
});

describe('Outlook on the web (outlook.office.com)', () => {
  it('works the same at the work and school host', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto('https://outlook.office.com/mail/inbox/id/AQQkADAwATNiZmYAZS1hZmQz');
      await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
      await typeRecipient(page, '#cc', 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'cc');
      await page.locator('input[aria-label="Subject"]').click();
      await expect.poll(async () => (await noticeRows(page)).map((r) => r.address)).toEqual(['nobody@valid.test']);
      expect((await noticeRows(page))[0]!.text).toContain('Cc: mailbox does not exist');
    } finally {
      await page.close();
    }
  });
});
