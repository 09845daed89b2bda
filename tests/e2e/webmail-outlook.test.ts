/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { chipsOf, pasteInto, serveWebmail, typeRecipient } from './support/webmail-fixtures';
import { checkRecipientFromMenu, checkSenderOnHover, expectVerdict, leaveMark, markOf, noticeAddresses, noticeFix, noticeRows } from './support/webmail-marks';

/**
 * Outlook on the web, at both of its hosts (outlook.live.com, outlook.office.com): the fixture
 * (tests/e2e/webmail-fixtures/outlook.html) is a reading pane with an opened conversation and a
 * reply under it, whose To/Cc/Bcc fields are contenteditable wells holding chips.
 */

let suite: ExtensionSuite;

beforeAll(async () => {
  suite = await startExtensionSuite();
  for (const origin of ['https://outlook.live.com', 'https://outlook.office.com']) {
    await serveWebmail(suite.context, origin, { '/mail/': 'outlook.html' }, { clipboard: true });
  }
});

afterAll(() => suite?.stop());

describe('Outlook on the web (outlook.live.com)', () => {
  let page: Page;
  beforeAll(async () => {
    page = await suite.open('https://outlook.live.com/mail/0/inbox/id/AQQkADAwATNiZmYAZS1hZmQz');
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
    await expect.poll(() => noticeAddresses(page)).toEqual(['alice@nullmx.test', 'anyone@catchall.test']);
  });

  it('offers a typo’s fix as a copy: Outlook’s chips cannot be edited safely from outside', async () => {
    await typeRecipient(page, '#to', 'dave@gmial.com');
    await page.locator('input[aria-label="Subject"]').click();
    const fix = noticeFix(page, 'dave@gmial.com');
    await expect.poll(() => fix.textContent(), { timeout: 10_000 }).toBe('Did you mean dave@gmail.com? Copy it');
    await fix.click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('dave@gmail.com');
    expect(await page.locator('mailping-notice .mp-message').textContent()).toContain('Copied dave@gmail.com');
    // The webmail's own data is untouched.
    expect(await chipsOf(page, 'to')).toContain('dave@gmial.com');
  });

  it('verifies the sender on hover and a recipient from the context menu', async () => {
    const mark = await checkSenderOnHover(page);
    await saveScreenshot(page, 'webmail-outlook-message', { x: 500, y: 0, width: 500, height: 280 });
    // Moving away closes it (its details cover what is below while they are open).
    await leaveMark(page, mark, 300, 700);
    await checkRecipientFromMenu(page, await suite.browser.worker());
  });
});

describe('Outlook on the web (outlook.office.com)', () => {
  it('works the same at the work and school host', async () => {
    const page = await suite.open('https://outlook.office.com/mail/inbox/id/AQQkADAwATNiZmYAZS1hZmQz');
    try {
      await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
      await typeRecipient(page, '#cc', 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'cc');
      await page.locator('input[aria-label="Subject"]').click();
      await expect.poll(() => noticeAddresses(page)).toEqual(['nobody@valid.test']);
      expect((await noticeRows(page))[0]!.text).toContain('Cc: mailbox does not exist');
    } finally {
      await page.close();
    }
  });
});
