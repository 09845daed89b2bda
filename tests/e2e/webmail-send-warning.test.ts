/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commaTextToType, commaTextWithout, SEND_WARNING_WEBMAILS, type RecipientEntry } from './cases/send-warning-webmails';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { confirmFix, confirmLines, sendAnyway, sendConfirm, sendsOf, settle } from './support/send-warning';
import { chipsOf, serveWebmail, typeRecipient } from './support/webmail-fixtures';
import { expectVerdict, markOf } from './support/webmail-marks';

/**
 * The warning before a Send that would bounce, in Chromium with the built extension, the real
 * daemon and the lab, on every adapter's fixture: each fixture's Send control (and shortcut)
 * runs the page's own send handler, which records that it ran (webmail-fixtures/send-button.js).
 * With a recipient that does not exist, the person's press never reaches the page: a confirm
 * names the recipient and the server's code; "Send anyway" runs the page's handler once, Escape
 * runs nothing. With fine recipients the press reaches the page at once.
 */

/** How a person adds and takes out a recipient, in Playwright's words. */
async function addRecipient(page: Page, entry: RecipientEntry, address: string): Promise<void> {
  if (entry.kind === 'chip') return typeRecipient(page, entry.field, address, entry.commit);
  const field = page.locator(entry.field);
  if (entry.kind === 'outlook-well') {
    await field.click();
    await page.keyboard.press('End');
    await field.pressSequentially(address, { delay: 10 });
    await page.keyboard.press(';');
    return;
  }
  const value = await field.inputValue();
  await field.click();
  await page.keyboard.press('End');
  await field.pressSequentially(commaTextToType(value, address), { delay: 5 });
}

async function removeRecipient(page: Page, entry: RecipientEntry, address: string): Promise<void> {
  if (entry.kind === 'comma-text') {
    const field = page.locator(entry.field);
    await field.fill(commaTextWithout(await field.inputValue(), address));
    return;
  }
  await page.evaluate((a) => (window as unknown as { fixture: { removeChip(f: string, a: string): void } }).fixture.removeChip('to', a), address);
}

let suite: ExtensionSuite;

beforeAll(async () => {
  suite = await startExtensionSuite();
  for (const webmail of SEND_WARNING_WEBMAILS) await serveWebmail(suite.context, webmail.origin, webmail.pages, { clipboard: true });
});

afterAll(() => suite?.stop());

for (const webmail of SEND_WARNING_WEBMAILS) {
  describe(`${webmail.name}: the warning before a Send that would bounce`, () => {
    let page: Page;
    beforeAll(async () => {
      page = await suite.open(webmail.url);
    });
    afterAll(() => page?.close());

    it('lets a Send with deliverable recipients through at once, with no confirm', async () => {
      await addRecipient(page, webmail.entry, 'bob@valid.test');
      await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');
      await page.locator(webmail.send).click();
      expect(await sendsOf(page)).toEqual([expect.objectContaining({ via: 'click', trusted: true })]);
      expect(await sendConfirm(page).count()).toBe(0);
    });

    it('stops a Send to a mailbox that does not exist, and sends once on "Send anyway"', async () => {
      await addRecipient(page, webmail.entry, 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await page.locator(webmail.send).click();
      await expect.poll(() => sendConfirm(page).isVisible()).toBe(true);
      expect(await confirmLines(page)).toEqual(['nobody@valid.test does not exist (550 5.1.1).']);
      await settle();
      expect(await sendsOf(page)).toHaveLength(1);
      if (webmail.name === 'Gmail') {
        await saveScreenshot(page, 'webmail-send-warning');
      }
      await sendAnyway(page).click();
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(2);
      // The page's own handler ran on MailPing's replay of the press.
      expect((await sendsOf(page))[1]).toMatchObject({ via: 'click', trusted: false });
      expect(await sendConfirm(page).isVisible()).toBe(false);
    });

    it('stops the keyboard Send too; Escape goes back without sending', async () => {
      const { keyboard } = webmail;
      if ('shortcutIn' in keyboard) {
        await page.locator(keyboard.shortcutIn).click();
        await page.keyboard.press('Control+Enter');
      } else {
        await page.locator(webmail.send).focus();
        await page.keyboard.press('Enter');
      }
      await expect.poll(() => sendConfirm(page).isVisible()).toBe(true);
      // The confirm has the focus: a screen reader reads it out, Tab reaches its buttons.
      expect(await page.evaluate(() => document.activeElement?.localName)).toBe('mailping-send-confirm');
      await page.keyboard.press('Escape');
      await expect.poll(() => sendConfirm(page).isVisible()).toBe(false);
      await settle();
      expect(await sendsOf(page)).toHaveLength(2);
      const back = 'shortcutIn' in keyboard ? keyboard.shortcutIn : webmail.send;
      expect(await page.locator(back).evaluate((el) => el === document.activeElement)).toBe(true);
    });

    it('sends without a word once the bad recipient is gone', async () => {
      await removeRecipient(page, webmail.entry, 'nobody@valid.test');
      await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
      await page.locator(webmail.send).click();
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(3);
      expect(await sendConfirm(page).isVisible()).toBe(false);
    });
  });
}

describe('Gmail: what never holds up a Send, and the one-click fix', () => {
  let page: Page;
  beforeAll(async () => {
    page = await suite.open('https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk');
  });
  afterAll(() => page?.close());

  it('lets risky recipients and ones still being checked through', async () => {
    await typeRecipient(page, '#to', 'anyone@catchall.test');
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
    // The lab's silent server never answers: this check stays open for many seconds.
    await typeRecipient(page, '#to', 'alice@silent.test');
    await expectVerdict(page, 'alice@silent.test', 'checking', 'to');
    await page.locator('#send').click();
    expect(await sendsOf(page)).toEqual([expect.objectContaining({ via: 'click', trusted: true })]);
    await page.locator('#subject').click();
    await page.keyboard.press('Control+Enter');
    expect((await sendsOf(page))[1]).toMatchObject({ via: 'shortcut', trusted: true });
    expect(await sendConfirm(page).count()).toBe(0);
  });

  it('fixes a typo from the confirm in one click, without sending', async () => {
    await typeRecipient(page, '#to', 'carol@gmial.com');
    await expect.poll(() => markOf(page, 'carol@gmial.com').count()).toBe(1);
    await page.locator('#send').click();
    await expect.poll(() => sendConfirm(page).isVisible()).toBe(true);
    expect(await confirmLines(page)).toEqual([expect.stringMatching(/^carol@gmial\.com .*Did you mean carol@gmail\.com\?$/)]);
    await confirmFix(page).click();
    await expect.poll(() => chipsOf(page, 'to')).toEqual(expect.arrayContaining(['carol@gmail.com']));
    expect(await chipsOf(page, 'to')).not.toContain('carol@gmial.com');
    expect(await sendConfirm(page).isVisible()).toBe(false);
    await settle();
    expect(await sendsOf(page)).toHaveLength(2);
    // The corrected address is unknown in the lab (no gmail.com): unknown never holds up a Send.
    await expectVerdict(page, 'carol@gmail.com', 'unknown', 'to');
    await page.locator('#send').click();
    await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(3);
  });

  it('asks nothing when the warning is switched off in the options', async () => {
    const options = await suite.browser.extensionPage('options.html');
    try {
      const toggle = options.locator('#warn-before-send');
      await expect.poll(() => toggle.isChecked()).toBe(true);
      await toggle.uncheck();
      await typeRecipient(page, '#to', 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await page.locator('#send').click();
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(4);
      expect(await sendConfirm(page).isVisible()).toBe(false);
      await toggle.check();
      await settle(500);
      await page.locator('#send').click();
      await expect.poll(() => sendConfirm(page).isVisible()).toBe(true);
      await settle();
      expect(await sendsOf(page)).toHaveLength(4);
    } finally {
      await options.close();
    }
  });
});
