/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commaTextToType, commaTextWithout, SEND_WARNING_WEBMAILS, type RecipientEntry } from '../e2e/cases/send-warning-webmails';
import { settle } from '../e2e/support/send-warning';
import { startFirefoxSuite, type FirefoxSuite } from './support/firefox-suite';
import { countNow, typeRecipient } from './support/page-reading';
import { CONFIRM_FIX, SEND_ANYWAY, confirmLines, confirmShown, pressCtrlEnter, sendsOf } from './support/send-warning';
import { chipsOf, expectVerdict, markSelector, openWebmail } from './support/webmail';

/**
 * The warning before a Send that would bounce, in Firefox (tests/e2e/webmail-send-warning.test.ts
 * is the Chromium side), on every adapter's fixture: each fixture's Send control (and shortcut)
 * runs the page's own send handler, which records that it ran. With a recipient that does not
 * exist the person's press never reaches the page: a confirm names the recipient and the
 * server's code; "Send anyway" runs the page's handler once, Escape runs nothing. With fine
 * recipients the press reaches the page at once.
 */

/** How a person adds and takes out a recipient, in puppeteer's words. */
async function addRecipient(page: Page, entry: RecipientEntry, address: string): Promise<void> {
  if (entry.kind === 'chip') return typeRecipient(page, entry.field, address, entry.commit);
  if (entry.kind === 'outlook-well') {
    await page.click(entry.field);
    // Firefox leaves a click on the empty end of this well (after a contenteditable=false
    // chip) without a caret, so End alone would type nowhere: the caret goes to the end first.
    await page.$eval(entry.field, (well) => {
      const range = document.createRange();
      range.selectNodeContents(well);
      range.collapse(false);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    await page.keyboard.type(address, { delay: 10 });
    await page.keyboard.press(';');
    return;
  }
  const value = await page.$eval(entry.field, (el) => (el as HTMLInputElement).value);
  await page.click(entry.field);
  await page.keyboard.press('End');
  await page.type(entry.field, commaTextToType(value, address), { delay: 5 });
}

async function removeRecipient(page: Page, entry: RecipientEntry, address: string): Promise<void> {
  if (entry.kind === 'comma-text') {
    const value = await page.$eval(entry.field, (el) => (el as HTMLInputElement).value);
    return retype(page, entry.field, commaTextWithout(value, address));
  }
  await page.evaluate((a) => (window as unknown as { fixture: { removeChip(f: string, a: string): void } }).fixture.removeChip('to', a), address);
}

/** Replaces a plain input's text as a person would: select all, type over it. */
async function retype(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  if (text === '') await page.keyboard.press('Backspace');
  else await page.type(selector, text, { delay: 5 });
}

let suite: FirefoxSuite;

beforeAll(async () => {
  suite = await startFirefoxSuite();
});

afterAll(() => suite?.stop());

for (const webmail of SEND_WARNING_WEBMAILS) {
  describe(`${webmail.name} in Firefox: the warning before a Send that would bounce`, () => {
    let page: Page;
    beforeAll(async () => {
      page = await openWebmail(suite, webmail.url, { [webmail.origin]: webmail.pages });
    });
    afterAll(() => page?.close());

    it('lets a Send with deliverable recipients through at once, with no confirm', async () => {
      await addRecipient(page, webmail.entry, 'bob@valid.test');
      await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');
      await page.click(webmail.send);
      expect(await sendsOf(page)).toEqual([expect.objectContaining({ via: 'click', trusted: true })]);
      expect(await countNow(page, 'mailping-send-confirm')).toBe(0);
    });

    it('stops a Send to a mailbox that does not exist, and sends once on "Send anyway"', async () => {
      await addRecipient(page, webmail.entry, 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await page.click(webmail.send);
      await expect.poll(() => confirmShown(page)).toBe(true);
      expect(await confirmLines(page)).toEqual(['nobody@valid.test does not exist (550 5.1.1).']);
      await settle();
      expect(await sendsOf(page)).toHaveLength(1);
      await page.locator(SEND_ANYWAY).click();
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(2);
      // The page's own handler ran on MailPing's replay of the press.
      expect((await sendsOf(page))[1]).toMatchObject({ via: 'click', trusted: false });
      expect(await confirmShown(page)).toBe(false);
    });

    it('stops the keyboard Send too; Escape goes back without sending', async () => {
      const { keyboard } = webmail;
      if ('shortcutIn' in keyboard) {
        await page.click(keyboard.shortcutIn);
        await pressCtrlEnter(page);
      } else {
        await page.focus(webmail.send);
        await page.keyboard.press('Enter');
      }
      await expect.poll(() => confirmShown(page)).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.localName)).toBe('mailping-send-confirm');
      await page.keyboard.press('Escape');
      await expect.poll(() => confirmShown(page)).toBe(false);
      await settle();
      expect(await sendsOf(page)).toHaveLength(2);
      const back = 'shortcutIn' in keyboard ? keyboard.shortcutIn : webmail.send;
      expect(await page.$eval(back, (el) => el === document.activeElement)).toBe(true);
    });

    it('sends without a word once the bad recipient is gone', async () => {
      await removeRecipient(page, webmail.entry, 'nobody@valid.test');
      await expect.poll(() => countNow(page, markSelector('nobody@valid.test'))).toBe(0);
      await page.click(webmail.send);
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(3);
      expect(await confirmShown(page)).toBe(false);
    });
  });
}

describe('Gmail in Firefox: what never holds up a Send, and the one-click fix', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openWebmail(suite, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk', { 'https://mail.google.com': { '/mail/u/0/': 'gmail.html' } });
  });
  afterAll(() => page?.close());

  it('lets risky recipients and ones still being checked through', async () => {
    await typeRecipient(page, '#to', 'anyone@catchall.test');
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
    // The lab's silent server never answers: this check stays open for many seconds.
    await typeRecipient(page, '#to', 'alice@silent.test');
    await expectVerdict(page, 'alice@silent.test', 'checking', 'to');
    await page.click('#send');
    expect(await sendsOf(page)).toEqual([expect.objectContaining({ via: 'click', trusted: true })]);
    await page.click('#subject');
    await pressCtrlEnter(page);
    expect((await sendsOf(page))[1]).toMatchObject({ via: 'shortcut', trusted: true });
    expect(await countNow(page, 'mailping-send-confirm')).toBe(0);
  });

  it('fixes a typo from the confirm in one click, without sending', async () => {
    await typeRecipient(page, '#to', 'carol@gmial.com');
    await expect.poll(() => countNow(page, markSelector('carol@gmial.com'))).toBe(1);
    await page.click('#send');
    await expect.poll(() => confirmShown(page)).toBe(true);
    expect(await confirmLines(page)).toEqual([expect.stringMatching(/^carol@gmial\.com .*Did you mean carol@gmail\.com\?$/)]);
    await page.locator(CONFIRM_FIX).click();
    await expect.poll(() => chipsOf(page, 'to')).toEqual(expect.arrayContaining(['carol@gmail.com']));
    expect(await chipsOf(page, 'to')).not.toContain('carol@gmial.com');
    expect(await confirmShown(page)).toBe(false);
    await settle();
    expect(await sendsOf(page)).toHaveLength(2);
    await expectVerdict(page, 'carol@gmail.com', 'unknown', 'to');
    await page.click('#send');
    await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(3);
  });

  it('asks nothing when the warning is switched off in the options', async () => {
    const options = await suite.firefox.extensionPage('options.html');
    const checked = () => options.$eval('#warn-before-send', (el) => (el as HTMLInputElement).checked);
    try {
      await expect.poll(checked).toBe(true);
      await options.click('#warn-before-send');
      await expect.poll(checked).toBe(false);
      await typeRecipient(page, '#to', 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await page.click('#send');
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(4);
      expect(await confirmShown(page)).toBe(false);
      await options.click('#warn-before-send');
      await expect.poll(checked).toBe(true);
      await settle(500);
      await page.bringToFront();
      await page.click('#send');
      await expect.poll(() => confirmShown(page)).toBe(true);
      await settle();
      expect(await sendsOf(page)).toHaveLength(4);
    } finally {
      await options.close();
    }
  });
});
